// Jobs: create, read, list (filters + keyset pagination) and send events to the engine.
import { TRPCError } from '@trpc/server';
import { and, asc, eq, exists, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import sanitizeHtml from 'sanitize-html';
import { z } from 'zod';
import type { Database } from '#db/client.ts';
import { one } from '#db/rows.ts';
import { auditLog, branches, contractors, jobs, jobTypes, priorities, properties, tenants } from '#db/schema/index.ts';
import { queueEmail } from '#activities/mailer.ts';
import { createJob, priorityPolicy } from '#worker/jobs/create-job.ts';
import {
  JOB_STATUSES,
  OFFERABLE_STATUSES,
  OPEN_STATUSES,
  SLA_RUNNING_STATUSES,
  type JobCommand,
} from '#workflows/model.ts';
import { ukDay } from '#workflows/time.ts';
import { actorOf } from '#lib/server/auth/user.ts';
import { mayCite } from '#lib/server/files/attachments.ts';
import { missingCertifications } from '#lib/server/assignment/candidates.ts';
import { commandSchema, type CommandInput } from '../commands.ts';
import { afterCursor, listedJob, newestFirst, pageOf } from '../keyset.ts';
import { clientMoneyOf, type ClientMoney } from '#lib/server/finance/ledger.ts';
import { inAgency } from '../found.ts';
import { findJobInScope as findJob } from '../scope.ts';
import { loadJobDetail } from '../job-detail.ts';
import { optionalEmail, optionalPhone, singleLineText } from '../text-input.ts';
import { memberProcedure, router, staffProcedure } from '../trpc.ts';
import { locateProperty, propertyAddress, saveProperty } from './properties.ts';

const DESCRIPTION_HTML: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'b', 'em', 'i', 'u', 's', 'ul', 'ol', 'li', 'blockquote', 'h3', 'h4', 'a'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer', target: '_blank' }),
    // The console's editor (a contenteditable) starts each line typed after Enter as a <div>: kept as a
    // paragraph, not dropped with its line break (which ran "Leak under sink" and "Turn off" together).
    div: 'p',
  },
};

export const sanitizeDescription = (html: string) => sanitizeHtml(html, DESCRIPTION_HTML).trim();

const createInput = z
  .object({
    title: singleLineText('title', 3, 200, 'Give the job a short title'),
    // The limit is on the editor's HTML, markup and all: said as the description a person typed, not a field id.
    descriptionHtml: z
      .string()
      .max(20_000, 'The description is too long: shorten it (up to about 20,000 characters including formatting)')
      .default(''),
    priorityCode: z.string().trim().min(1, 'Choose a priority').max(20),
    jobTypeId: z.uuid().optional(),
    /** The property on file (or else newProperty). */
    propertyId: z.uuid().optional(),
    /** A property not yet on file, added with the job (instead of propertyId), by the properties form's rules. */
    newProperty: propertyAddress.optional(),
    tenantId: z.uuid().optional(),
    /** A tenant not yet on file, created at the property with the job (instead of tenantId). */
    newTenant: z
      .object({
        name: z.string().trim().min(2, "Enter the tenant's name").max(120),
        email: optionalEmail,
        phone: optionalPhone,
      })
      .refine((t) => t.email || t.phone, {
        path: ['phone'],
        message: 'Give a phone number or an email so the contractor can arrange access',
      })
      .optional(),
    branchId: z.uuid().optional(),
  })
  .refine((i) => !(i.tenantId && i.newTenant), {
    path: ['newTenant'],
    message: 'Choose an existing tenant or add a new one, not both',
  })
  .refine((i) => i.propertyId || i.newProperty, { path: ['propertyId'], message: 'Choose the property' })
  .refine((i) => !(i.propertyId && i.newProperty), {
    path: ['newProperty'],
    message: 'Choose a property on file or add a new one, not both',
  })
  // Tenants on file live at properties on file: a property added now has none yet.
  .refine((i) => !(i.newProperty && i.tenantId), {
    path: ['tenantId'],
    message: 'A property added with the job has no tenants on file yet: add its tenant as a new one',
  });

const listInput = z.object({
  status: z.array(z.enum(JOB_STATUSES)).max(JOB_STATUSES.length).optional(),
  priority: z.array(z.string().max(20)).max(10).optional(),
  branchId: z.uuid().optional(),
  contractorId: z.uuid().optional(),
  sla: z.enum(['atRisk', 'breached']).optional(),
  view: z.enum(['all', 'needsAction', 'recalls']).default('all'),
  q: z.string().trim().max(100).optional(),
  limit: z.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});

async function toEngineCommand(
  db: Database,
  job: typeof jobs.$inferSelect,
  input: CommandInput,
  actor: JobCommand['actor'],
  now: Date,
): Promise<JobCommand> {
  switch (input.type) {
    case 'OFFER': {
      const { acknowledgeMissingCertification, ...command } = input;
      const [contractor] = await db
        .select()
        .from(contractors)
        .where(
          and(
            eq(contractors.id, input.contractorId),
            eq(contractors.agencyId, job.agencyId),
            eq(contractors.active, true),
          ),
        );
      if (!contractor) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Unknown contractor' });
      const missing = job.jobTypeId ? await missingCertifications(db, contractor.id, job.jobTypeId, ukDay(now)) : [];
      if (missing.length > 0 && !acknowledgeMissingCertification) {
        throw new TRPCError({
          code: 'PRECONDITION_FAILED',
          message: `${contractor.name} has no valid ${missing.join(', ')} certification for this job type. Confirm to assign anyway.`,
        });
      }
      return { ...command, actor };
    }
    case 'CHANGE_PRIORITY': {
      const priority = await priorityPolicy(db, job.agencyId, input.priorityCode);
      if (!priority) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Unknown priority' });
      return { type: 'CHANGE_PRIORITY', priority, actor };
    }
    case 'ADD_NOTE':
    case 'COMPLETE': {
      if (!(await mayCite(db, job.id, actor, input.attachmentIds ?? [])))
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'Attachments must be uploaded to this job first' });
      return { ...input, actor };
    }
    default:
      return { ...input, actor };
  }
}

/** What the jobs list and job header flag of a job's client money: nothing once settled (or not invoiced). */
const markerOf = (m: ClientMoney | undefined) =>
  m && m.state !== 'settled' ? { state: m.state, outstandingPence: m.outstandingPence } : null;

export const jobsRouter = router({
  create: staffProcedure.input(createInput).mutation(async ({ ctx, input }) => {
    const scoped = <T extends { agencyId: string }>(rows: T[], what: string) => {
      const [row] = rows;
      if (!row) throw new TRPCError({ code: 'BAD_REQUEST', message: `Unknown ${what}` });
      return row;
    };
    const onFile = input.propertyId
      ? scoped(await inAgency(ctx.db, properties, ctx.agencyId, input.propertyId), 'property')
      : null;
    if (input.newProperty?.branchId)
      scoped(await inAgency(ctx.db, branches, ctx.agencyId, input.newProperty.branchId), 'branch');
    if (input.jobTypeId) scoped(await inAgency(ctx.db, jobTypes, ctx.agencyId, input.jobTypeId), 'job type');
    if (input.tenantId) scoped(await inAgency(ctx.db, tenants, ctx.agencyId, input.tenantId), 'tenant');
    if (input.branchId) scoped(await inAgency(ctx.db, branches, ctx.agencyId, input.branchId), 'branch');
    scoped(
      await ctx.db
        .select()
        .from(priorities)
        .where(and(eq(priorities.agencyId, ctx.agencyId), eq(priorities.code, input.priorityCode))),
      'priority',
    );
    const { newTenant, newProperty, ...fields } = input;
    const located = newProperty ? await locateProperty(ctx, newProperty) : {};
    // Everything else is validated first, so a refused job leaves no stray property or tenant behind. A new
    // property is added (and audited) as the properties form adds one; with a new tenant, both or neither.
    const { property, tenantId } = await ctx.db.transaction(async (tx) => {
      const property = onFile ?? (newProperty && (await saveProperty(tx, ctx.user, { ...newProperty, ...located })));
      if (!property) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Choose the property' });
      if (!newTenant) return { property, tenantId: input.tenantId };
      const row = one(
        await tx
          .insert(tenants)
          .values({ ...newTenant, agencyId: ctx.agencyId, propertyId: property.id })
          .returning({ id: tenants.id }),
        'tenant',
      );
      await tx.insert(auditLog).values({
        agencyId: ctx.agencyId,
        actorId: ctx.user.userId,
        actorRole: 'staff',
        action: 'tenant.create',
        detail: { id: row.id, from: 'jobs.create' },
      });
      return { property, tenantId: row.id };
    });
    const created = await createJob(
      ctx.db,
      ctx.engine,
      {
        ...fields,
        propertyId: property.id,
        tenantId,
        descriptionHtml: sanitizeDescription(input.descriptionHtml),
        branchId: input.branchId ?? property.branchId,
        agencyId: ctx.agencyId,
        createdBy: ctx.user.userId,
      },
      ctx.now(),
    );
    if (tenantId) {
      // The tenant hears the reference to quote; keyed by job so a retry never sends twice.
      const [tenant] = await ctx.db
        .select({ name: tenants.name, email: tenants.email })
        .from(tenants)
        .where(eq(tenants.id, tenantId));
      if (tenant?.email) {
        await queueEmail(ctx.db, {
          key: `${created.id}:created:tenant`,
          jobId: created.id,
          to: tenant.email,
          subject: `Repair logged: ${created.reference} ${input.title}`,
          body: `Hello ${tenant.name},\n\nWe have logged your repair "${input.title}" at ${property.line1}, ${property.postcode} as ${created.reference}. Quote this reference if you contact us; we will tell you when a contractor is booked.`,
        });
      }
    }
    return { id: created.id, reference: created.reference, status: created.view.status };
  }),

  /** The console's jobs list (contractors list theirs through portal.jobs). */
  list: staffProcedure.input(listInput).query(async ({ ctx, input }) => {
    const where: (SQL | undefined)[] = [eq(jobs.agencyId, ctx.agencyId)];
    if (input.status?.length) where.push(inArray(jobs.status, input.status));
    if (input.priority?.length) where.push(inArray(jobs.priorityCode, input.priority));
    if (input.branchId) where.push(eq(jobs.branchId, input.branchId));
    // The list names the contractor holding a job or else the one it is offered to: the filter finds both.
    if (input.contractorId)
      where.push(or(eq(jobs.contractorId, input.contractorId), eq(jobs.offeredToId, input.contractorId)));
    if (input.sla === 'breached') where.push(eq(jobs.slaBreached, true));
    if (input.sla === 'atRisk')
      where.push(
        and(
          inArray(jobs.status, [...SLA_RUNNING_STATUSES]),
          sql`${jobs.slaWarnedPercent} > 0 and not ${jobs.slaBreached}`,
        ),
      );
    if (input.view === 'needsAction') {
      where.push(
        sql`(${jobs.status} = 'completed' or (${inArray(jobs.status, [...OFFERABLE_STATUSES])} and ${jobs.offeredToId} is null and ${jobs.contractorId} is null)
             or (${inArray(jobs.status, [...SLA_RUNNING_STATUSES])} and ${jobs.slaBreached}))`,
      );
    }
    if (input.view === 'recalls') where.push(or(eq(jobs.status, 'recalled'), gt(jobs.recallCount, 0)));
    if (input.q) {
      // search_text is lower-cased and trigram-indexed (migration 0005): a LIKE on it stays fast at 100k jobs.
      const like = `%${input.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(sql`${jobs.searchText} like ${like}`);
    }
    // Keyset condition and ordering match the (agency, created, id) indexes: see keyset.ts.
    if (input.cursor) where.push(afterCursor(input.cursor));
    const rows = await ctx.db
      .select({
        ...listedJob,
        recallCount: jobs.recallCount,
        needsAttention: sql<boolean>`${jobs.projectionError} is not null`,
        contractorName: contractors.name,
      })
      .from(jobs)
      .leftJoin(properties, eq(properties.id, jobs.propertyId))
      // The contractor holding the job, or else the one it is offered to (the list says which).
      .leftJoin(contractors, eq(contractors.id, sql`coalesce(${jobs.contractorId}, ${jobs.offeredToId})`))
      .where(and(...where))
      .orderBy(...newestFirst)
      .limit(input.limit + 1);
    const { page, nextCursor } = pageOf(rows, input.limit);
    // Client money still open on a closed job (payments move a job on once every leg is settled): the marker.
    const money = await clientMoneyOf(
      ctx.db,
      ctx.agencyId,
      page.filter((j) => j.status === 'closed').map((j) => j.id),
    );
    const items = page.map((j) => ({ ...j, clientMoney: markerOf(money.get(j.id)) }));
    return { items, nextCursor };
  }),

  /** Whom the list can be filtered by: active contractors, and deactivated ones still holding or offered
   *  unfinished work (their jobs are on the list, so they must be in the filter too). */
  filterContractors: staffProcedure.query(({ ctx }) => {
    const unfinished = ctx.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(
        and(
          eq(jobs.agencyId, ctx.agencyId),
          inArray(jobs.status, [...OPEN_STATUSES]),
          or(eq(jobs.contractorId, contractors.id), eq(jobs.offeredToId, contractors.id)),
        ),
      );
    return ctx.db
      .select({ id: contractors.id, name: contractors.name, active: contractors.active })
      .from(contractors)
      .where(and(eq(contractors.agencyId, ctx.agencyId), or(eq(contractors.active, true), exists(unfinished))))
      .orderBy(asc(contractors.name));
  }),

  /** The job page. Staff only: it holds what the agency keeps to itself (finance, declines, tenant record);
   * contractors read their jobs through portal.job, which picks what they may see from the same detail. */
  get: staffProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => {
    const detail = await loadJobDetail({ ...ctx, contractorId: null }, input.id);
    const money = await clientMoneyOf(ctx.db, ctx.agencyId, [detail.job.id]);
    return { ...detail, clientMoney: markerOf(money.get(detail.job.id)) };
  }),

  send: memberProcedure.input(z.object({ id: z.uuid(), command: commandSchema })).mutation(async ({ ctx, input }) => {
    const job = await findJob(ctx.db, input.id, ctx);
    const actor = actorOf(ctx.user);
    const view = await ctx.engine.send(job.id, await toEngineCommand(ctx.db, job, input.command, actor, ctx.now()));
    return { status: view.status, version: view.version };
  }),
});
