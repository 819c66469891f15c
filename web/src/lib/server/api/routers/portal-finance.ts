// The contractor's side of finance, merged into the portal router: the invoice form for a job they hold,
// submitting it through the engine, their account (balance, invoices, remittances) and statements. Every
// procedure is the signed-in contractor's, at the agency they picked.
import { TRPCError } from '@trpc/server';
import { and, eq, ne, or } from 'drizzle-orm';
import { z } from 'zod';
import { agencies, contractorInvoices, contractors } from '#db/schema/index.ts';
import { hasStatus, INVOICEABLE_STATUSES } from '#workflows/model.ts';
import { ukDay } from '#workflows/time.ts';
import { actorOf } from '#lib/server/auth/user.ts';
import { mayCite } from '#lib/server/files/attachments.ts';
import { contractorAccount, contractorStatement, remittance } from '#lib/server/finance/ledger.ts';
import { notBeforeJob } from '#lib/server/finance/rules.ts';
import { isoDate, pence, text } from '../finance-input.ts';
import { found } from '../found.ts';
import { findJobInScope } from '../scope.ts';
import { contractorProcedure } from '../trpc.ts';

/** The contractor's invoice as the API takes it; the portal's invoice form checks its fields with it too. */
export const submitInvoiceInput = z.object({
  jobId: z.uuid(),
  number: text(50),
  issuedOn: isoDate,
  netPence: pence,
  vatPence: pence,
  documentId: z.uuid(),
});

export const portalFinance = {
  /** The invoice form for a job the contractor holds: the job, their invoice if any, the agency's VAT rate. */
  myJobInvoice: contractorProcedure.input(z.object({ jobId: z.uuid() })).query(async ({ ctx, input }) => {
    const job = await findJobInScope(ctx.db, input.jobId, ctx);
    if (job.contractorId !== ctx.contractorId) throw new TRPCError({ code: 'NOT_FOUND', message: 'Job not found' });
    const [[invoice], agencyRows] = await Promise.all([
      // Their own assignment's invoice: not a previous holder's, from before a recall and re-assignment.
      ctx.db
        .select()
        .from(contractorInvoices)
        .where(and(eq(contractorInvoices.jobId, job.id), eq(contractorInvoices.assignment, job.assignment))),
      ctx.db.select({ vatRateBp: agencies.vatRateBp }).from(agencies).where(eq(agencies.id, ctx.agencyId)),
    ]);
    const agency = found(agencyRows, 'Agency');
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
      const agency = found(
        await ctx.db.select({ name: agencies.name }).from(agencies).where(eq(agencies.id, ctx.agencyId)),
        'Agency',
      );
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
};
