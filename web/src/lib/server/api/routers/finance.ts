// Financial close-out: contractor invoices (submitted and queried through the engine, approved here),
// the agency's invoice, payments into the ledger (through the engine, idempotent by key), payment runs
// with remittances, and the contractor's account and statements. Engine events are the only way
// invoices and payments enter the ledger (activities/finance/project.ts writes it in the same transaction).
import { TRPCError } from '@trpc/server';
import { and, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '#db/client.ts';
import {
  agencies,
  agencyInvoices,
  auditLog,
  contractorInvoices,
  contractors,
  jobs,
  paymentRuns,
  payments,
  properties,
} from '#db/schema/index.ts';
import { hasStatus, INVOICEABLE_STATUSES, PAYMENT_LEGS, type Actor } from '#workflows/model.ts';
import { formatPence } from '#workflows/money.ts';
import { formatUkDay, ukDay } from '#workflows/time.ts';
import { notify } from '#activities/notify.ts';
import { actorOf } from '#lib/server/auth/user.ts';
import { mayCite } from '#lib/server/files/attachments.ts';
import {
  SUPERSEDED,
  contractorAccount,
  contractorStatement,
  financeOverview,
  jobFinance,
  remittance,
  suggestedInvoiceNumber,
} from '#lib/server/finance/ledger.ts';
import { findJobInScope } from '../scope.ts';
import { contractorProcedure, isEngineError, router, staffProcedure } from '../trpc.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const pence = z.number().int().min(0).max(1_000_000_000);
const isoDate = z.iso.date();
const key = z.string().trim().min(8).max(100);

/** Writes one audit row for a finance change that is not an engine event (those are audited by the engine). */
function audit(
  db: Database,
  row: { agencyId: string; jobId: string | null; actor: Actor; action: string; detail: Record<string, unknown> },
) {
  return db.insert(auditLog).values({
    agencyId: row.agencyId,
    jobId: row.jobId,
    actorId: row.actor.id,
    actorRole: row.actor.role,
    action: row.action,
    detail: row.detail,
  });
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

/** Money that has left the bank has a date that has come: refuses dates after today (in the UK). */
function notInFuture(isoDay: string, now: Date, what: string): void {
  if (isoDay > ukDay(now))
    throw new TRPCError({ code: 'BAD_REQUEST', message: `${what} cannot be dated in the future` });
}

/** Nor is money paid, or work invoiced, before the job existed: refuses UK days before the day `job` was raised
 * (a mistyped year, 2062 for 2026 the other way round), naming the earliest day allowed. */
function notBeforeJob(isoDay: string, job: { createdAt: Date; reference: string }, what: string): void {
  const earliest = ukDay(job.createdAt);
  if (isoDay < earliest)
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `${what} cannot be dated before ${formatUkDay(earliest)}, the day job ${job.reference} was raised`,
    });
}

/** The agency's contractor invoice, and whether it is from an earlier assignment of its job (superseded). */
async function contractorInvoiceInAgency(db: Database, agencyId: string, id: string) {
  const [row] = await db
    .select({
      invoice: contractorInvoices,
      superseded: sql<boolean>`${contractorInvoices.assignment} <> ${jobs.assignment}`,
    })
    .from(contractorInvoices)
    .innerJoin(jobs, eq(jobs.id, contractorInvoices.jobId))
    .where(and(eq(contractorInvoices.id, id), eq(contractorInvoices.agencyId, agencyId)));
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'Invoice not found' });
  return { ...row.invoice, superseded: row.superseded };
}

const staffScope = (ctx: { agencyId: string }) => ({ agencyId: ctx.agencyId, contractorId: null });

const recordPaymentInput = z.object({
  jobId: z.uuid(),
  key,
  leg: z.enum(PAYMENT_LEGS),
  amountPence: pence.min(1, 'A payment must be more than nothing'),
  /** Money paid back out of the leg (e.g. returning an over-payment): recorded as a negative amount. */
  refund: z.boolean().default(false),
  reference: text(100),
  paidOn: isoDate,
});

/** A contractor's invoice for a job; the portal's invoice form checks what was typed against it before it
 * stores the document. */
export const submitInvoiceInput = z.object({
  jobId: z.uuid(),
  number: text(50),
  issuedOn: isoDate,
  netPence: pence,
  vatPence: pence,
  documentId: z.uuid(),
});

export const financeRouter = router({
  /** The job's Financial tab: agency invoice, contractor invoice, ledger and each leg's reconciliation. */
  job: staffProcedure.input(z.object({ jobId: z.uuid() })).query(async ({ ctx, input }) => {
    const job = await findJobInScope(ctx.db, input.jobId, staffScope(ctx));
    const finance = await jobFinance(ctx.db, job);
    return {
      job: { id: job.id, reference: job.reference, title: job.title, status: job.status },
      ...finance,
      suggestedNumber: finance.invoice?.number ?? suggestedInvoiceNumber(job.reference),
      canRaise: job.status === 'closed' && finance.payments.length === 0,
      canRecord: job.status === 'closed' && finance.invoice !== null,
    };
  }),

  /** Raises (or, before any payment, re-raises) the agency's invoice. VAT comes from the agency's rate. */
  raiseInvoice: staffProcedure
    .input(
      z.object({
        jobId: z.uuid(),
        number: text(50),
        agentNetPence: pence,
        contractorTotalPence: pence,
        commissionPence: pence.optional(),
        budgetPence: pence.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const job = await findJobInScope(ctx.db, input.jobId, staffScope(ctx));
      const { jobId: _jobId, ...fields } = input;
      const [taken] = await ctx.db
        .select({ jobId: agencyInvoices.jobId })
        .from(agencyInvoices)
        .where(
          and(
            eq(agencyInvoices.agencyId, ctx.agencyId),
            eq(agencyInvoices.number, input.number.trim()),
            ne(agencyInvoices.jobId, job.id),
          ),
        );
      if (taken)
        throw new TRPCError({
          code: 'CONFLICT',
          message: `Invoice number ${input.number.trim()} is already used on another job`,
        });
      const [agency] = await ctx.db
        .select({ vatRateBp: agencies.vatRateBp })
        .from(agencies)
        .where(eq(agencies.id, ctx.agencyId));
      const view = await ctx.engine.send(job.id, {
        type: 'RAISE_INVOICE',
        ...fields,
        vatRateBp: agency.vatRateBp,
        actor: actorOf(ctx.user),
      });
      return { status: view.status, invoice: view.context.invoice };
    }),

  /** Records one payment. A resubmitted key is a success that records nothing (the ledger already has it). */
  recordPayment: staffProcedure.input(recordPaymentInput).mutation(async ({ ctx, input }) => {
    notInFuture(input.paidOn, ctx.now(), 'A payment');
    const job = await findJobInScope(ctx.db, input.jobId, staffScope(ctx));
    notBeforeJob(input.paidOn, job, 'A payment');
    const recorded = async () =>
      (
        await ctx.db
          .select()
          .from(payments)
          .where(and(eq(payments.jobId, job.id), eq(payments.key, input.key)))
      )[0];
    const existing = await recorded();
    if (existing) return { status: job.status, payment: existing, duplicate: true };
    try {
      const { jobId: _jobId, refund, amountPence, ...fields } = input;
      const view = await ctx.engine.send(job.id, {
        type: 'RECORD_PAYMENT',
        ...fields,
        amountPence: refund ? -amountPence : amountPence,
        actor: actorOf(ctx.user),
      });
      return { status: view.status, payment: (await recorded()) ?? null, duplicate: false };
    } catch (e) {
      // Two submits raced: the other one recorded it, which is what the caller wanted.
      const raced = isEngineError(e, 'EventRejected') ? await recorded() : undefined;
      if (raced)
        return {
          status: (await findJobInScope(ctx.db, job.id, staffScope(ctx))).status,
          payment: raced,
          duplicate: true,
        };
      throw e;
    }
  }),

  /** Staff's finance desk. */
  overview: staffProcedure.query(({ ctx }) => financeOverview(ctx.db, ctx.agencyId)),

  /**
   * Approves the contractor's current invoice for payment: a finance record, not an engine event (the
   * job's lifecycle does not change). The contractor is emailed through the same outbox as the engine's
   * notifications, keyed by the invoice and the submission it approves, so a repeat sends nothing twice.
   */
  approveInvoice: staffProcedure.input(z.object({ invoiceId: z.uuid() })).mutation(async ({ ctx, input }) => {
    const inv = await contractorInvoiceInAgency(ctx.db, ctx.agencyId, input.invoiceId);
    if (inv.status === 'approved') return { status: inv.status };
    if (inv.status === 'queried')
      throw new TRPCError({
        code: 'CONFLICT',
        message: 'This invoice was queried: approve the corrected invoice once the contractor submits it',
      });
    // An earlier holder's invoice (the job was recalled and re-assigned): the job's contractor payment is for
    // who has it now, so approving this one would promise money the job cannot pay.
    if (inv.superseded)
      throw new TRPCError({
        code: 'CONFLICT',
        message:
          "This invoice is from before the job was recalled and re-assigned, so it cannot be approved: the job's contractor payment is for the contractor who has it now",
      });
    const actor = actorOf(ctx.user);
    const approved = await ctx.db.transaction(async (tx) => {
      // Only the submission that was looked at: a concurrent query or resubmission wins over this approval.
      const [row] = await tx
        .update(contractorInvoices)
        .set({ status: 'approved', queryReason: null, decidedBy: actor.id, decidedAt: ctx.now() })
        .where(
          and(
            eq(contractorInvoices.id, inv.id),
            eq(contractorInvoices.seq, inv.seq),
            eq(contractorInvoices.status, 'submitted'),
          ),
        )
        .returning({ id: contractorInvoices.id });
      if (!row) return false;
      await audit(tx as unknown as Database, {
        agencyId: ctx.agencyId,
        jobId: inv.jobId,
        actor,
        action: 'finance.invoice_approved',
        detail: { invoiceId: inv.id, number: inv.number, totalPence: inv.totalPence },
      });
      return true;
    });
    if (!approved) {
      const [now] = await ctx.db
        .select({ status: contractorInvoices.status })
        .from(contractorInvoices)
        .where(eq(contractorInvoices.id, inv.id));
      if (now?.status === 'approved') return { status: 'approved' as const };
      throw new TRPCError({
        code: 'CONFLICT',
        message: 'The invoice changed while you were approving it; reload and check it again',
      });
    }
    await notify(ctx.db, {
      jobId: inv.jobId,
      key: `invoice-approved:${inv.id}:${inv.seq}`,
      params: {
        template: 'invoiceApproved',
        contractors: [inv.contractorId],
        staff: false,
        data: { number: inv.number, totalPence: inv.totalPence },
      },
    });
    return { status: 'approved' as const };
  }),

  /**
   * Sends the contractor's invoice back with a reason, through the engine (QUERY_INVOICE): the machine
   * sets it aside so the contractor can submit a corrected one, restarts the invoice chaser and emails
   * the contractor; the ledger marks the row queried in the same transaction.
   */
  queryInvoice: staffProcedure
    .input(z.object({ invoiceId: z.uuid(), reason: text(1000) }))
    .mutation(async ({ ctx, input }) => {
      const inv = await contractorInvoiceInAgency(ctx.db, ctx.agencyId, input.invoiceId);
      if (inv.status === 'queried')
        throw new TRPCError({
          code: 'CONFLICT',
          message: 'This invoice is already queried; the contractor has been asked for a corrected one',
        });
      // The machine queries the current assignment's invoice: an earlier contractor's is not its to send back.
      if (inv.superseded)
        throw new TRPCError({
          code: 'CONFLICT',
          message:
            'This invoice is from before the job was recalled and re-assigned, so the job can no longer send it back: take it up with the contractor',
        });
      await ctx.engine.send(inv.jobId, { type: 'QUERY_INVOICE', reason: input.reason, actor: actorOf(ctx.user) });
      return { status: 'queried' as const };
    }),

  /**
   * Pays a contractor's approved invoices in one run: one contractor-leg payment per job, each through
   * the engine with the key `run:<run id>`, so resubmitting the same run (same `key`) completes it
   * without paying anything twice. Runs for one contractor are serialised (see `oneAtATime`): each reads
   * what is still owed only once the run before it has recorded its payments, so two staff (or two tabs)
   * paying the same invoice at once pay it once. A run pays what the agency invoice expects the
   * contractor to get, less what is already paid, and every invoice it has yet to pay is checked on every
   * submission, a resubmitted one included.
   */
  createPaymentRun: staffProcedure
    .input(
      z.object({
        contractorId: z.uuid(),
        // The form's ticked invoices: said as a choice to make, not as "the invoice ids is too small".
        invoiceIds: z
          .array(z.uuid())
          .min(1, 'Choose at least one invoice to pay')
          .max(100, 'Pay at most 100 invoices in one run'),
        reference: text(60),
        paidOn: isoDate,
        key,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const actor = actorOf(ctx.user);
      notInFuture(input.paidOn, ctx.now(), 'A payment run');
      const [payee] = await ctx.db
        .select()
        .from(contractors)
        .where(and(eq(contractors.id, input.contractorId), eq(contractors.agencyId, ctx.agencyId)));
      if (!payee) throw new TRPCError({ code: 'NOT_FOUND', message: 'Contractor not found' });
      const ids = [...new Set(input.invoiceIds)];
      return oneAtATime(ctx.db, `payment-run:${ctx.agencyId}:${payee.id}`, async () => {
        const chosen = await ctx.db
          .select({
            invoice: contractorInvoices,
            jobStatus: jobs.status,
            jobAssignment: jobs.assignment,
            job: { createdAt: jobs.createdAt, reference: jobs.reference },
            raised: agencyInvoices,
          })
          .from(contractorInvoices)
          .innerJoin(jobs, eq(jobs.id, contractorInvoices.jobId))
          .leftJoin(agencyInvoices, eq(agencyInvoices.jobId, contractorInvoices.jobId))
          .where(
            and(
              eq(contractorInvoices.agencyId, ctx.agencyId),
              eq(contractorInvoices.contractorId, payee.id),
              inArray(contractorInvoices.id, ids),
            ),
          );
        if (chosen.length !== ids.length)
          throw new TRPCError({ code: 'BAD_REQUEST', message: `Choose invoices of ${payee.name} only` });
        for (const c of chosen) notBeforeJob(input.paidOn, c.job, 'A payment run');

        let [run] = await ctx.db
          .select()
          .from(paymentRuns)
          .where(and(eq(paymentRuns.agencyId, ctx.agencyId), eq(paymentRuns.key, input.key)));
        if (run && run.contractorId !== payee.id)
          throw new TRPCError({ code: 'CONFLICT', message: 'That payment run was for another contractor' });
        const paymentKey = (runId: string) => `run:${runId}`;
        const jobIds = chosen.map((c) => c.invoice.jobId);
        const ledger = await ctx.db
          .select()
          .from(payments)
          .where(and(inArray(payments.jobId, jobIds), eq(payments.leg, 'contractor')));
        const inThisRun = (jobId: string) =>
          !!run && ledger.some((l) => l.jobId === jobId && l.key === paymentKey(run!.id));
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
          const [reused] = await ctx.db
            .select({ id: paymentRuns.id })
            .from(paymentRuns)
            .where(
              and(
                eq(paymentRuns.agencyId, ctx.agencyId),
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
          const [inserted] = await ctx.db
            .insert(paymentRuns)
            .values({
              agencyId: ctx.agencyId,
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
          await audit(ctx.db, {
            agencyId: ctx.agencyId,
            jobId: null,
            actor,
            action: 'finance.payment_run',
            detail: { runId: run.id, reference: run.reference, contractorId: payee.id, totalPence, jobs: jobIds },
          });
        }
        for (const p of plan) {
          await ctx.engine.send(p.jobId, {
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
        const [paid] = await ctx.db
          .select({ total: sql<number>`coalesce(sum(${payments.amountPence}), 0)::int` })
          .from(payments)
          .where(eq(payments.paymentRunId, run.id));
        if (paid.total !== run.totalPence)
          await ctx.db.update(paymentRuns).set({ totalPence: paid.total }).where(eq(paymentRuns.id, run.id));
        return { runId: run.id, reference: run.reference };
      });
    }),

  /** A remittance advice (a payment run, or one payment recorded on its own), for staff. */
  remittance: staffProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => {
    const advice = await remittance(ctx.db, ctx.agencyId, input.id, null);
    if (!advice) throw new TRPCError({ code: 'NOT_FOUND', message: 'Remittance not found' });
    return advice;
  }),

  /** The agency invoice as printed: what the PDF shows. */
  invoiceDocument: staffProcedure.input(z.object({ jobId: z.uuid() })).query(async ({ ctx, input }) => {
    const job = await findJobInScope(ctx.db, input.jobId, staffScope(ctx));
    const [invoice] = await ctx.db.select().from(agencyInvoices).where(eq(agencyInvoices.jobId, job.id));
    if (!invoice) throw new TRPCError({ code: 'NOT_FOUND', message: 'No invoice has been raised for this job' });
    const [agency] = await ctx.db.select().from(agencies).where(eq(agencies.id, ctx.agencyId));
    const [property] = job.propertyId
      ? await ctx.db.select().from(properties).where(eq(properties.id, job.propertyId))
      : [];
    return {
      invoice,
      job: { reference: job.reference, title: job.title, completedAt: job.completedAt },
      agency: { name: agency.name, email: agency.email, phone: agency.phone },
      property: property
        ? [property.line1, property.line2, property.town, property.postcode].filter((l): l is string => !!l)
        : [],
    };
  }),

  // ---- The contractor's side ----

  /** The invoice form for a job the contractor holds: the job, their invoice if any, the agency's VAT rate. */
  myJobInvoice: contractorProcedure.input(z.object({ jobId: z.uuid() })).query(async ({ ctx, input }) => {
    const job = await findJobInScope(ctx.db, input.jobId, ctx);
    if (job.contractorId !== ctx.contractorId) throw new TRPCError({ code: 'NOT_FOUND', message: 'Job not found' });
    const [[invoice], [agency]] = await Promise.all([
      // Their own assignment's invoice: not a previous holder's, from before a recall and re-assignment.
      ctx.db
        .select()
        .from(contractorInvoices)
        .where(and(eq(contractorInvoices.jobId, job.id), eq(contractorInvoices.assignment, job.assignment))),
      ctx.db.select({ vatRateBp: agencies.vatRateBp }).from(agencies).where(eq(agencies.id, ctx.agencyId)),
    ]);
    return {
      job: { id: job.id, reference: job.reference, title: job.title, status: job.status },
      invoice: invoice ?? null,
      vatRateBp: agency.vatRateBp,
      // A queried invoice is set aside by the engine: the contractor sends a corrected one in its place.
      canSubmit: (!invoice || invoice.status === 'queried') && hasStatus(INVOICEABLE_STATUSES, job.status),
    };
  }),

  /** Submits the contractor's invoice through the engine; the agency's staff are notified by it. */
  submitInvoice: contractorProcedure.input(submitInvoiceInput).mutation(async ({ ctx, input }) => {
    const job = await findJobInScope(ctx.db, input.jobId, ctx);
    // Their own upload to this job, not a document of the agency's (one rule with notes' photos: mayCite).
    if (!(await mayCite(ctx.db, job.id, actorOf(ctx.user), [input.documentId])))
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'Upload the invoice document to this job first' });
    if (input.issuedOn > ukDay(ctx.now()))
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'The invoice date cannot be in the future' });
    notBeforeJob(input.issuedOn, job, 'An invoice');
    if (input.netPence + input.vatPence === 0)
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'An invoice must be for more than £0.00' });
    // A contractor's invoice numbers are their own sequence: one number, one invoice (a corrected invoice for
    // the same assignment of the job may keep its number, as it replaces the queried one).
    const [reused] = await ctx.db
      .select({ id: contractorInvoices.id })
      .from(contractorInvoices)
      .where(
        and(
          eq(contractorInvoices.agencyId, ctx.agencyId),
          eq(contractorInvoices.contractorId, ctx.contractorId),
          eq(contractorInvoices.number, input.number.trim()),
          or(ne(contractorInvoices.jobId, job.id), ne(contractorInvoices.assignment, job.assignment)),
        ),
      );
    if (reused)
      throw new TRPCError({
        code: 'CONFLICT',
        message: `You have already sent invoice ${input.number.trim()} for another job`,
      });
    const { jobId: _jobId, ...fields } = input;
    const view = await ctx.engine.send(job.id, {
      type: 'SUBMIT_INVOICE',
      ...fields,
      totalPence: input.netPence + input.vatPence,
      actor: actorOf(ctx.user),
    });
    return { status: view.status, invoice: view.context.contractorInvoice };
  }),

  /** Balance owed, invoices and their state, and remittances. */
  account: contractorProcedure.query(({ ctx }) => contractorAccount(ctx.db, ctx.agencyId, ctx.contractorId)),

  statement: contractorProcedure
    .input(
      z
        .object({ from: isoDate, to: isoDate })
        .refine((p) => p.from <= p.to, { message: 'The start date must not be after the end date', path: ['to'] }),
    )
    .query(async ({ ctx, input }) => {
      const [me] = await ctx.db
        .select({ name: contractors.name, company: contractors.company })
        .from(contractors)
        .where(eq(contractors.id, ctx.contractorId));
      const [agency] = await ctx.db.select({ name: agencies.name }).from(agencies).where(eq(agencies.id, ctx.agencyId));
      return {
        contractor: me,
        agency,
        statement: await contractorStatement(ctx.db, ctx.agencyId, ctx.contractorId, input.from, input.to),
      };
    }),

  myRemittance: contractorProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => {
    const advice = await remittance(ctx.db, ctx.agencyId, input.id, ctx.contractorId);
    if (!advice) throw new TRPCError({ code: 'NOT_FOUND', message: 'Remittance not found' });
    return advice;
  }),
});
