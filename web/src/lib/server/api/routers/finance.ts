// Financial close-out, the agency's side: contractor invoices (queried through the engine, approved here),
// the agency's invoice, payments into the ledger (through the engine, idempotent by key), payment runs
// with remittances. Engine events are the only way invoices and payments enter the ledger
// (activities/finance/project.ts writes it in the same transaction). The contractor's side (their invoice,
// account and statements) is in the portal router (portal-finance.ts).
import { TRPCError } from '@trpc/server';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '#db/client.ts';
import {
  agencies,
  agencyInvoices,
  contractorInvoices,
  creditNotes,
  jobs,
  landlords,
  payments,
  properties,
} from '#db/schema/index.ts';
import { one } from '#db/rows.ts';
import { validateEvent } from '#workflows/job-host.ts';
import { PAYMENT_LEGS } from '#workflows/model.ts';
import { notify, settleNotifications } from '#activities/notify.ts';
import { actorOf } from '#lib/server/auth/user.ts';
import {
  CLIENT_MONEY_VIEWS,
  clientMoney,
  financeOverview,
  formatCreditNote,
  jobFinance,
  remittance,
  suggestedInvoiceNumber,
} from '#lib/server/finance/ledger.ts';
import { createPaymentRun } from '#lib/server/finance/payment-run.ts';
import { audit, notBeforeJob, notInFuture } from '#lib/server/finance/rules.ts';
import { isoDate, key, pence, text } from '../finance-input.ts';
import { found } from '../found.ts';
import { findJobInScope } from '../scope.ts';
import { isEngineError, router, staffProcedure } from '../trpc.ts';

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
  /** Staff confirm a second, separate payment identical to one recorded (leg, amount, reference, day). */
  separate: z.boolean().default(false),
});

/** The agency as its documents head them (invoice, credit note): name, contacts, address and VAT number. */
async function letterheadOf(ctx: { db: Database; agencyId: string }) {
  return found(
    await ctx.db
      .select({
        name: agencies.name,
        email: agencies.email,
        phone: agencies.phone,
        address: agencies.address,
        vatNumber: agencies.vatNumber,
      })
      .from(agencies)
      .where(eq(agencies.id, ctx.agencyId)),
    'Agency',
  );
}

export const financeRouter = router({
  /** The job's Financial tab: agency invoice, contractor invoice, ledger and each leg's reconciliation. */
  job: staffProcedure.input(z.object({ jobId: z.uuid() })).query(async ({ ctx, input }) => {
    const job = await findJobInScope(ctx.db, input.jobId, staffScope(ctx));
    const [finance, [owner]] = await Promise.all([
      jobFinance(ctx.db, job),
      // The property's landlord, whom a new agency invoice is to unless staff name another client.
      job.propertyId
        ? ctx.db
            .select({ name: landlords.name, billingAddress: landlords.billingAddress })
            .from(properties)
            .innerJoin(landlords, eq(landlords.id, properties.landlordId))
            .where(and(eq(properties.id, job.propertyId), eq(properties.agencyId, ctx.agencyId)))
        : [],
    ]);
    return {
      job: { id: job.id, reference: job.reference, title: job.title, status: job.status },
      ...finance,
      landlord: owner ? { name: owner.name, address: owner.billingAddress?.replace(/\s*\n\s*/g, ', ') ?? '' } : null,
      // A re-raise issues a new number: the suggestion is the job's next one, never one issued already.
      suggestedNumber: suggestedInvoiceNumber(
        job.reference,
        finance.creditedInvoices.length + (finance.invoice ? 1 : 0),
      ),
      canRaise: job.status === 'closed' && finance.payments.length === 0,
      canRecord: job.status === 'closed' && finance.invoice !== null,
    };
  }),

  /**
   * Raises the agency's invoice, or (before any payment) re-raises it: an issued invoice is never edited, so a
   * re-raise credits the current invoice in full with a credit note (the agency's next CN number, the reason
   * staff give) and issues the new invoice under a new number. VAT comes from the agency's rate.
   */
  raiseInvoice: staffProcedure
    .input(
      z.object({
        jobId: z.uuid(),
        number: text(50),
        agentNetPence: pence,
        contractorTotalPence: pence,
        commissionPence: pence.optional(),
        budgetPence: pence.optional(),
        /** A VAT invoice names its customer and their billing address: the landlord, or a named client. */
        clientName: z.string().trim().min(2, 'Enter who the invoice is to').max(120),
        clientAddress: z.string().trim().min(5, 'Enter the billing address').max(300),
        /** Why the current invoice is credited (a re-raise only): printed on the credit note. */
        creditReason: z.string().trim().max(500, 'Keep the reason for the credit note to 500 characters').optional(),
        /** The invoice number the person saw as current (a re-raise): refused if a colleague re-raised it since. */
        replaces: z.string().trim().max(50).optional(),
        /** Raise it although it charges nothing or less than the contractor's cost (the engine warns otherwise). */
        confirmed: z.boolean().default(false),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const job = await findJobInScope(ctx.db, input.jobId, staffScope(ctx));
      const { jobId: _jobId, creditReason, ...fields } = input;
      const number = input.number.trim();
      // Every invoice number the agency has issued, credited ones included, stays that invoice's.
      const [taken] = await ctx.db
        .select({ jobId: agencyInvoices.jobId })
        .from(agencyInvoices)
        .where(
          and(
            eq(agencyInvoices.agencyId, ctx.agencyId),
            sql`lower(${agencyInvoices.number}) = lower(${number})`,
            ne(agencyInvoices.jobId, job.id),
          ),
        );
      if (taken)
        throw new TRPCError({
          code: 'CONFLICT',
          message: `Invoice number ${number} is already used on another job`,
        });
      const agency = found(
        await ctx.db.select({ vatRateBp: agencies.vatRateBp }).from(agencies).where(eq(agencies.id, ctx.agencyId)),
        'Agency',
      );
      const actor = actorOf(ctx.user);
      const event = { type: 'RAISE_INVOICE', ...fields, vatRateBp: agency.vatRateBp, actor } as const;
      const current = await ctx.engine.get(job.id);
      if (!current.context.invoice) {
        const view = await ctx.engine.send(job.id, event);
        return { status: view.status, invoice: view.context.invoice, creditNote: null };
      }
      // A re-raise: asked of the machine first (with a stand-in number), so a refused one spends no credit note
      // number and the agency's sequence has no gaps from refusals.
      const reRaise = { ...event, creditReason: creditReason ?? '' };
      const refused = validateEvent(current, { ...reRaise, creditNoteNumber: 'CN-?', at: ctx.now().toISOString() });
      if (refused) throw new TRPCError({ code: 'CONFLICT', message: refused });
      const creditNoteNumber = formatCreditNote(
        one(
          await ctx.db
            .update(agencies)
            .set({ nextCreditNoteNumber: sql`${agencies.nextCreditNoteNumber} + 1` })
            .where(eq(agencies.id, ctx.agencyId))
            .returning({ next: agencies.nextCreditNoteNumber }),
        ).next - 1,
      );
      const view = await ctx.engine.send(job.id, { ...reRaise, creditNoteNumber });
      return { status: view.status, invoice: view.context.invoice, creditNote: creditNoteNumber };
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

  /** The finance desk: client money per agency invoice (owed, part paid, over-paid), filtered, with totals. */
  clientMoney: staffProcedure
    .input(z.object({ view: z.enum(CLIENT_MONEY_VIEWS).default('open') }))
    .query(({ ctx, input }) => clientMoney(ctx.db, ctx.agencyId, input.view)),

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
      // Staff's "invoice submitted" needs nobody once the invoice is approved.
      await settleNotifications(tx, inv.jobId, ['invoiceSubmitted'], ctx.now().toISOString());
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

  /** Pays a contractor's approved invoices in one run (see createPaymentRun: idempotent by key, one run per contractor at a time). */
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
    .mutation(({ ctx, input }) =>
      createPaymentRun(
        { db: ctx.db, engine: ctx.engine, agencyId: ctx.agencyId, actor: actorOf(ctx.user), now: ctx.now() },
        input,
      ),
    ),

  /** A remittance advice (a payment run, or one payment recorded on its own), for staff. */
  remittance: staffProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => {
    const advice = await remittance(ctx.db, ctx.agencyId, input.id, null);
    if (!advice) throw new TRPCError({ code: 'NOT_FOUND', message: 'Remittance not found' });
    return advice;
  }),

  /** The agency invoice as printed: what the PDF shows. */
  invoiceDocument: staffProcedure
    /** `number`: one of the job's invoices by number, a credited one included (a copy as issued); else the current. */
    .input(z.object({ jobId: z.uuid(), number: z.string().trim().min(1).max(50).optional() }))
    .query(async ({ ctx, input }) => {
      const job = await findJobInScope(ctx.db, input.jobId, staffScope(ctx));
      const [invoice] = await ctx.db
        .select()
        .from(agencyInvoices)
        .where(
          and(
            eq(agencyInvoices.jobId, job.id),
            input.number ? eq(agencyInvoices.number, input.number) : isNull(agencyInvoices.creditedAt),
          ),
        );
      if (!invoice)
        throw new TRPCError({
          code: 'NOT_FOUND',
          message: input.number ? `No invoice ${input.number} on this job` : 'No invoice has been raised for this job',
        });
      const [property] = job.propertyId
        ? await ctx.db.select().from(properties).where(eq(properties.id, job.propertyId))
        : [];
      return {
        invoice,
        job: { reference: job.reference, title: job.title, completedAt: job.completedAt },
        agency: await letterheadOf(ctx),
        property: property
          ? [property.line1, property.line2, property.town, property.postcode].filter((l): l is string => !!l)
          : [],
      };
    }),

  /** A credit note of the job as printed: what its PDF shows. */
  creditNoteDocument: staffProcedure
    .input(z.object({ jobId: z.uuid(), number: z.string().trim().min(1).max(50) }))
    .query(async ({ ctx, input }) => {
      const job = await findJobInScope(ctx.db, input.jobId, staffScope(ctx));
      const [note] = await ctx.db
        .select()
        .from(creditNotes)
        .where(and(eq(creditNotes.jobId, job.id), eq(creditNotes.number, input.number)));
      if (!note) throw new TRPCError({ code: 'NOT_FOUND', message: `No credit note ${input.number} on this job` });
      const [replacement] = await ctx.db
        .select({ number: agencyInvoices.number })
        .from(agencyInvoices)
        .where(and(eq(agencyInvoices.jobId, job.id), eq(agencyInvoices.seq, note.seq)));
      return {
        creditNote: note,
        replacedBy: replacement?.number ?? null,
        job: { reference: job.reference, title: job.title },
        agency: await letterheadOf(ctx),
      };
    }),
});
