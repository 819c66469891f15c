// Payment runs: paying a contractor's approved invoices in one go, through the engine, with a remittance
// advice to show for it. The finance router validates the form and calls createPaymentRun.
import { TRPCError } from '@trpc/server';
import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { one } from '#db/rows.ts';
import { agencyInvoices, contractorInvoices, contractors, jobs, paymentRuns, payments } from '#db/schema/index.ts';
import type { JobEngine } from '#worker/engines/port.ts';
import type { Actor } from '#workflows/model.ts';
import { formatPence } from '#workflows/money.ts';
import { SUPERSEDED } from './ledger.ts';
import { audit, notBeforeJob, notInFuture } from './rules.ts';

export interface PaymentRunInput {
  contractorId: string;
  invoiceIds: string[];
  reference: string;
  paidOn: string;
  /** The idempotency key: the same key completes the same run. */
  key: string;
}

/** Who runs it, where, and when (`now` judges "not in the future"). */
export interface PaymentRunBy {
  db: Database;
  engine: JobEngine;
  agencyId: string;
  actor: Actor;
  now: Date;
}

/**
 * Runs `fn` while holding a PostgreSQL advisory lock named `name`, on a connection of its own: callers with
 * the same name take turns, in this process or any other on the database. The lock goes with the connection,
 * so a process that dies mid-way releases it.
 */
async function oneAtATime<T>(db: Database, name: string, fn: () => Promise<T>): Promise<T> {
  const conn = await db.$client.reserve();
  try {
    await conn`select pg_advisory_lock(hashtextextended(${name}, 0))`;
    try {
      return await fn();
    } finally {
      await conn`select pg_advisory_unlock(hashtextextended(${name}, 0))`;
    }
  } finally {
    conn.release();
  }
}

/**
 * Pays a contractor's approved invoices in one run: one contractor-leg payment per job, each through
 * the engine with the key `run:<run id>`, so resubmitting the same run (same `key`) completes it
 * without paying anything twice. Runs for one contractor are serialised (see `oneAtATime`): each reads
 * what is still owed only once the run before it has recorded its payments, so two staff (or two tabs)
 * paying the same invoice at once pay it once. A run pays what the agency invoice expects the
 * contractor to get, less what is already paid, and every invoice it has yet to pay is checked on every
 * submission, a resubmitted one included.
 */
export async function createPaymentRun(
  { db, engine, agencyId, actor, now }: PaymentRunBy,
  input: PaymentRunInput,
): Promise<{ runId: string; reference: string }> {
  notInFuture(input.paidOn, now, 'A payment run');
  const [payee] = await db
    .select()
    .from(contractors)
    .where(and(eq(contractors.id, input.contractorId), eq(contractors.agencyId, agencyId)));
  if (!payee) throw new TRPCError({ code: 'NOT_FOUND', message: 'Contractor not found' });
  const ids = [...new Set(input.invoiceIds)];
  return oneAtATime(db, `payment-run:${agencyId}:${payee.id}`, async () => {
    const chosen = await db
      .select({
        invoice: contractorInvoices,
        jobStatus: jobs.status,
        jobAssignment: jobs.assignment,
        job: { createdAt: jobs.createdAt, reference: jobs.reference },
        raised: agencyInvoices,
      })
      .from(contractorInvoices)
      .innerJoin(jobs, eq(jobs.id, contractorInvoices.jobId))
      .leftJoin(
        agencyInvoices,
        and(eq(agencyInvoices.jobId, contractorInvoices.jobId), isNull(agencyInvoices.creditedAt)),
      )
      .where(
        and(
          eq(contractorInvoices.agencyId, agencyId),
          eq(contractorInvoices.contractorId, payee.id),
          inArray(contractorInvoices.id, ids),
        ),
      );
    if (chosen.length !== ids.length)
      throw new TRPCError({ code: 'BAD_REQUEST', message: `Choose invoices of ${payee.name} only` });
    for (const c of chosen) notBeforeJob(input.paidOn, c.job, 'A payment run');

    let [run] = await db
      .select()
      .from(paymentRuns)
      .where(and(eq(paymentRuns.agencyId, agencyId), eq(paymentRuns.key, input.key)));
    if (run && run.contractorId !== payee.id)
      throw new TRPCError({ code: 'CONFLICT', message: 'That payment run was for another contractor' });
    const paymentKey = (runId: string) => `run:${runId}`;
    const jobIds = chosen.map((c) => c.invoice.jobId);
    const ledger = await db
      .select()
      .from(payments)
      .where(and(inArray(payments.jobId, jobIds), eq(payments.leg, 'contractor')));
    // A retried run (same key) skips the jobs it already paid.
    const runKey = run ? paymentKey(run.id) : null;
    const inThisRun = (jobId: string) => runKey !== null && ledger.some((l) => l.jobId === jobId && l.key === runKey);
    const paidFor = (jobId: string) =>
      ledger.filter((p) => p.jobId === jobId).reduce((sum, p) => sum + p.amountPence, 0);
    const plan = chosen
      .filter((c) => !inThisRun(c.invoice.jobId))
      .map((c) => {
        const { invoice, raised, jobStatus, jobAssignment } = c;
        const number = invoice.number;
        if (invoice.status !== 'approved')
          throw new TRPCError({ code: 'BAD_REQUEST', message: `Invoice ${number} is not approved` });
        if (invoice.assignment !== jobAssignment)
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: `Invoice ${number} cannot be paid in a run. ${SUPERSEDED}`,
          });
        if (!raised)
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: `Raise the agency invoice for invoice ${number}'s job first`,
          });
        if (jobStatus !== 'closed')
          throw new TRPCError({ code: 'BAD_REQUEST', message: `Invoice ${number}'s job is not closed` });
        // The leg settles at what the agency invoice expects; paying the contractor's own figure when the two
        // differ would leave the leg over- or under-paid for good.
        if (raised.contractorTotalPence !== invoice.totalPence) {
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: `Invoice ${number} is for ${formatPence(invoice.totalPence)} but the agency invoice expects ${formatPence(raised.contractorTotalPence)} for the contractor: re-raise the agency invoice or query the contractor's invoice`,
          });
        }
        const amountPence = raised.contractorTotalPence - paidFor(invoice.jobId);
        if (amountPence <= 0)
          throw new TRPCError({ code: 'BAD_REQUEST', message: `Invoice ${number} is already paid` });
        return { jobId: invoice.jobId, amountPence };
      });
    if (!run) {
      const [reused] = await db
        .select({ id: paymentRuns.id })
        .from(paymentRuns)
        .where(
          and(
            eq(paymentRuns.agencyId, agencyId),
            eq(paymentRuns.reference, input.reference),
            ne(paymentRuns.key, input.key),
          ),
        );
      if (reused)
        throw new TRPCError({
          code: 'CONFLICT',
          message: `Reference ${input.reference} is already used by another payment run`,
        });
      const totalPence = plan.reduce((sum, p) => sum + p.amountPence, 0);
      const [inserted] = await db
        .insert(paymentRuns)
        .values({
          agencyId: agencyId,
          contractorId: payee.id,
          reference: input.reference,
          paidOn: input.paidOn,
          totalPence,
          key: input.key,
          createdBy: actor.id,
        })
        .onConflictDoNothing()
        .returning();
      // Not inserted: the reference was taken by another contractor's run meanwhile (runs of this contractor wait their turn).
      if (!inserted)
        throw new TRPCError({
          code: 'CONFLICT',
          message: `Reference ${input.reference} is already used by another payment run`,
        });
      run = inserted;
      await audit(db, {
        agencyId: agencyId,
        jobId: null,
        actor,
        action: 'finance.payment_run',
        detail: { runId: run.id, reference: run.reference, contractorId: payee.id, totalPence, jobs: jobIds },
      });
    }
    for (const p of plan) {
      await engine.send(p.jobId, {
        type: 'RECORD_PAYMENT',
        key: paymentKey(run.id),
        leg: 'contractor',
        amountPence: p.amountPence,
        reference: run.reference,
        paidOn: run.paidOn,
        runId: run.id,
        actor,
      });
    }
    // The run's total is what it paid, however many submissions that took.
    const paid = one(
      await db
        .select({ total: sql<number>`coalesce(sum(${payments.amountPence}), 0)::int` })
        .from(payments)
        .where(eq(payments.paymentRunId, run.id)),
    );
    if (paid.total !== run.totalPence)
      await db.update(paymentRuns).set({ totalPence: paid.total }).where(eq(paymentRuns.id, run.id));
    return { runId: run.id, reference: run.reference };
  });
}
