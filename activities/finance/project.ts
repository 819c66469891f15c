// The finance ledger's projection of engine events. Called from recordTransition, so it runs in the
// same transaction (embedded engine) or activity (Temporal) as the event's history row: a payment is in
// the ledger exactly when the engine has accepted it. Idempotent on its own keys, so a retried
// transition writes nothing twice: contractor invoice by (job, assignment, newer seq), its query by (job,
// assignment, older seq),
// agency invoice by (job, newer seq), payment by (job, idempotency key).
import { and, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '#db/client.ts';
import { agencyInvoices, contractorInvoices, payments } from '#db/schema/index.ts';
import type { JobState } from '#workflows/job-host.ts';
import type { JobEvent } from '#workflows/model.ts';
import { isIsoDay, ukDay } from '#workflows/time.ts';

interface FinanceTransition {
  jobId: string;
  seq: number;
  event: JobEvent | null;
  state: JobState;
  at: string;
}

/** A day the caller gave, else null: the event's UK day is the default (`ukDay(at)`, a day a person reads). */
const isoDay = (value: string | undefined) => (value && isIsoDay(value) ? value : null);

/**
 * At most one statement, and none (null) for events that do not touch money: a drizzle query, run when awaited,
 * or put in a larger statement as SQL (recordTransition makes it one of its CTEs).
 */
export function projectFinance(tx: Tx, t: FinanceTransition): (PromiseLike<unknown> & { getSQL(): SQL }) | null {
  const { event, state } = t;
  const { context } = state;
  const at = new Date(t.at).toISOString();
  switch (event?.type) {
    case 'SUBMIT_INVOICE': {
      const inv = context.contractorInvoice;
      if (!inv) return null;
      const row = {
        agencyId: context.agencyId,
        jobId: t.jobId,
        contractorId: event.actor.id,
        number: inv.number,
        issuedOn: isoDay(event.issuedOn) ?? ukDay(at),
        netPence: inv.netPence,
        vatPence: inv.vatPence,
        totalPence: inv.totalPence,
        documentId: event.documentId ?? null,
        submittedAt: new Date(at),
        seq: t.seq,
        assignment: context.assignment,
      };
      const { agencyId: _a, jobId: _j, assignment: _n, ...update } = row;
      // A corrected invoice (after a query) replaces the queried one: one row per assignment of the job,
      // awaiting approval again. A contractor the job was re-assigned to after a recall invoices under their
      // own assignment, beside the first contractor's. The query itself stays in the job's events and the
      // audit log. An older retry changes nothing.
      return tx
        .insert(contractorInvoices)
        .values(row)
        .onConflictDoUpdate({
          target: [contractorInvoices.jobId, contractorInvoices.assignment],
          set: { ...update, status: 'submitted', queryReason: null, decidedBy: null, decidedAt: null },
          setWhere: sql`${contractorInvoices.seq} < ${t.seq}`,
        });
    }
    case 'QUERY_INVOICE':
      // Only the current assignment's invoice (the machine queries no other), as submitted before this query
      // (a retry after a resubmit must not touch the new one).
      return tx
        .update(contractorInvoices)
        .set({
          status: 'queried',
          queryReason: event.reason.trim(),
          decidedBy: event.actor.id,
          decidedAt: new Date(at),
        })
        .where(
          and(
            eq(contractorInvoices.jobId, t.jobId),
            eq(contractorInvoices.assignment, context.assignment),
            lt(contractorInvoices.seq, t.seq),
          ),
        );
    case 'RAISE_INVOICE': {
      const inv = context.invoice;
      if (!inv) return null;
      const row = {
        agencyId: context.agencyId,
        jobId: t.jobId,
        number: inv.number,
        agentNetPence: inv.agentNetPence,
        vatRateBp: inv.vatRateBp,
        vatPence: inv.vatPence,
        grossPence: inv.agentGrossPence,
        contractorTotalPence: inv.contractorTotalPence,
        commissionPence: inv.expected.commission,
        budgetPence: event.budgetPence ?? null,
        clientName: event.clientName ?? null,
        clientAddress: event.clientAddress ?? null,
        raisedBy: event.actor.id,
        raisedAt: new Date(at),
        seq: t.seq,
      };
      const { agencyId: _a, jobId: _j, ...update } = row;
      // Re-raised (before any payment): the newer event wins, an older retry changes nothing.
      return tx
        .insert(agencyInvoices)
        .values(row)
        .onConflictDoUpdate({
          target: agencyInvoices.jobId,
          set: update,
          setWhere: sql`${agencyInvoices.seq} < ${t.seq}`,
        });
    }
    case 'RECORD_PAYMENT': {
      const paid = context.payments.find((p) => p.key === event.key);
      if (!paid) return null;
      return tx
        .insert(payments)
        .values({
          agencyId: context.agencyId,
          jobId: t.jobId,
          leg: paid.leg,
          amountPence: paid.amountPence,
          reference: paid.reference,
          paidOn: isoDay(event.paidOn) ?? ukDay(at),
          key: paid.key,
          contractorId: paid.leg === 'contractor' ? context.contractorId : null,
          paymentRunId: event.runId ?? null,
          recordedBy: event.actor.id,
          recordedAt: new Date(at),
          seq: t.seq,
        })
        .onConflictDoNothing({ target: [payments.jobId, payments.key] });
    }
    default:
      return null;
  }
}
