// The staff's Reports inbox: tenants' confirmed repair reports from the public report page, with their photos,
// the suggested priority and the property and tenant on file. Staff turn one into a job (through jobs.create,
// so the machine starts it as any job; the photos become the job's attachments), merge it into an open job at
// the same property (a note with the photos, through jobs.send), or close it with a reason the tenant is
// emailed. A report leaves "new" once: the first of two staff to act on it wins, the other is told.
import { TRPCError } from '@trpc/server';
import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { one } from '#db/rows.ts';
import {
  auditLog,
  jobs,
  jobTypes,
  priorities,
  properties,
  repairReportFiles,
  repairReports,
  REPORT_STATUSES,
  tenants,
  type ReportStatus,
} from '#db/schema/index.ts';
import { queueEmail } from '#activities/mailer.ts';
import { CATEGORY_JOB_TYPE, CATEGORY_LABELS, FIRST_AID } from '#workflows/report-rules.ts';
import { OPEN_STATUSES, STATUS_LABELS } from '#workflows/model.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import { saveAttachment, takeBackUploads, uploaderOf } from '#lib/server/files/attachments.ts';
import { diskStore } from '#lib/server/files/storage.ts';
import { found } from '../found.ts';
import { createCallerFactory, router, staffProcedure } from '../trpc.ts';
import { jobsRouter } from './jobs.ts';
import type { Context } from '../context.ts';

const jobsCaller = createCallerFactory(jobsRouter);
const fileStore = async () => diskStore((await useRuntime()).env.DATA_DIR);

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

type Report = typeof repairReports.$inferSelect;
type Staff = { userId: string; agencyId: string };

async function reportOf(ctx: { db: Context['db']; agencyId: string }, id: string): Promise<Report> {
  return found(
    await ctx.db
      .select()
      .from(repairReports)
      .where(and(eq(repairReports.id, id), eq(repairReports.agencyId, ctx.agencyId))),
    'Report',
  );
}

/** Takes the report out of "new" for this staff member, or says who was first. */
async function claim(
  ctx: { db: Context['db']; agencyId: string; user: Staff },
  id: string,
  to: ReportStatus,
  now: Date,
) {
  const [claimed] = await ctx.db
    .update(repairReports)
    .set({ status: to, handledBy: ctx.user.userId, handledAt: now })
    .where(and(eq(repairReports.id, id), eq(repairReports.agencyId, ctx.agencyId), eq(repairReports.status, 'new')))
    .returning();
  if (claimed) return claimed;
  const report = await reportOf(ctx, id);
  throw new TRPCError({
    code: 'CONFLICT',
    message:
      report.status === 'unconfirmed'
        ? 'This report is not confirmed by the tenant yet'
        : `This report has already been dealt with (${report.status})`,
  });
}

/** Puts a claimed report back in the inbox after the action behind the claim was refused. */
const release = (ctx: { db: Context['db'] }, id: string) =>
  ctx.db.update(repairReports).set({ status: 'new', handledBy: null, handledAt: null }).where(eq(repairReports.id, id));

/** The report's text as a job description (sanitised by jobs.create like any typed one). */
export function reportDescriptionHtml(r: Report): string {
  const lines = [
    `<p>${escapeHtml(r.description)}</p>`,
    `<p>Reported by ${escapeHtml(r.reporterName ?? 'the tenant')}${r.reporterPhone ? `, ${escapeHtml(r.reporterPhone)}` : ''}${r.reporterEmail ? `, ${escapeHtml(r.reporterEmail)}` : ''} (${CATEGORY_LABELS[r.category]}).</p>`,
  ];
  if (r.emergency && r.emergencyReason)
    lines.unshift(`<p><strong>Emergency: ${escapeHtml(r.emergencyReason)}</strong></p>`);
  return lines.join('');
}

const convertInput = z.object({
  id: z.uuid(),
  title: z.string().trim().min(3, 'Give the job a short title').max(200),
  descriptionHtml: z.string().max(20_000).default(''),
  priorityCode: z.string().trim().min(1, 'Choose a priority').max(20),
  jobTypeId: z
    .union([z.uuid(), z.literal('')])
    .optional()
    .transform((v) => v || undefined),
  /** For a report with a typed address: the property to add with the job (prefilled from what the tenant typed). */
  // Checked by jobs.create with the properties form's rules (properties.ts, propertyAddress).
  newProperty: z
    .object({ line1: z.string().max(120), town: z.string().max(60), postcode: z.string().max(10) })
    .optional(),
});

export const reportsRouter = router({
  /** The inbox: newest first, of one status (new by default), with what staff triage on. */
  list: staffProcedure
    .input(z.object({ status: z.enum(REPORT_STATUSES).default('new') }).default({ status: 'new' }))
    .query(async ({ ctx, input }) => {
      const photos = ctx.db
        .select({ n: count() })
        .from(repairReportFiles)
        .where(eq(repairReportFiles.reportId, repairReports.id));
      const items = await ctx.db
        .select({
          id: repairReports.id,
          category: repairReports.category,
          description: repairReports.description,
          emergency: repairReports.emergency,
          emergencyReason: repairReports.emergencyReason,
          suggestedPriority: repairReports.suggestedPriority,
          reporterName: repairReports.reporterName,
          addressLine1: repairReports.addressLine1,
          postcode: repairReports.postcode,
          propertyId: repairReports.propertyId,
          tenantId: repairReports.tenantId,
          status: repairReports.status,
          closedReason: repairReports.closedReason,
          jobId: repairReports.jobId,
          createdAt: repairReports.createdAt,
          photoCount: sql<number>`(${photos})::int`,
        })
        .from(repairReports)
        .where(and(eq(repairReports.agencyId, ctx.agencyId), eq(repairReports.status, input.status)))
        .orderBy(desc(repairReports.emergency), desc(repairReports.createdAt))
        .limit(200);
      return items;
    }),

  /** How many confirmed reports wait in the inbox (the nav's count). */
  newCount: staffProcedure.query(async ({ ctx }) => {
    const [row] = await ctx.db
      .select({ n: count() })
      .from(repairReports)
      .where(and(eq(repairReports.agencyId, ctx.agencyId), eq(repairReports.status, 'new')));
    return { count: row?.n ?? 0 };
  }),

  /** "I fixed it myself", counted per category, with the latest words on what helped. */
  selfFixed: staffProcedure.query(async ({ ctx }) => {
    const rows = await ctx.db
      .select({ category: repairReports.category, n: count() })
      .from(repairReports)
      .where(and(eq(repairReports.agencyId, ctx.agencyId), eq(repairReports.status, 'self-fixed')))
      .groupBy(repairReports.category)
      .orderBy(desc(count()));
    return rows.map((r) => ({ category: r.category, label: CATEGORY_LABELS[r.category], count: r.n }));
  }),

  /** One report with its photos, the records it matched, open jobs at its property and the job form prefilled. */
  get: staffProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => {
    const report = await reportOf(ctx, input.id);
    const [files, property, tenant, openJobs, priorityRows, typeRows] = await Promise.all([
      ctx.db
        .select()
        .from(repairReportFiles)
        .where(eq(repairReportFiles.reportId, report.id))
        .orderBy(asc(repairReportFiles.createdAt)),
      report.propertyId
        ? ctx.db
            .select()
            .from(properties)
            .where(eq(properties.id, report.propertyId))
            .then((r) => r[0] ?? null)
        : null,
      report.tenantId
        ? ctx.db
            .select({ id: tenants.id, name: tenants.name, email: tenants.email, phone: tenants.phone })
            .from(tenants)
            .where(eq(tenants.id, report.tenantId))
            .then((r) => r[0] ?? null)
        : null,
      report.propertyId
        ? ctx.db
            .select({ id: jobs.id, reference: jobs.reference, title: jobs.title, status: jobs.status })
            .from(jobs)
            .where(
              and(
                eq(jobs.agencyId, ctx.agencyId),
                eq(jobs.propertyId, report.propertyId),
                inArray(jobs.status, [...OPEN_STATUSES]),
              ),
            )
            .orderBy(desc(jobs.createdAt))
        : [],
      ctx.db
        .select({ code: priorities.code, name: priorities.name })
        .from(priorities)
        .where(eq(priorities.agencyId, ctx.agencyId))
        .orderBy(asc(priorities.sortOrder)),
      ctx.db
        .select({ id: jobTypes.id, code: jobTypes.code, name: jobTypes.name })
        .from(jobTypes)
        .where(eq(jobTypes.agencyId, ctx.agencyId))
        .orderBy(asc(jobTypes.name)),
    ]);
    const priorityCode =
      priorityRows.find((p) => p.code === report.suggestedPriority)?.code ??
      (report.emergency ? priorityRows[0]?.code : priorityRows.at(-1)?.code) ??
      '';
    const jobTypeId = typeRows.find((t) => t.code === CATEGORY_JOB_TYPE[report.category])?.id ?? '';
    const { codeHash: _hash, idempotencyKey: _key, ...shown } = report;
    return {
      report: { ...shown, categoryLabel: CATEGORY_LABELS[report.category], firstAid: FIRST_AID[report.category] },
      photos: files.map((f) => ({
        id: f.id,
        fileName: f.fileName,
        contentType: f.contentType,
        url: `/reports/${report.id}/photos/${f.id}`,
      })),
      property,
      tenant,
      openJobs: openJobs.map((j) => ({ ...j, statusLabel: STATUS_LABELS[j.status] })),
      priorities: priorityRows,
      jobTypes: typeRows,
      prefill: {
        title: `${CATEGORY_LABELS[report.category]}: ${report.description.replace(/\s+/g, ' ').slice(0, 80)}`.slice(
          0,
          200,
        ),
        descriptionHtml: reportDescriptionHtml(report),
        priorityCode,
        jobTypeId,
        newProperty: report.propertyId
          ? null
          : { line1: report.addressLine1 ?? '', town: report.town ?? '', postcode: report.postcode ?? '' },
      },
    };
  }),

  /** Turns the report into a job, as staff create jobs (jobs.create): the machine starts it; photos are copied on. */
  convert: staffProcedure.input(convertInput).mutation(async ({ ctx, input }) => {
    const now = ctx.now();
    const report = await claim(ctx, input.id, 'converted', now);
    let created: { id: string; reference: string };
    try {
      if (!report.propertyId && !input.newProperty)
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'Give the address of the property to add with the job' });
      const tenant =
        report.tenantId || !report.reporterName
          ? {}
          : {
              newTenant: {
                name: report.reporterName,
                email: report.reporterEmail ?? '',
                phone: report.reporterPhone ?? '',
              },
            };
      created = await jobsCaller(ctx).create({
        title: input.title,
        descriptionHtml: input.descriptionHtml,
        priorityCode: input.priorityCode,
        jobTypeId: input.jobTypeId,
        ...(report.propertyId ? { propertyId: report.propertyId } : { newProperty: input.newProperty }),
        ...(report.tenantId ? { tenantId: report.tenantId } : tenant),
      });
    } catch (e) {
      await release(ctx, report.id);
      throw e;
    }
    const [job] = await ctx.db
      .select({ tenantId: jobs.tenantId, propertyId: jobs.propertyId })
      .from(jobs)
      .where(eq(jobs.id, created.id));
    await ctx.db.transaction(async (tx) => {
      await tx
        .update(repairReports)
        .set({
          jobId: created.id,
          tenantId: job?.tenantId ?? report.tenantId,
          propertyId: job?.propertyId ?? report.propertyId,
        })
        .where(eq(repairReports.id, report.id));
      await tx.insert(auditLog).values({
        agencyId: ctx.agencyId,
        jobId: created.id,
        actorId: ctx.user.userId,
        actorRole: 'staff',
        action: 'report.convert',
        detail: { reportId: report.id, reference: created.reference },
        at: now,
      });
    });
    // The job stands and the report points at it whatever happens to the copies; a copy that fails is said.
    const photos = await copyPhotos(ctx, report.id, created.id);
    return { jobId: created.id, reference: created.reference, photos: photos.length };
  }),

  /** Adds the report to an open job at the same property: a note with the photos, through the job's note path. */
  merge: staffProcedure.input(z.object({ id: z.uuid(), jobId: z.uuid() })).mutation(async ({ ctx, input }) => {
    const report = await reportOf(ctx, input.id);
    const job = found(
      await ctx.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.id, input.jobId), eq(jobs.agencyId, ctx.agencyId))),
      'Job',
    );
    if (!report.propertyId || job.propertyId !== report.propertyId)
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'Merge a report only into a job at the same property' });
    if (!OPEN_STATUSES.includes(job.status))
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: `${job.reference} is ${STATUS_LABELS[job.status]}: choose an open job`,
      });
    const now = ctx.now();
    await claim(ctx, report.id, 'merged', now);
    let photos: { id: string }[] = [];
    try {
      photos = await copyPhotos(ctx, report.id, job.id);
      const text =
        `Tenant report (${CATEGORY_LABELS[report.category]}) from ${report.reporterName ?? 'the tenant'}` +
        `${report.emergency && report.emergencyReason ? `. Emergency: ${report.emergencyReason}` : ''}:\n${report.description}`;
      await jobsCaller(ctx).send({
        id: job.id,
        command: { type: 'ADD_NOTE', text: text.slice(0, 5000), attachmentIds: photos.map((p) => p.id) },
      });
    } catch (e) {
      await takeBackUploads(
        ctx.db,
        await fileStore(),
        photos.map((p) => p.id),
        uploaderOf(ctx.user),
      );
      await release(ctx, report.id);
      throw e;
    }
    await ctx.db.transaction(async (tx) => {
      await tx.update(repairReports).set({ jobId: job.id }).where(eq(repairReports.id, report.id));
      await tx.insert(auditLog).values({
        agencyId: ctx.agencyId,
        jobId: job.id,
        actorId: ctx.user.userId,
        actorRole: 'staff',
        action: 'report.merge',
        detail: { reportId: report.id, reference: job.reference, photos: photos.length },
        at: now,
      });
    });
    return { jobId: job.id, reference: job.reference };
  }),

  /** Answers and closes the report without a job; the tenant is emailed the reason. */
  close: staffProcedure
    .input(
      z.object({
        id: z.uuid(),
        reason: z
          .string()
          .trim()
          .min(5, 'Tell the tenant why in a sentence (they read it)')
          .max(2000, 'Keep the reason to 2000 characters'),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const now = ctx.now();
      const report = await claim(ctx, input.id, 'closed', now);
      await ctx.db.transaction(async (tx) => {
        await tx.update(repairReports).set({ closedReason: input.reason }).where(eq(repairReports.id, report.id));
        await tx.insert(auditLog).values({
          agencyId: ctx.agencyId,
          actorId: ctx.user.userId,
          actorRole: 'staff',
          action: 'report.close',
          detail: { reportId: report.id, reason: input.reason },
          at: now,
        });
      });
      if (report.reporterEmail) {
        await queueEmail(ctx.db, {
          key: `report-closed:${report.id}`,
          to: report.reporterEmail,
          subject: `Your repair report: ${CATEGORY_LABELS[report.category]}`,
          body:
            `Hello ${report.reporterName ?? ''},\n\nThank you for your report about ${report.addressLine1 ?? 'your home'}` +
            ` (${CATEGORY_LABELS[report.category]}). We have closed it without booking a repair:\n\n${input.reason}\n\n` +
            `If the problem continues, report it again or contact us.`,
        });
      }
      return { ok: true as const };
    }),
});

/** Copies a report's photos onto the job as its attachments, through the job-attachment check and store. */
async function copyPhotos(
  ctx: { db: Context['db']; agencyId: string; user: Parameters<typeof uploaderOf>[0] },
  reportId: string,
  jobId: string,
) {
  const files = await ctx.db
    .select()
    .from(repairReportFiles)
    .where(eq(repairReportFiles.reportId, reportId))
    .orderBy(asc(repairReportFiles.createdAt));
  if (files.length === 0) return [];
  const store = await fileStore();
  const saved: { id: string }[] = [];
  try {
    for (const f of files) {
      const bytes = await store.get(f.storageKey);
      const row = await saveAttachment(ctx.db, store, {
        agencyId: ctx.agencyId,
        jobId,
        uploadedBy: uploaderOf(ctx.user),
        file: new File([new Uint8Array(bytes)], f.fileName, { type: f.contentType }),
        kind: 'photo',
      });
      saved.push(one([row]));
    }
  } catch (e) {
    await takeBackUploads(
      ctx.db,
      store,
      saved.map((s) => s.id),
      uploaderOf(ctx.user),
    );
    throw e;
  }
  return saved;
}
