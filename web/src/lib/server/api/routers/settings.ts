// Agency settings (admins): VAT rate, portal on/off, chasing windows, branches, job types and priorities.
// Every change is validated here and written to the audit log with what it was and what it became.
import { TRPCError } from '@trpc/server';
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '#db/client.ts';
import { agencies, auditLog, branches, jobs, jobTypes, priorities, properties, users } from '#db/schema/index.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { adminProcedure, router, staffProcedure } from '../trpc.ts';
import { optionalEmail, optionalPhone, optionalText } from '../text-input.ts';
import { found } from '../found.ts';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
type Staff = Extract<SessionUser, { kind: 'staff' }>;

/** One append-only audit row for a directory or settings change (no job). */
export async function audit(db: Database | Tx, user: Staff, action: string, detail: Record<string, unknown>) {
  await db
    .insert(auditLog)
    .values({ agencyId: user.agencyId, actorId: user.userId, actorRole: user.role, action, detail });
}

/** The fields that changed, as { field: [before, after] }, so the audit row says exactly what moved. */
export function changes<T extends Record<string, unknown>>(
  before: T | null,
  after: Partial<T>,
): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(after)) {
    const was = before ? before[k] : null;
    if (JSON.stringify(was) !== JSON.stringify(v)) out[k] = [was ?? null, v ?? null];
  }
  return out;
}

/** "1 job", "2 jobs": refusals count what is in the way. */
const counted = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const hours = (max: number) =>
  z.number().int('Whole hours only').min(1, 'At least 1 hour').max(max, `At most ${max} hours`);

export const agencySettingsInput = z
  .object({
    name: z.string().trim().min(2, 'Give the agency a name').max(120),
    // Contractors see the office phone and email on their Contacts page, the phone as a tel: link.
    phone: optionalPhone,
    email: optionalEmail,
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
      (xs) => xs.every((x, i) => i === 0 || x > xs[i - 1]),
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

function conflictOnDuplicate(e: unknown, message: string): never {
  // 23505: unique violation (agency + code).
  const pgCode = (e as { code?: string; cause?: { code?: string } })?.cause?.code ?? (e as { code?: string })?.code;
  if (pgCode === '23505') throw new TRPCError({ code: 'CONFLICT', message });
  throw e;
}

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

  updateAgency: adminProcedure.input(agencySettingsInput).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const [before] = await tx.select().from(agencies).where(eq(agencies.id, ctx.agencyId)).for('update');
      const diff = changes(before, input);
      if (Object.keys(diff).length === 0) return { changed: [] as string[] };
      await tx.update(agencies).set(input).where(eq(agencies.id, ctx.agencyId));
      await audit(tx, ctx.user, 'settings.agency.update', { changes: diff });
      return { changed: Object.keys(diff) };
    }),
  ),

  saveBranch: adminProcedure.input(branchInput).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const { id, ...values } = input;
      if (!id) {
        const [row] = await tx
          .insert(branches)
          .values({ ...values, agencyId: ctx.agencyId })
          .returning();
        await audit(tx, ctx.user, 'settings.branch.create', { id: row.id, values });
        return row;
      }
      const before = found(
        await tx
          .select()
          .from(branches)
          .where(and(eq(branches.id, id), eq(branches.agencyId, ctx.agencyId))),
        'Branch',
      );
      const [row] = await tx.update(branches).set(values).where(eq(branches.id, id)).returning();
      await audit(tx, ctx.user, 'settings.branch.update', { id, changes: changes(before, values) });
      return row;
    }),
  ),

  deleteBranch: adminProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const before = found(
        await tx
          .select()
          .from(branches)
          .where(and(eq(branches.id, input.id), eq(branches.agencyId, ctx.agencyId))),
        'Branch',
      );
      const [[p], [j]] = await Promise.all([
        tx.select({ n: count() }).from(properties).where(eq(properties.branchId, input.id)),
        tx.select({ n: count() }).from(jobs).where(eq(jobs.branchId, input.id)),
      ]);
      if (p.n + j.n > 0) {
        throw new TRPCError({
          code: 'CONFLICT',
          message: `${before.name} has ${counted(p.n, 'property', 'properties')} and ${counted(j.n, 'job')}; move them to another branch before removing it.`,
        });
      }
      await tx.delete(branches).where(eq(branches.id, input.id));
      await audit(tx, ctx.user, 'settings.branch.delete', { id: input.id, was: before });
      return { deleted: true };
    }),
  ),

  saveJobType: adminProcedure.input(jobTypeInput).mutation(({ ctx, input }) =>
    ctx.db
      .transaction(async (tx) => {
        const { id, ...values } = input;
        values.requiredCertifications = [...new Set(values.requiredCertifications)];
        if (!id) {
          const [row] = await tx
            .insert(jobTypes)
            .values({ ...values, agencyId: ctx.agencyId })
            .returning();
          await audit(tx, ctx.user, 'settings.jobType.create', { id: row.id, values });
          return row;
        }
        const before = found(
          await tx
            .select()
            .from(jobTypes)
            .where(and(eq(jobTypes.id, id), eq(jobTypes.agencyId, ctx.agencyId))),
          'Job type',
        );
        const [row] = await tx.update(jobTypes).set(values).where(eq(jobTypes.id, id)).returning();
        await audit(tx, ctx.user, 'settings.jobType.update', { id, changes: changes(before, values) });
        return row;
      })
      .catch((e) => conflictOnDuplicate(e, `A job type with code ${input.code} already exists`)),
  ),

  savePriority: adminProcedure.input(priorityInput).mutation(({ ctx, input }) =>
    ctx.db
      .transaction(async (tx) => {
        const { id, ...values } = input;
        if (!id) {
          const [row] = await tx
            .insert(priorities)
            .values({ ...values, agencyId: ctx.agencyId })
            .returning();
          await audit(tx, ctx.user, 'settings.priority.create', { id: row.id, values });
          return row;
        }
        const before = found(
          await tx
            .select()
            .from(priorities)
            .where(and(eq(priorities.id, id), eq(priorities.agencyId, ctx.agencyId))),
          'Priority',
        );
        if (before.code !== values.code) {
          // Jobs keep the code they were raised with; renaming it would orphan them.
          const [used] = await tx
            .select({ n: count() })
            .from(jobs)
            .where(and(eq(jobs.agencyId, ctx.agencyId), eq(jobs.priorityCode, before.code)));
          if (used.n > 0)
            throw new TRPCError({
              code: 'CONFLICT',
              message: `${counted(used.n, 'job')} ${used.n === 1 ? 'uses' : 'use'} priority ${before.code}; its code cannot change (the name, target and warnings can).`,
            });
        }
        const [row] = await tx.update(priorities).set(values).where(eq(priorities.id, id)).returning();
        await audit(tx, ctx.user, 'settings.priority.update', { id, changes: changes(before, values) });
        return row;
      })
      .catch((e) => conflictOnDuplicate(e, `A priority with code ${input.code} already exists`)),
  ),

  /** Removes a job type no job uses; one in use stays (jobs keep their type), and the answer says why. */
  deleteJobType: adminProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const before = found(
        await tx
          .select()
          .from(jobTypes)
          .where(and(eq(jobTypes.id, input.id), eq(jobTypes.agencyId, ctx.agencyId))),
        'Job type',
      );
      const [used] = await tx.select({ n: count() }).from(jobs).where(eq(jobs.jobTypeId, input.id));
      if (used.n > 0)
        throw new TRPCError({
          code: 'CONFLICT',
          message: `${counted(used.n, 'job')} ${used.n === 1 ? 'is' : 'are'} ${before.name}; a job type in use cannot be removed (rename it instead).`,
        });
      await tx.delete(jobTypes).where(eq(jobTypes.id, input.id));
      await audit(tx, ctx.user, 'settings.jobType.delete', { id: input.id, was: before });
      return { deleted: true };
    }),
  ),

  /** Removes a priority no job uses: jobs keep the code they were raised with, so one in use stays. */
  deletePriority: adminProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const before = found(
        await tx
          .select()
          .from(priorities)
          .where(and(eq(priorities.id, input.id), eq(priorities.agencyId, ctx.agencyId))),
        'Priority',
      );
      const [used] = await tx
        .select({ n: count() })
        .from(jobs)
        .where(and(eq(jobs.agencyId, ctx.agencyId), eq(jobs.priorityCode, before.code)));
      if (used.n > 0)
        throw new TRPCError({
          code: 'CONFLICT',
          message: `${counted(used.n, 'job')} ${used.n === 1 ? 'uses' : 'use'} priority ${before.code}; a priority in use cannot be removed.`,
        });
      await tx.delete(priorities).where(eq(priorities.id, input.id));
      await audit(tx, ctx.user, 'settings.priority.delete', { id: input.id, was: before });
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
