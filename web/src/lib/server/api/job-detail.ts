// Everything about one job that the console's job page shows: the read model, the engine's state, the
// property, tenant and type, the event history, attachments, who holds or is offered it, and what the
// caller could do next. Staff get it whole (jobs.get); portal.job picks from it what a contractor may see.
import { and, asc, eq, getTableColumns, inArray, isNotNull, sql } from 'drizzle-orm';
import { attachments, contractors, emails, jobEvents, jobTypes, properties, tenants, users } from '#db/schema/index.ts';
import { reRaisedInvoiceChanges, STAFF_RECORD_TITLE } from '#lib/timeline-labels.ts';
import { allowedActions } from '#workflows/allowed.ts';
import { temporalWorkflowUrl, workflowIdFor } from '#workflows/workflow-ids.ts';
import { auditActionLabel, jobRecordsOutsideEngine } from '../audit/log.ts';
import { actorNameColumns, contractorIsActor, SYSTEM_NAME, userIsActor, whoIs } from '../audit/people.ts';
import { actorOf, type SessionUser } from '../auth/user.ts';
import type { Context } from './context.ts';
import { findJobInScope, type JobScope } from './scope.ts';

export async function loadJobDetail(ctx: Context & JobScope & { user: SessionUser }, id: string) {
  const job = await findJobInScope(ctx.db, id, ctx);
  // Who did each thing, named as the audit log names them (audit/people.ts). A job's start recorded against the
  // system before creation was recorded against its creator is its creator's all the same.
  const eventActor = sql<string>`case when ${jobEvents.type} = 'CREATED' and ${jobEvents.actorId} = 'system'
    then coalesce(${job.createdBy}::text, ${jobEvents.actorId}) else ${jobEvents.actorId} end`;
  const uploader = sql<string>`split_part(${attachments.uploadedBy}, ':', 2)`;
  const [view, [property], [tenant], [jobType], events, uploads, undelivered, records] = await Promise.all([
    ctx.engine.get(job.id),
    job.propertyId ? ctx.db.select().from(properties).where(eq(properties.id, job.propertyId)) : Promise.resolve([]),
    job.tenantId ? ctx.db.select().from(tenants).where(eq(tenants.id, job.tenantId)) : Promise.resolve([]),
    job.jobTypeId ? ctx.db.select().from(jobTypes).where(eq(jobTypes.id, job.jobTypeId)) : Promise.resolve([]),
    ctx.db
      .select({ ...getTableColumns(jobEvents), whoId: eventActor, ...actorNameColumns })
      .from(jobEvents)
      .leftJoin(users, userIsActor(eventActor))
      .leftJoin(contractors, contractorIsActor(eventActor, job.agencyId))
      .where(eq(jobEvents.jobId, job.id))
      .orderBy(asc(jobEvents.seq)),
    ctx.db
      .select({ ...getTableColumns(attachments), whoId: uploader, ...actorNameColumns })
      .from(attachments)
      .leftJoin(users, userIsActor(uploader))
      .leftJoin(contractors, contractorIsActor(uploader, job.agencyId))
      .where(eq(attachments.jobId, job.id))
      .orderBy(asc(attachments.createdAt)),
    ctx.db
      .select({
        id: emails.id,
        to: emails.to,
        subject: emails.subject,
        attempts: emails.attempts,
        lastError: emails.lastError,
        failedAt: emails.failedAt,
      })
      .from(emails)
      .where(and(eq(emails.jobId, job.id), isNotNull(emails.failedAt)))
      .orderBy(asc(emails.id)),
    // Staff's records about the job outside the engine (approving the contractor's invoice): contractors' view
    // is built from the engine history alone.
    ctx.contractorId === null ? jobRecordsOutsideEngine(ctx.db, job.agencyId, job.id) : Promise.resolve([]),
  ]);
  const reRaised = reRaisedInvoiceChanges(events);
  const timeline = events.map(({ whoId, userName, contractorName, company, ...e }) => ({
    ...e,
    /** The person: "Sam Staff", "Pat Plumber (PlumbFast)", "Fettle (automatic)". */
    who: whoIs({ actorId: whoId, userName, contractorName, company }),
    /** A re-raised agency invoice: what changed since it was last raised. */
    changes: reRaised.get(e.seq) ?? null,
  }));
  const files = uploads.map(({ whoId, userName, contractorName, company, ...a }) => ({
    ...a,
    /** Who uploaded it, named as on the timeline. */
    who: whoIs({ actorId: whoId, userName, contractorName, company }),
  }));
  // Everyone the job is or was with: its holder, who it waits on, and whoever it was offered to before.
  const offeredBefore = timeline.flatMap((e) =>
    e.type === 'OFFER' && typeof (e.payload as { contractorId?: unknown }).contractorId === 'string'
      ? [(e.payload as { contractorId: string }).contractorId]
      : [],
  );
  const people = [...new Set([job.contractorId, job.offeredToId, ...offeredBefore].filter((id): id is string => !!id))];
  const named = people.length
    ? await ctx.db
        .select({
          id: contractors.id,
          name: contractors.name,
          company: contractors.company,
          phone: contractors.phone,
          email: contractors.email,
        })
        .from(contractors)
        .where(inArray(contractors.id, people))
    : [];
  const byId = new Map(named.map((c) => [c.id, c]));
  return {
    job,
    state: { status: view.status, version: view.version, context: view.context, nextTimer: view.nextTimer },
    property: property ?? null,
    tenant: tenant ?? null,
    jobType: jobType ?? null,
    contractor: job.contractorId ? (byId.get(job.contractorId) ?? null) : null,
    offeredTo: job.offeredToId ? (byId.get(job.offeredToId) ?? null) : null,
    timeline,
    /** Names of the contractors the timeline mentions (offers), by id. */
    contractorNames: Object.fromEntries(named.map((c) => [c.id, c.name])) as Record<string, string>,
    attachments: files,
    /** What staff recorded about the job outside the engine, named and titled for the timeline. */
    records: records.map((r) => ({
      id: r.id,
      at: r.at,
      action: r.action,
      title: STAFF_RECORD_TITLE[r.action] ?? auditActionLabel(r.action),
      who: r.who,
      detail: r.detail,
    })),
    /** Emails about the job that the mail server never took after every retry: staff may need to phone instead. */
    undelivered: undelivered.map((e) => ({ ...e, failedAt: e.failedAt!, who: SYSTEM_NAME })),
    allowed: allowedActions(view, actorOf(ctx.user), ctx.now().toISOString()),
    temporal:
      ctx.engine.kind === 'temporal' && ctx.temporalUiUrl
        ? { url: temporalWorkflowUrl(ctx.temporalUiUrl, ctx.temporalNamespace, workflowIdFor(job)) }
        : null,
  };
}
