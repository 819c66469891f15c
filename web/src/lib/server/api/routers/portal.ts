// The contractor portal's reads: their jobs (30-day default, filters, what needs them), one job as a
// contractor may see it, the agency's contacts, and their side of finance (portal-finance.ts: invoices,
// account, statements). Job commands still go through jobs.send, and job access through the same scope
// as the rest of the API.
import { and, asc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import {
  agencies,
  attachments,
  branches,
  contractorInvoices,
  jobEvents,
  jobs,
  priorities,
  properties,
  users,
} from '#db/schema/index.ts';
import { hasStatus, INVOICEABLE_STATUSES, PAST_WORK_STATUSES, WORKLOAD_STATUSES } from '#workflows/model.ts';
import { addDays } from '#workflows/time.ts';
import { found } from '../found.ts';
import { contractorSeesFileSql, contractorView, siteAccess } from '../contractor-view.ts';
import { afterCursor, listedJob, newestFirst, pageOf } from '../keyset.ts';
import { loadJobDetail } from '../job-detail.ts';
import { contractorProcedure, router } from '../trpc.ts';
import { portalFinance } from './portal-finance.ts';

export const PORTAL_VIEWS = ['recent', 'active', 'pending', 'history', 'all'] as const;
export type PortalView = (typeof PORTAL_VIEWS)[number];

/** How far back the default list looks for jobs offered or assigned to the contractor. */
export const RECENT_DAYS = 30;

/** What the contractor should do next on a job, from the read model (the job page asks the machine). */
export type NeedsAction = 'respond' | 'start' | 'complete' | 'invoice' | null;

const listInput = z.object({
  view: z.enum(PORTAL_VIEWS).default('recent'),
  limit: z.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});

// The current assignment's invoice (a job re-assigned after a recall waits for the new contractor's own). An
// invoice the agency queried is set aside until a corrected one arrives: that job needs the contractor again.
const hasInvoice = sql<boolean>`exists (select 1 from ${contractorInvoices} where ${contractorInvoices.jobId} = ${jobs.id}
  and ${contractorInvoices.assignment} = ${jobs.assignment} and ${contractorInvoices.status} <> 'queried')`;

export function needsAction(
  row: { status: string; contractorId: string | null; offeredToId: string | null; invoiced: boolean },
  me: string,
): NeedsAction {
  if (row.offeredToId === me) return 'respond';
  if (row.contractorId !== me) return null;
  if (row.status === 'assigned' || row.status === 'recalled') return 'start';
  if (row.status === 'inProgress') return 'complete';
  if (hasStatus(INVOICEABLE_STATUSES, row.status) && !row.invoiced) return 'invoice';
  return null;
}

const payloadSchema = z
  .object({
    text: z.string().optional(),
    note: z.string().optional(),
    reason: z.string().optional(),
    number: z.string().optional(),
    totalPence: z.number().optional(),
    amountPence: z.number().optional(),
    leg: z.string().optional(),
    contractorId: z.string().optional(),
    attachmentIds: z.array(z.string()).optional(),
  })
  .catch({});

export const portalRouter = router({
  ...portalFinance,

  /** The contractor's jobs at the agency they picked. */
  jobs: contractorProcedure.input(listInput).query(async ({ ctx, input }) => {
    const me = ctx.contractorId;
    const mine = or(eq(jobs.contractorId, me), eq(jobs.offeredToId, me))!;
    const where: (SQL | undefined)[] = [eq(jobs.agencyId, ctx.agencyId), mine];
    if (input.view === 'recent') {
      // "Assigned in the last 30 days": the latest offer of the job to this contractor, from the event history.
      const since = addDays(ctx.now(), -RECENT_DAYS);
      where.push(
        sql`exists (select 1 from ${jobEvents} where ${jobEvents.jobId} = ${jobs.id} and ${jobEvents.type} = 'OFFER'
                    and ${jobEvents.payload}->>'contractorId' = ${me} and ${jobEvents.at} >= ${since.toISOString()})`,
      );
    }
    if (input.view === 'active') where.push(eq(jobs.contractorId, me), inArray(jobs.status, [...WORKLOAD_STATUSES]));
    if (input.view === 'pending') where.push(eq(jobs.offeredToId, me));
    if (input.view === 'history') where.push(eq(jobs.contractorId, me), inArray(jobs.status, [...PAST_WORK_STATUSES]));
    // Keyset condition and ordering as in jobs.list, matching the (agency, created, id) indexes: see keyset.ts.
    if (input.cursor) where.push(afterCursor(input.cursor));
    const rows = await ctx.db
      .select({
        ...listedJob,
        priorityName: priorities.name,
        town: properties.town,
        photoCount: sql<number>`(select count(*)::int from ${attachments} where ${attachments.jobId} = ${jobs.id} and ${attachments.kind} = 'photo' and ${contractorSeesFileSql(me)})`,
        invoiced: hasInvoice,
      })
      .from(jobs)
      .leftJoin(properties, eq(properties.id, jobs.propertyId))
      .leftJoin(priorities, and(eq(priorities.agencyId, jobs.agencyId), eq(priorities.code, jobs.priorityCode)))
      .where(and(...where))
      .orderBy(...newestFirst)
      .limit(input.limit + 1);
    const { page, nextCursor } = pageOf(rows, input.limit);
    const items = page.map(({ contractorId, offeredToId, invoiced, ...row }) => ({
      ...row,
      offered: offeredToId === me,
      needsAction: needsAction({ status: row.status, contractorId, offeredToId, invoiced }, me),
    }));
    return { view: input.view, items, nextCursor };
  }),

  /** One job as the contractor sees it: the job page's detail in the contractor's scope, minus what the agency keeps to itself. */
  job: contractorProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => {
    const detail = await loadJobDetail(ctx, input.id);
    const agency = found(
      await ctx.db
        .select({
          name: agencies.name,
          phone: agencies.phone,
          email: agencies.email,
          shareTenantContact: agencies.shareTenantContact,
        })
        .from(agencies)
        .where(eq(agencies.id, ctx.agencyId)),
      'Agency',
    );
    const me = ctx.contractorId;
    const { job, state, property, tenant, jobType, allowed } = detail;
    // The machine's invoice is the current assignment's: the contractor's own only while the job is theirs (not
    // the previous holder's, on a recalled job offered to this contractor).
    const myInvoice = job.contractorId === me ? state.context.contractorInvoice : null;
    // Access notes and the tenant's contact reach the contractor the job is with, not one only offered it.
    const access = siteAccess({ contractorId: me }, job, agency);
    const view = contractorView(detail.timeline, me);
    const timeline = detail.timeline.filter(view.seesEvent).map((e) => ({
      seq: e.seq,
      type: e.type,
      at: e.at,
      actorRole: e.actorRole,
      mine: e.actorId === me,
      /** You; the agency's staff and the system by name; another contractor stays anonymous (their part is the agency's). */
      who: e.actorId === me ? 'You' : e.actorRole === 'contractor' ? 'Contractor' : e.who,
      payload: payloadSchema.parse(e.payload),
    }));
    // The machine keeps the job's latest completion and recall; the contractor is told of those in their part of it.
    const latest = (type: string) => timeline.findLast((e) => e.type === type)?.payload;
    return {
      job: {
        id: job.id,
        reference: job.reference,
        title: job.title,
        descriptionHtml: job.descriptionHtml,
        priorityCode: job.priorityCode,
        createdAt: job.createdAt,
      },
      status: state.status,
      priority: state.context.priority,
      sla: state.context.sla,
      lastRecallReason: latest('RECALL')?.reason?.trim() ?? null,
      completionNote: latest('COMPLETE')?.note?.trim() ?? null,
      contractorInvoice: myInvoice,
      property: property && {
        line1: property.line1,
        line2: property.line2,
        town: property.town,
        postcode: property.postcode,
        accessNotes: access.accessNotes ? property.accessNotes : null,
      },
      tenant: tenant && {
        name: tenant.name,
        phone: access.tenantContact ? tenant.phone : null,
        email: access.tenantContact ? tenant.email : null,
      },
      tenantContactShared: agency.shareTenantContact,
      jobType: jobType && { name: jobType.name, trade: jobType.trade },
      agency: { name: agency.name, phone: agency.phone, email: agency.email },
      offeredToMe: job.offeredToId === me,
      assignedToMe: job.contractorId === me,
      photos: detail.attachments.filter(view.seesFile).map((a) => ({
        id: a.id,
        fileName: a.fileName,
        contentType: a.contentType,
        kind: a.kind,
        createdAt: a.createdAt,
        url: `/api/attachments/${a.id}`,
      })),
      timeline,
      allowed,
      needsAction: needsAction(
        {
          status: state.status,
          contractorId: job.contractorId,
          offeredToId: job.offeredToId,
          invoiced: myInvoice !== null,
        },
        me,
      ),
    };
  }),

  /** The agency's office contacts, so the contractor can confirm access. */
  contacts: contractorProcedure.query(async ({ ctx }) => {
    const [agency] = await ctx.db
      .select({ name: agencies.name, phone: agencies.phone, email: agencies.email })
      .from(agencies)
      .where(eq(agencies.id, ctx.agencyId));
    const [offices, people] = await Promise.all([
      ctx.db
        .select({
          id: branches.id,
          name: branches.name,
          phone: branches.phone,
          email: branches.email,
          address: branches.address,
        })
        .from(branches)
        .where(eq(branches.agencyId, ctx.agencyId))
        .orderBy(asc(branches.name)),
      ctx.db
        .select({ id: users.id, name: users.name, jobTitle: users.jobTitle, phone: users.phone, email: users.email })
        .from(users)
        .where(and(eq(users.agencyId, ctx.agencyId), inArray(users.role, ['admin', 'staff'])))
        .orderBy(asc(users.name)),
    ]);
    return { agency, branches: offices, people };
  }),
});
