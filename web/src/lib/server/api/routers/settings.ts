// Agency settings (admins): VAT rate, portal on/off, chasing windows, branches, job types and priorities.
// Every change is validated here and written to the audit log with what it was and what it became.
import { TRPCError } from '@trpc/server';
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { agencies, branches, jobs, jobTypes, priorities, properties, users } from '#db/schema/index.ts';
import { normaliseVatNumber } from '#workflows/vat.ts';
import { found } from '../found.ts';
import { adminProcedure, router, staffProcedure } from '../trpc.ts';
import { optionalEmail, optionalPhone, optionalText } from '../text-input.ts';
import { gettingStarted } from '../getting-started.ts';
import { audit, auditedRows, changes, conflictOnDuplicate, type Tx } from '../audited-save.ts';

/** "1 job", "2 jobs": refusals count what is in the way. */
const counted = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const branchRows = auditedRows(branches, 'Branch', {
  create: 'settings.branch.create',
  update: 'settings.branch.update',
  remove: 'settings.branch.delete',
});
const jobTypeRows = auditedRows(jobTypes, 'Job type', {
  create: 'settings.jobType.create',
  update: 'settings.jobType.update',
  remove: 'settings.jobType.delete',
});
const priorityRows = auditedRows(priorities, 'Priority', {
  create: 'settings.priority.create',
  update: 'settings.priority.update',
  remove: 'settings.priority.delete',
});

/** How many of the agency's jobs were raised with a priority code (they keep it, so it cannot go or change). */
async function jobsWithPriority(tx: Tx, agencyId: string, code: string): Promise<number> {
  const [used = { n: 0 }] = await tx
    .select({ n: count() })
    .from(jobs)
    .where(and(eq(jobs.agencyId, agencyId), eq(jobs.priorityCode, code)));
  return used.n;
}

const hours = (max: number) =>
  z.number().int('Whole hours only').min(1, 'At least 1 hour').max(max, `At most ${max} hours`);

export const agencySettingsInput = z
  .object({
    name: z.string().trim().min(2, 'Give the agency a name').max(120),
    // Contractors see the office phone and email on their Contacts page, the phone as a tel: link.
    phone: optionalPhone,
    email: optionalEmail,
    /** The supplier's address on invoices: optional here, until the agency issues its first VAT invoice. */
    address: optionalText(300),
    /** Blank for an agency not registered for VAT; otherwise a UK VAT number that passes HMRC's check. */
    vatNumber: z
      .string()
      .trim()
      .max(30)
      .optional()
      .transform((v, ctx) => {
        if (!v) return null;
        const normalised = normaliseVatNumber(v);
        if (!normalised)
          ctx.addIssue({
            code: 'custom',
            message: 'Enter a UK VAT registration number, e.g. GB 123 4567 82, or leave it blank if not registered',
          });
        return normalised;
      }),
    /** The display name on the agency's emails (a From header): blank means the agency's name. */
    emailSenderName: optionalText(80).refine(
      // eslint-disable-next-line no-control-regex -- control characters are what this refuses
      (v) => v === null || !/[\u0000-\u001F\u007F<>"]/.test(v),
      'The sender name cannot contain line breaks, control characters or the characters < > "',
    ),
    /** Basis points: 2000 = 20 %. */
    vatRateBp: z
      .number()
      .int('VAT to two decimal places at most')
      .min(0, 'VAT cannot be negative')
      .max(10_000, 'VAT cannot exceed 100%'),
    portalEnabled: z.boolean(),
    shareTenantContact: z.boolean(),
    offerReminderHours: hours(720),
    offerEscalationHours: hours(720),
    invoiceReminderHours: hours(2160),
    invoiceReminderRepeatHours: hours(2160),
    invoiceReminderLimit: z
      .number()
      .int('A whole number of reminders')
      .min(1, 'At least 1 reminder')
      .max(20, 'At most 20 reminders'),
  })
  .refine((s) => s.offerEscalationHours > s.offerReminderHours, {
    path: ['offerEscalationHours'],
    message: 'Escalate after the reminder: the escalation must come later than the reminder',
    // Checked whenever both windows are valid, even with other fields wrong, so a form shows every mistake at once.
    when: ({ issues }) =>
      !issues.some((i) => i.path?.[0] === 'offerReminderHours' || i.path?.[0] === 'offerEscalationHours'),
  });

const branchInput = z.object({
  id: z.uuid().optional(),
  name: z.string().trim().min(2, 'Give the branch a name').max(80),
  phone: optionalPhone,
  email: optionalEmail,
  address: optionalText(200),
});

const code = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9_-]{1,20}$/, 'Codes are 1–20 letters, digits, - or _');

const jobTypeInput = z.object({
  id: z.uuid().optional(),
  code,
  name: z.string().trim().min(2, 'Give the job type a name').max(80),
  trade: z.string().trim().toLowerCase().min(2, 'Name the trade, e.g. plumbing').max(40),
  requiredCertifications: z.array(z.string().trim().min(2).max(60)).max(10).default([]),
});

const priorityInput = z.object({
  id: z.uuid().optional(),
  code,
  name: z.string().trim().min(2, 'Give the priority a name').max(40),
  targetHours: z.number().int('Whole hours only').min(1, 'At least 1 hour').max(8760, 'At most a year (8760 hours)'),
  warnAtPercent: z
    .array(z.number().int().min(1, 'Warnings between 1% and 99%').max(99, 'Warnings between 1% and 99%'))
    .max(5, 'At most 5 warnings')
    .refine(
      (xs) => xs.every((x, i) => i === 0 || x > (xs[i - 1] ?? 0)),
      'List warning percentages in ascending order, each once',
    ),
  sortOrder: z.number().int().min(0).max(1000).default(0),
});

/** What contractors see about a member of staff on their Contacts page. */
const memberInput = z.object({
  userId: z.uuid(),
  jobTitle: optionalText(80),
  phone: optionalPhone,
});

export const settingsRouter = router({
  /** Everything the Settings page shows. Staff may read it (forms need branches etc.); only admins change it. */
  get: staffProcedure.query(async ({ ctx }) => {
    const [[agency], b, t, p] = await Promise.all([
      ctx.db.select().from(agencies).where(eq(agencies.id, ctx.agencyId)),
      ctx.db.select().from(branches).where(eq(branches.agencyId, ctx.agencyId)).orderBy(asc(branches.name)),
      ctx.db.select().from(jobTypes).where(eq(jobTypes.agencyId, ctx.agencyId)).orderBy(asc(jobTypes.name)),
      ctx.db
        .select()
        .from(priorities)
        .where(eq(priorities.agencyId, ctx.agencyId))
        .orderBy(asc(priorities.sortOrder), asc(priorities.code)),
    ]);
    return { agency, branches: b, jobTypes: t, priorities: p };
  }),

  /** The "Getting started" card: what a new agency's admin still has to set, worked out from the agency's data. */
  gettingStarted: adminProcedure.query(async ({ ctx }) => {
    const [agency, [b = { n: 0 }], [t = { n: 0 }], [p = { n: 0 }]] = await Promise.all([
      ctx.db
        .select()
        .from(agencies)
        .where(eq(agencies.id, ctx.agencyId))
        .then((rows) => found(rows, 'Agency')),
      ctx.db.select({ n: count() }).from(branches).where(eq(branches.agencyId, ctx.agencyId)),
      ctx.db.select({ n: count() }).from(jobTypes).where(eq(jobTypes.agencyId, ctx.agencyId)),
      ctx.db.select({ n: count() }).from(priorities).where(eq(priorities.agencyId, ctx.agencyId)),
    ]);
    return gettingStarted(agency, { branches: b.n, jobTypes: t.n, priorities: p.n });
  }),

  updateAgency: adminProcedure.input(agencySettingsInput).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const before = found(
        await tx.select().from(agencies).where(eq(agencies.id, ctx.agencyId)).for('update'),
        'Agency',
      );
      const diff = changes(before, input);
      if (Object.keys(diff).length === 0) return { changed: [] as string[] };
      await tx.update(agencies).set(input).where(eq(agencies.id, ctx.agencyId));
      await audit(tx, ctx.user, 'settings.agency.update', { changes: diff });
      return { changed: Object.keys(diff) };
    }),
  ),

  saveBranch: adminProcedure.input(branchInput).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      return branchRows.save(tx, ctx.user, { agencyId: ctx.agencyId }, input);
    }),
  ),

  deleteBranch: adminProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      await branchRows.remove(tx, ctx.user, { agencyId: ctx.agencyId }, input.id, async (before) => {
        const [[p = { n: 0 }], [j = { n: 0 }]] = await Promise.all([
          tx.select({ n: count() }).from(properties).where(eq(properties.branchId, input.id)),
          tx.select({ n: count() }).from(jobs).where(eq(jobs.branchId, input.id)),
        ]);
        if (p.n + j.n > 0) {
          throw new TRPCError({
            code: 'CONFLICT',
            message: `${before.name} has ${counted(p.n, 'property', 'properties')} and ${counted(j.n, 'job')}; move them to another branch before removing it.`,
          });
        }
      });
      return { deleted: true };
    }),
  ),

  saveJobType: adminProcedure.input(jobTypeInput).mutation(({ ctx, input }) =>
    ctx.db
      .transaction(async (tx) => {
        const requiredCertifications = [...new Set(input.requiredCertifications)];
        return jobTypeRows.save(tx, ctx.user, { agencyId: ctx.agencyId }, { ...input, requiredCertifications });
      })
      .catch((e) => conflictOnDuplicate(e, `A job type with code ${input.code} already exists`)),
  ),

  savePriority: adminProcedure.input(priorityInput).mutation(({ ctx, input }) =>
    ctx.db
      .transaction(async (tx) => {
        return priorityRows.save(tx, ctx.user, { agencyId: ctx.agencyId }, input, async (before) => {
          if (before.code === input.code) return;
          // Jobs keep the code they were raised with; renaming it would orphan them.
          const used = await jobsWithPriority(tx, ctx.agencyId, before.code);
          if (used > 0)
            throw new TRPCError({
              code: 'CONFLICT',
              message: `${counted(used, 'job')} ${used === 1 ? 'uses' : 'use'} priority ${before.code}; its code cannot change (the name, target and warnings can).`,
            });
        });
      })
      .catch((e) => conflictOnDuplicate(e, `A priority with code ${input.code} already exists`)),
  ),

  /** Removes a job type no job uses; one in use stays (jobs keep their type), and the answer says why. */
  deleteJobType: adminProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      await jobTypeRows.remove(tx, ctx.user, { agencyId: ctx.agencyId }, input.id, async (before) => {
        const [used = { n: 0 }] = await tx.select({ n: count() }).from(jobs).where(eq(jobs.jobTypeId, input.id));
        if (used.n > 0)
          throw new TRPCError({
            code: 'CONFLICT',
            message: `${counted(used.n, 'job')} ${used.n === 1 ? 'is' : 'are'} ${before.name}; a job type in use cannot be removed (rename it instead).`,
          });
      });
      return { deleted: true };
    }),
  ),

  /** Removes a priority no job uses: jobs keep the code they were raised with, so one in use stays. */
  deletePriority: adminProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      await priorityRows.remove(tx, ctx.user, { agencyId: ctx.agencyId }, input.id, async (before) => {
        const used = await jobsWithPriority(tx, ctx.agencyId, before.code);
        if (used > 0)
          throw new TRPCError({
            code: 'CONFLICT',
            message: `${counted(used, 'job')} ${used === 1 ? 'uses' : 'use'} priority ${before.code}; a priority in use cannot be removed.`,
          });
      });
      return { deleted: true };
    }),
  ),

  /** A colleague's job title and direct line, shown to contractors on the portal's Contacts page. */
  saveMember: adminProcedure.input(memberInput).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const { userId, ...values } = input;
      const [before] = await tx
        .select({ jobTitle: users.jobTitle, phone: users.phone })
        .from(users)
        .where(and(eq(users.id, userId), eq(users.agencyId, ctx.agencyId), inArray(users.role, ['admin', 'staff'])));
      if (!before) throw new TRPCError({ code: 'NOT_FOUND', message: 'Team member not found' });
      await tx
        .update(users)
        .set({ ...values, updatedAt: ctx.now() })
        .where(eq(users.id, userId));
      await audit(tx, ctx.user, 'settings.member.update', { userId, changes: changes(before, values) });
      return { userId, ...values };
    }),
  ),
});
