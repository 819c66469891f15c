// The finance ledger's projection of engine events. Called from recordTransition, so it runs in the
// same transaction (embedded engine) or activity (Temporal) as the event's history row: a payment is in
// the ledger exactly when the engine has accepted it. Idempotent on its own keys, so a retried
// transition writes nothing twice: contractor invoice by (job, assignment, newer seq), its query by (job,
// assignment, older seq),
// agency invoice by (job, number), credit note by (agency, number), payment by (job, idempotency key).
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Tx } from '#db/client.ts';
import { agencyInvoices, auditLog, contractorInvoices, creditNotes, payments } from '#db/schema/index.ts';
import type { JobState } from '#workflows/job-host.ts';
import type { EventOf, JobEvent } from '#workflows/model.ts';
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

/** Runs at most one statement, and none for events that do not touch money. */
export function projectFinance(tx: Tx, t: FinanceTransition): Promise<unknown> {
  const { event, state } = t;
  const { context } = state;
  const at = new Date(t.at).toISOString();
  switch (event?.type) {
    case 'SUBMIT_INVOICE': {
      const inv = context.contractorInvoice;
      if (!inv) return Promise.resolve();
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
    case 'RAISE_INVOICE':
      return projectInvoice(tx, t, event, at);
    case 'RECORD_PAYMENT': {
      const paid = context.payments.find((p) => p.key === event.key);
      if (!paid) return Promise.resolve();
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
      return Promise.resolve();
  }
}

/**
 * An agency invoice raised. A re-raise first credits the invoice it replaces (the machine's credited entry for
 * this event's credit note): the credit note row copies the credited invoice's figures, the invoice row is marked
 * credited (who, when, which note) and the audit log says "Credit note CN-… for INV-… (reason)", naming the person
 * by the row's actor. Then the new invoice row is written under its own number, never over the old one. Each
 * statement is idempotent (a retried or replayed transition writes nothing twice). They are issued at once (the
 * embedded engine pipelines its transaction) and run in order, so the job never has two current invoices. A
 * number another job holds fails the transition (the unique index): the API refuses such numbers before sending.
 */
function projectInvoice(tx: Tx, t: FinanceTransition, event: EventOf<'RAISE_INVOICE'>, at: string) {
  const { context } = t.state;
  const creditNumber = event.creditNoteNumber?.trim();
  const credited = creditNumber ? context.creditedInvoices.find((c) => c.creditNoteNumber === creditNumber) : undefined;
  const statements: Promise<unknown>[] = [];
  if (credited) {
    const summary = `Credit note ${credited.creditNoteNumber} for ${credited.number} (${credited.reason}); replaced by invoice ${event.number.trim()}`;
    statements.push(
      tx.execute(sql`
      with credited as (
        select * from ${agencyInvoices}
        where ${agencyInvoices.agencyId} = ${context.agencyId}::uuid and ${agencyInvoices.jobId} = ${t.jobId}::uuid
          and ${agencyInvoices.number} = ${credited.number}::text),
      note as (
        insert into ${creditNotes} (agency_id, job_id, number, invoice_id, invoice_number, invoice_raised_at, net_pence,
          vat_rate_bp, vat_pence, gross_pence, client_name, client_address, reason, issued_by, issued_at, seq)
        select agency_id, job_id, ${credited.creditNoteNumber}::text, id, number, raised_at, agent_net_pence,
          vat_rate_bp, vat_pence, gross_pence, client_name, client_address, ${credited.reason}::text,
          ${event.actor.id}::text, ${at}::timestamptz, ${t.seq}::int
        from credited
        on conflict do nothing
        returning number, invoice_number, gross_pence),
      marked as (
        update ${agencyInvoices} set credited_by = ${event.actor.id}::text, credited_at = ${at}::timestamptz,
          credit_note_number = ${credited.creditNoteNumber}::text
        where id in (select id from credited) and credited_at is null
        returning id)
      insert into ${auditLog} (agency_id, job_id, actor_id, actor_role, action, detail, at)
      select ${context.agencyId}::uuid, ${t.jobId}::uuid, ${event.actor.id}::text, ${event.actor.role}::text,
        'finance.credit_note',
        jsonb_build_object('summary', ${summary}::text, 'creditNoteNumber', note.number,
          'invoiceNumber', note.invoice_number, 'grossPence', note.gross_pence, 'reason', ${credited.reason}::text,
          'newInvoiceNumber', ${event.number.trim()}::text, 'seq', ${t.seq}::int),
        ${at}::timestamptz
      from note`),
    );
  }
  const inv = context.invoice;
  // A replay of an earlier raise, with the state as it is now, writes no invoice: its row is there already.
  if (inv && inv.number === event.number.trim())
    statements.push(
      tx.execute(sql`
      insert into ${agencyInvoices} (agency_id, job_id, number, agent_net_pence, vat_rate_bp, vat_pence, gross_pence,
        contractor_total_pence, commission_pence, budget_pence, client_name, client_address, raised_by, raised_at, seq)
      select ${context.agencyId}::uuid, ${t.jobId}::uuid, ${inv.number}::text, ${inv.agentNetPence}::int,
        ${inv.vatRateBp}::int, ${inv.vatPence}::int, ${inv.agentGrossPence}::int, ${inv.contractorTotalPence}::int,
        ${inv.expected.commission}::int, ${event.budgetPence ?? null}::int, ${event.clientName ?? null}::text,
        ${event.clientAddress ?? null}::text, ${event.actor.id}::text, ${at}::timestamptz, ${t.seq}::int
      where not exists (
        select from ${agencyInvoices} where job_id = ${t.jobId}::uuid and number = ${inv.number}::text)`),
    );
  return Promise.all(statements);
}
