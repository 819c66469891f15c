// What a contractor sees of a job's history and files, in one place for the portal, the attachment
// download and the Job Sheet. A contractor sees their own part of the job only: what happened since it was
// last offered to them (and notes staff shared before it was offered to anyone), so not the work, notes,
// photos or invoice of a contractor who had the job before a recall and re-assignment, nor of one offered it
// since. Within that, staff notes are internal unless staff
// shared them; other contractors' offers, refusals and notes and the other payment legs are the agency's. A
// file is seen by the contractor who uploaded it, or through a note or completion the contractor sees.
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { attachments, jobEvents } from '#db/schema/index.ts';
import type { PaymentLeg } from '#workflows/model.ts';

/** Event types a contractor sees on a job's timeline (then filtered by `contractorView`). */
const VISIBLE_EVENTS = new Set([
  'CREATED',
  'OFFER',
  'ACCEPT',
  'DECLINE',
  'START',
  'ADD_NOTE',
  'COMPLETE',
  'CLOSE',
  'RECALL',
  'CANCEL',
  'CHANGE_PRIORITY',
  'SUBMIT_INVOICE',
  'QUERY_INVOICE',
  'RECORD_PAYMENT',
  'SLA_BREACHED',
]);

const LEG: PaymentLeg = 'contractor';

const facts = z
  .object({
    contractorId: z.string().optional(),
    leg: z.string().optional(),
    shareWithContractor: z.boolean().optional(),
    attachmentIds: z.array(z.string()).optional(),
  })
  .catch({});

/**
 * How to get into the property: the key-safe and alarm codes in its access notes, and the tenant's phone and
 * email. Staff always see them. A contractor sees them only while the job is theirs, accepted and still held
 * (so not on an offer alone, and not once they declined it or it was withdrawn or recalled to another), and
 * the tenant's contact only when the agency shares it. The portal and the Job Sheet ask this one rule.
 */
export function siteAccess(
  viewer: { contractorId: string | null },
  job: { contractorId: string | null; offeredToId: string | null },
  agency: { shareTenantContact: boolean },
): { accessNotes: boolean; tenantContact: boolean } {
  if (viewer.contractorId === null) return { accessNotes: true, tenantContact: true };
  // A recalled job offered to someone else is leaving its holder, who may no longer start it.
  const holds = job.contractorId === viewer.contractorId && job.offeredToId === null;
  return { accessNotes: holds, tenantContact: holds && agency.shareTenantContact };
}

export interface EventRow {
  seq: number;
  type: string;
  actorId: string;
  actorRole: string;
  payload: unknown;
}

/** Where the contractor's part of the job begins: the latest offer of it to them; and where anyone's began, the
 * first offer (Infinity for none). */
function offers(events: readonly EventRow[], contractorId: string): { since: number; first: number } {
  let since = Infinity;
  let first = Infinity;
  for (const e of events) {
    if (e.type !== 'OFFER') continue;
    first = Math.min(first, e.seq);
    if (facts.parse(e.payload).contractorId === contractorId) since = e.seq;
  }
  return { since, first };
}

const sharedStaffNote = (e: EventRow, p: z.infer<typeof facts>) =>
  e.type === 'ADD_NOTE' && e.actorRole !== 'contractor' && p.shareWithContractor === true;

/** What one contractor sees of a job, given the job's whole event history. */
export function contractorView(events: readonly EventRow[], contractorId: string) {
  const { since, first } = offers(events, contractorId);
  const seesEvent = (e: EventRow): boolean => {
    if (!VISIBLE_EVENTS.has(e.type)) return false;
    if (e.type === 'CREATED') return true;
    const p = facts.parse(e.payload);
    // Notes staff shared before the job was offered to anyone are for whoever does it.
    if (e.seq < since) return e.seq < first && sharedStaffNote(e, p);

    switch (e.type) {
      case 'OFFER':
      case 'DECLINE':
        return p.contractorId === contractorId || e.actorId === contractorId;
      case 'RECORD_PAYMENT':
        return p.leg === LEG;
      case 'ADD_NOTE':
        return e.actorId === contractorId || sharedStaffNote(e, p);
      case 'COMPLETE':
      case 'SUBMIT_INVOICE':
        return e.actorId === contractorId;
      default:
        return true;
    }
  };
  const cited = new Set(events.filter(seesEvent).flatMap((e) => facts.parse(e.payload).attachmentIds ?? []));
  const seesFile = (file: { id: string; uploadedBy: string }) =>
    file.uploadedBy === `contractor:${contractorId}` || cited.has(file.id);
  return { seesEvent, seesFile };
}

/** `contractorView(…).seesFile` as a condition on `attachments` rows, for counts in lists. Only notes and
 * completions cite files, so only their visibility is repeated here: change both together. */
export const contractorSeesFileSql = (contractorId: string): SQL => {
  // Where the contractor's part of the job starts: the latest offer of it to them.
  const theirLatestOffer = sql`(select max(o.seq) from ${jobEvents} o where o.job_id = ${jobEvents.jobId} and o.type = 'OFFER' and o.payload->>'contractorId' = ${contractorId})`;
  return sql`(${attachments.uploadedBy} = ${`contractor:${contractorId}`} or exists (
    select 1 from ${jobEvents} where ${jobEvents.jobId} = ${attachments.jobId} and ${jobEvents.type} in ('ADD_NOTE', 'COMPLETE')
      and ${jobEvents.payload}->'attachmentIds' @> to_jsonb(${attachments.id}::text)
      and (
        (${jobEvents.actorId} = ${contractorId}
          and ${jobEvents.seq} >= ${theirLatestOffer})
        or (${jobEvents.type} = 'ADD_NOTE' and ${jobEvents.actorRole} <> 'contractor' and ${jobEvents.payload}->>'shareWithContractor' = 'true'
          and (${jobEvents.seq} >= ${theirLatestOffer}
            or ${jobEvents.seq} < coalesce((select min(o.seq) from ${jobEvents} o where o.job_id = ${jobEvents.jobId} and o.type = 'OFFER'), 2147483647))))))`;
};
