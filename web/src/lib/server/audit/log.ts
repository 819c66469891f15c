// The agency's audit log as admins read it: every state change, payment and settings change, newest first,
// naming the person ("Sam Staff", "Pat Plumber (PlumbFast)") rather than a role, filtered by job, person,
// action and UK day, and exported as CSV. Read-only: nothing here writes the log.
import { and, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '#db/client.ts';
import { auditLog, contractors, jobs, users } from '#db/schema/index.ts';
import { formatReference } from '#worker/jobs/create-job.ts';
import { actorNameColumns, contractorIsActor, contractorLabel, SYSTEM_NAME, userIsActor, whoIs } from './people.ts';
import { addCalendarDays, isIsoDay, UK_TIME_ZONE, ukDay, ukDayStart } from '#workflows/time.ts';

const ukDayField = z
  .string()
  .refine(isIsoDay, 'Give dates as YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'That date does not exist');
const blankAsUnset = (v: unknown) => (v === '' || v === null ? undefined : v);

export const auditFilters = z
  .object({
    /** A job's reference (JOB-000011, or just 11). */
    job: z.preprocess(blankAsUnset, z.string().trim().max(40).optional()),
    /** The actor id as recorded: a user's or contractor record's id, or `system`. */
    person: z.preprocess(blankAsUnset, z.string().trim().max(64).optional()),
    action: z.preprocess(blankAsUnset, z.string().trim().max(80).optional()),
    /** UK days, inclusive. */
    from: z.preprocess(blankAsUnset, ukDayField.optional()),
    to: z.preprocess(blankAsUnset, ukDayField.optional()),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: 'The “from” day is after the “to” day', path: ['to'] });
export type AuditFilters = z.infer<typeof auditFilters>;

/** Newest first; a page ends where the next begins (`at` and `id` of its last row). */
export const auditCursor = z.object({ at: z.iso.datetime(), id: z.number().int().positive() });

export interface AuditEntry {
  id: number;
  at: string;
  actorId: string;
  actorRole: string;
  /** The person: "Sam Staff", "Pat Plumber (PlumbFast)", "Fettle (automatic)". */
  who: string;
  action: string;
  jobId: string | null;
  jobReference: string | null;
  detail: Record<string, unknown>;
}

/** "JOB-11", "job-000011", "11" → "JOB-000011"; anything else as typed. */
export function jobReference(text: string): string {
  const n = /^(?:job-?)?0*(\d{1,9})$/i.exec(text.trim())?.[1];
  return n ? formatReference(Number(n)) : text.trim().toUpperCase();
}

function conditions(agencyId: string, f: AuditFilters): SQL[] {
  const where: SQL[] = [eq(auditLog.agencyId, agencyId)];
  if (f.person) where.push(eq(auditLog.actorId, f.person));
  if (f.action) where.push(or(eq(auditLog.action, f.action), sql`${auditLog.action} like ${`${f.action}.%`}`)!);
  if (f.from) where.push(gte(auditLog.at, ukDayStart(f.from)));
  if (f.to) where.push(lt(auditLog.at, ukDayStart(addCalendarDays(f.to, 1))));
  if (f.job)
    where.push(
      inArray(
        auditLog.jobId,
        sql`(select ${jobs.id} from ${jobs} where ${jobs.agencyId} = ${agencyId} and ${jobs.reference} = ${jobReference(f.job)})`,
      ),
    );
  return where;
}

/** Audit rows with their job's reference and the names of the people who acted (people.ts). */
const auditRows = (db: Database) =>
  db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      actorId: auditLog.actorId,
      actorRole: auditLog.actorRole,
      action: auditLog.action,
      detail: auditLog.detail,
      jobId: auditLog.jobId,
      jobReference: jobs.reference,
      ...actorNameColumns,
    })
    .from(auditLog)
    .leftJoin(jobs, eq(jobs.id, auditLog.jobId))
    .leftJoin(users, userIsActor(auditLog.actorId))
    .leftJoin(contractors, contractorIsActor(auditLog.actorId, auditLog.agencyId));

const toEntry = (r: Awaited<ReturnType<typeof auditRows>>[number]): AuditEntry => ({
  id: r.id,
  at: r.at.toISOString(),
  actorId: r.actorId,
  actorRole: r.actorRole,
  who: whoIs(r),
  action: r.action,
  jobId: r.jobId,
  jobReference: r.jobReference,
  detail: (r.detail ?? {}) as Record<string, unknown>,
});

/** One page of the log, newest first. */
export async function listAuditLog(
  db: Database,
  agencyId: string,
  filters: AuditFilters,
  page: { limit: number; cursor?: z.infer<typeof auditCursor> },
): Promise<{ entries: AuditEntry[]; next: z.infer<typeof auditCursor> | null }> {
  const where = conditions(agencyId, filters);
  if (page.cursor) {
    const at = new Date(page.cursor.at);
    where.push(or(lt(auditLog.at, at), and(eq(auditLog.at, at), lt(auditLog.id, page.cursor.id)))!);
  }
  const rows = await auditRows(db)
    .where(and(...where))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(page.limit + 1);
  const entries = rows.slice(0, page.limit).map(toEntry);
  const last = entries.at(-1);
  return { entries, next: rows.length > page.limit && last ? { at: last.at, id: last.id } : null };
}

/**
 * What was recorded about a job outside its engine history (approving the contractor's invoice, …), oldest
 * first: the engine's own events (`job.*`) are in the job's history already.
 */
export async function jobRecordsOutsideEngine(db: Database, agencyId: string, jobId: string): Promise<AuditEntry[]> {
  const rows = await auditRows(db)
    .where(and(eq(auditLog.agencyId, agencyId), eq(auditLog.jobId, jobId), sql`${auditLog.action} not like 'job.%'`))
    .orderBy(auditLog.at, auditLog.id);
  return rows.map(toEntry);
}

/** What the filters offer: the agency's people (staff, then contractors) and the actions its log holds. */
export async function auditFilterOptions(db: Database, agencyId: string) {
  const [staff, trade, actions] = await Promise.all([
    db
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(and(eq(users.agencyId, agencyId), inArray(users.role, ['admin', 'staff'])))
      .orderBy(users.name),
    db
      .select({ id: contractors.id, name: contractors.name, company: contractors.company })
      .from(contractors)
      .where(eq(contractors.agencyId, agencyId))
      .orderBy(contractors.name),
    db
      .selectDistinct({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.agencyId, agencyId))
      .orderBy(auditLog.action),
  ]);
  return {
    people: [
      ...staff.map((s) => ({ id: s.id, label: s.name })),
      ...trade.map((c) => ({ id: c.id, label: contractorLabel(c) })),
      { id: 'system', label: SYSTEM_NAME },
    ],
    actions: actions.map((a) => a.action),
  };
}

/** "job.record_payment" → "Job: record payment"; "settings.branch.update" → "Settings: branch update". */
export function auditActionLabel(action: string): string {
  const [area = action, ...rest] = action.split('.');
  const words = rest.join(' ').replaceAll('_', ' ');
  const title = area.charAt(0).toUpperCase() + area.slice(1);
  return words ? `${title}: ${words}` : title;
}

const londonClock = new Intl.DateTimeFormat('en-GB', { timeZone: UK_TIME_ZONE, timeStyle: 'medium' });
/** "2026-07-01 09:30:05": UK wall time that sorts as text in a spreadsheet. */
const londonTime = (at: string) => `${ukDay(at)} ${londonClock.format(new Date(at))}`;

/** A CSV cell: quoted when it must be, and never a formula a spreadsheet would run (=, +, -, @). */
function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const AUDIT_CSV_HEADER = ['Time (UK)', 'Time (UTC)', 'Person', 'Role', 'Action', 'Job', 'Detail'];

export function auditCsvLine(e: AuditEntry): string {
  return [londonTime(e.at), e.at, e.who, e.actorRole, e.action, e.jobReference ?? '', JSON.stringify(e.detail)]
    .map(cell)
    .join(',');
}
