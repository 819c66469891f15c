// Reads over the finance tables: a job's financial position, a contractor's account, statements and
// remittances. Every function takes the agency (and contractor) it is scoped to; callers authorise.
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { one } from '#db/rows.ts';
import {
  agencies,
  agencyInvoices,
  attachments,
  contractorInvoices,
  contractors,
  creditNotes,
  jobs,
  paymentRuns,
  payments,
  properties,
} from '#db/schema/index.ts';
import { PAYMENT_LEGS, type Payment, type PaymentLeg } from '#workflows/model.ts';
import { legState, reconcileLeg, type LegReconciliation, type LegState } from '#workflows/money.ts';
import { buildStatement, type Statement, type StatementEntry } from '#activities/finance/statement.ts';

export type PaymentRow = typeof payments.$inferSelect;

const asPayment = (p: PaymentRow): Payment => ({
  key: p.key,
  leg: p.leg,
  amountPence: p.amountPence,
  reference: p.reference,
  at: p.recordedAt.toISOString(),
});

/** Each leg's expected amount (from the agency invoice) against what the ledger holds. */
export function reconcile(
  invoice: Pick<typeof agencyInvoices.$inferSelect, 'grossPence' | 'contractorTotalPence' | 'commissionPence'>,
  rows: readonly PaymentRow[],
): LegReconciliation[] {
  const expected: Record<PaymentLeg, number> = {
    client: invoice.grossPence,
    contractor: invoice.contractorTotalPence,
    commission: invoice.commissionPence,
  };
  const ledger = rows.map(asPayment);
  return PAYMENT_LEGS.map((leg) => reconcileLeg(leg, expected[leg], ledger));
}

/** The job's current agency invoice: the one no credit note has cancelled. */
export const currentInvoice = isNull(agencyInvoices.creditedAt);

/** A credit note's number in the agency's sequence: CN-000001. */
export const formatCreditNote = (n: number) => `CN-${String(n).padStart(6, '0')}`;

export async function jobFinance(db: Database, job: typeof jobs.$inferSelect) {
  const one = <T>(rows: T[]) => rows[0] ?? null;
  const [agency, invoice, contractorInvoice, ledger, contractor, credited, notes] = await Promise.all([
    db
      .select({ name: agencies.name, vatRateBp: agencies.vatRateBp })
      .from(agencies)
      .where(eq(agencies.id, job.agencyId))
      .then(one),
    db
      .select()
      .from(agencyInvoices)
      .where(and(eq(agencyInvoices.jobId, job.id), currentInvoice))
      .then(one),
    db
      .select({ invoice: contractorInvoices, documentName: attachments.fileName })
      .from(contractorInvoices)
      .leftJoin(attachments, eq(attachments.id, contractorInvoices.documentId))
      // The current assignment's: the contractor leg pays the job's contractor (an earlier holder's invoice,
      // from before a recall and re-assignment, is on the finance desk).
      .where(and(eq(contractorInvoices.jobId, job.id), eq(contractorInvoices.assignment, job.assignment)))
      .then(one),
    db.select().from(payments).where(eq(payments.jobId, job.id)).orderBy(asc(payments.seq)),
    job.contractorId
      ? db
          .select({ id: contractors.id, name: contractors.name, company: contractors.company })
          .from(contractors)
          .where(eq(contractors.id, job.contractorId))
          .then(one)
      : null,
    db
      .select()
      .from(agencyInvoices)
      .where(and(eq(agencyInvoices.jobId, job.id), isNotNull(agencyInvoices.creditedAt)))
      .orderBy(asc(agencyInvoices.seq)),
    db.select().from(creditNotes).where(eq(creditNotes.jobId, job.id)).orderBy(asc(creditNotes.seq)),
  ]);
  return {
    vatRateBp: agency?.vatRateBp ?? 2000,
    /** The current invoice: what the client owes (its gross is the client leg's expected amount). */
    invoice,
    /** Earlier invoices of the job, each cancelled in full by one of `creditNotes`. Oldest first. */
    creditedInvoices: credited,
    creditNotes: notes,
    contractorInvoice: contractorInvoice
      ? { ...contractorInvoice.invoice, documentName: contractorInvoice.documentName }
      : null,
    contractor,
    payments: ledger,
    legs: invoice ? reconcile(invoice, ledger) : null,
  };
}

/**
 * A suggestion for the job's next agency invoice number: INV-<job reference>, unique by construction; a re-raise
 * (the job has issued `issued` invoices already) needs a new number: INV-<job reference>-2, -3, …
 */
export const suggestedInvoiceNumber = (jobReference: string, issued = 0) =>
  `INV-${jobReference.replace(/^JOB-/, '')}${issued > 0 ? `-${issued + 1}` : ''}`;

/** Contractor-leg payments to this contractor, with their job. */
function contractorPayments(db: Database, agencyId: string, contractorId: string, extra?: SQL) {
  return db
    .select({ payment: payments, jobReference: jobs.reference, jobTitle: jobs.title })
    .from(payments)
    .innerJoin(jobs, eq(jobs.id, payments.jobId))
    .where(
      and(
        eq(payments.agencyId, agencyId),
        eq(payments.leg, 'contractor'),
        eq(payments.contractorId, contractorId),
        extra,
      ),
    );
}

function contractorInvoiceRows(db: Database, agencyId: string, contractorId: string, extra?: SQL) {
  return db
    .select({ invoice: contractorInvoices, jobReference: jobs.reference, jobTitle: jobs.title, jobStatus: jobs.status })
    .from(contractorInvoices)
    .innerJoin(jobs, eq(jobs.id, contractorInvoices.jobId))
    .where(and(eq(contractorInvoices.agencyId, agencyId), eq(contractorInvoices.contractorId, contractorId), extra));
}

/**
 * What the agency owes a contractor: approved invoices less contractor-leg payments sent. Invoices
 * awaiting approval or queried are listed but not owed yet.
 */
export async function contractorAccount(db: Database, agencyId: string, contractorId: string) {
  const [invoices, paid, runs] = await Promise.all([
    contractorInvoiceRows(db, agencyId, contractorId).orderBy(desc(contractorInvoices.submittedAt)),
    contractorPayments(db, agencyId, contractorId).orderBy(desc(payments.paidOn), desc(payments.recordedAt)),
    db
      .select()
      .from(paymentRuns)
      .where(and(eq(paymentRuns.agencyId, agencyId), eq(paymentRuns.contractorId, contractorId))),
  ]);
  const paidByJob = new Map<string, number>();
  for (const p of paid) paidByJob.set(p.payment.jobId, (paidByJob.get(p.payment.jobId) ?? 0) + p.payment.amountPence);
  const approvedPence = invoices
    .filter((i) => i.invoice.status === 'approved')
    .reduce((s, i) => s + i.invoice.totalPence, 0);
  const paidPence = paid.reduce((s, p) => s + p.payment.amountPence, 0);
  const runById = new Map(runs.map((r) => [r.id, r]));
  // One remittance per payment run; a payment recorded on its own is its own remittance.
  const remittances = new Map<
    string,
    { id: string; reference: string; paidOn: string; amountPence: number; jobs: string[] }
  >();
  for (const p of paid) {
    const run = p.payment.paymentRunId ? runById.get(p.payment.paymentRunId) : undefined;
    const id = run?.id ?? p.payment.id;
    const r = remittances.get(id) ?? {
      id,
      reference: run?.reference ?? p.payment.reference,
      paidOn: run?.paidOn ?? p.payment.paidOn,
      amountPence: 0,
      jobs: [],
    };
    r.amountPence += p.payment.amountPence;
    r.jobs.push(p.jobReference);
    remittances.set(id, r);
  }
  const items = invoices.map((i) => {
    const paidSoFar = paidByJob.get(i.invoice.jobId) ?? 0;
    return {
      id: i.invoice.id,
      jobId: i.invoice.jobId,
      jobReference: i.jobReference,
      jobTitle: i.jobTitle,
      number: i.invoice.number,
      issuedOn: i.invoice.issuedOn,
      submittedAt: i.invoice.submittedAt,
      netPence: i.invoice.netPence,
      vatPence: i.invoice.vatPence,
      totalPence: i.invoice.totalPence,
      status: i.invoice.status,
      queryReason: i.invoice.queryReason,
      paidPence: paidSoFar,
      duePence: Math.max(0, i.invoice.totalPence - paidSoFar),
    };
  });
  return {
    approvedPence,
    paidPence,
    balancePence: approvedPence - paidPence,
    invoices: items,
    /** Not yet paid in full: what is still to come (awaiting approval, or approved). A queried invoice is not:
     * nothing comes of it until the contractor sends the corrected one that replaces it. */
    upcoming: items.filter((i) => i.duePence > 0 && i.status !== 'queried'),
    remittances: [...remittances.values()].sort((a, b) => (a.paidOn < b.paidOn ? 1 : a.paidOn > b.paidOn ? -1 : 0)),
  };
}

/** Approved invoices (by their date) and payments sent (by the date paid) over [from, to], with the balance before. */
export async function contractorStatement(
  db: Database,
  agencyId: string,
  contractorId: string,
  from: string,
  to: string,
): Promise<Statement> {
  const approved = eq(contractorInvoices.status, 'approved');
  const [balance, invoices, paid] = await Promise.all([
    db.execute<{ invoiced: string; paid: string }>(sql`
      select
        (select coalesce(sum(${contractorInvoices.totalPence}), 0) from ${contractorInvoices}
          where ${contractorInvoices.agencyId} = ${agencyId} and ${contractorInvoices.contractorId} = ${contractorId}
            and ${contractorInvoices.status} = 'approved' and ${contractorInvoices.issuedOn} < ${from}) as invoiced,
        (select coalesce(sum(${payments.amountPence}), 0) from ${payments}
          where ${payments.agencyId} = ${agencyId} and ${payments.contractorId} = ${contractorId}
            and ${payments.leg} = 'contractor' and ${payments.paidOn} < ${from}) as paid`),
    contractorInvoiceRows(
      db,
      agencyId,
      contractorId,
      and(approved, gte(contractorInvoices.issuedOn, from), lte(contractorInvoices.issuedOn, to)),
    ),
    contractorPayments(db, agencyId, contractorId, and(gte(payments.paidOn, from), lte(payments.paidOn, to))),
  ]);
  const entries: StatementEntry[] = [
    ...invoices.map((i) => ({
      date: i.invoice.issuedOn,
      type: 'invoice' as const,
      number: i.invoice.number,
      jobReference: i.jobReference,
      description: i.jobTitle,
      invoicedPence: i.invoice.totalPence,
      paidPence: 0,
    })),
    ...paid.map((p) => ({
      date: p.payment.paidOn,
      type: 'payment' as const,
      number: p.payment.reference,
      jobReference: p.jobReference,
      description: `Payment for ${p.jobTitle}`,
      invoicedPence: 0,
      paidPence: p.payment.amountPence,
    })),
  ];
  const before = one(balance);
  return buildStatement(from, to, Number(before.invoiced) - Number(before.paid), entries);
}

/** A remittance advice: a payment run, or a single contractor-leg payment recorded on its own. */
export async function remittance(db: Database, agencyId: string, id: string, contractorId: string | null) {
  const [run] = await db
    .select()
    .from(paymentRuns)
    .where(and(eq(paymentRuns.id, id), eq(paymentRuns.agencyId, agencyId)));
  const lines = await db
    .select({
      payment: payments,
      jobReference: jobs.reference,
      jobTitle: jobs.title,
      invoiceNumber: contractorInvoices.number,
      postcode: properties.postcode,
    })
    .from(payments)
    .innerJoin(jobs, eq(jobs.id, payments.jobId))
    // The paid contractor's invoice for the job (a job re-assigned after a recall has one per contractor).
    .leftJoin(
      contractorInvoices,
      and(eq(contractorInvoices.jobId, payments.jobId), eq(contractorInvoices.contractorId, payments.contractorId)),
    )
    .leftJoin(properties, eq(properties.id, jobs.propertyId))
    .where(
      and(
        eq(payments.agencyId, agencyId),
        eq(payments.leg, 'contractor'),
        run ? eq(payments.paymentRunId, run.id) : and(eq(payments.id, id), isNull(payments.paymentRunId)),
      ),
    )
    .orderBy(asc(jobs.reference));
  // A run, or else the one payment recorded on its own: what the advice is headed with.
  const head = run ?? lines[0]?.payment;
  if (!head) return null;
  const payeeId = head.contractorId;
  // A contractor sees only their own remittances; "not yours" answers as "not there".
  if (contractorId && payeeId !== contractorId) return null;
  const [payee] = payeeId ? await db.select().from(contractors).where(eq(contractors.id, payeeId)) : [];
  const agency = one(await db.select().from(agencies).where(eq(agencies.id, agencyId)), 'agency');
  return {
    id,
    reference: head.reference,
    paidOn: head.paidOn,
    agency: { name: agency.name, email: agency.email, phone: agency.phone },
    payee: payee ? { name: payee.name, company: payee.company, email: payee.email } : null,
    lines: lines.map((l) => ({
      jobReference: l.jobReference,
      jobTitle: l.jobTitle,
      invoiceNumber: l.invoiceNumber,
      postcode: l.postcode,
      amountPence: l.payment.amountPence,
    })),
    totalPence: lines.reduce((s, l) => s + l.payment.amountPence, 0),
  };
}

/** Why an earlier assignment's invoice is not paid through the engine: the job's contractor leg, and what the
 * agency invoice expects for it, are the current contractor's. */
export const SUPERSEDED =
  'The job was recalled and re-assigned: its contractor payment is for the contractor who has it now';

/** Staff's finance desk: invoices to approve or chase, what can be paid per contractor, and recent runs. */
export async function financeOverview(db: Database, agencyId: string) {
  const [invoices, paidRows, runs] = await Promise.all([
    db
      .select({
        invoice: contractorInvoices,
        jobReference: jobs.reference,
        jobTitle: jobs.title,
        jobStatus: jobs.status,
        contractorName: contractors.name,
        raised: sql<boolean>`${agencyInvoices.id} is not null`,
        superseded: sql<boolean>`${contractorInvoices.assignment} <> ${jobs.assignment}`,
      })
      .from(contractorInvoices)
      .innerJoin(jobs, eq(jobs.id, contractorInvoices.jobId))
      .innerJoin(contractors, eq(contractors.id, contractorInvoices.contractorId))
      .leftJoin(agencyInvoices, and(eq(agencyInvoices.jobId, contractorInvoices.jobId), currentInvoice))
      .where(
        and(
          eq(contractorInvoices.agencyId, agencyId),
          inArray(contractorInvoices.status, ['submitted', 'queried', 'approved']),
        ),
      )
      .orderBy(asc(contractorInvoices.submittedAt)),
    db
      .select({
        jobId: payments.jobId,
        contractorId: payments.contractorId,
        paid: sql<string>`sum(${payments.amountPence})`,
      })
      .from(payments)
      .where(and(eq(payments.agencyId, agencyId), eq(payments.leg, 'contractor')))
      .groupBy(payments.jobId, payments.contractorId),
    db
      .select({ run: paymentRuns, contractorName: contractors.name })
      .from(paymentRuns)
      .innerJoin(contractors, eq(contractors.id, paymentRuns.contractorId))
      .where(eq(paymentRuns.agencyId, agencyId))
      .orderBy(desc(paymentRuns.createdAt))
      .limit(20),
  ]);
  // Paid to whom: a job re-assigned after a recall has an invoice from each contractor.
  const paid = new Map(paidRows.map((r) => [`${r.jobId}:${r.contractorId}`, Number(r.paid)]));
  const rows = invoices.map((i) => {
    const paidPence = paid.get(`${i.invoice.jobId}:${i.invoice.contractorId}`) ?? 0;
    return {
      ...i.invoice,
      jobReference: i.jobReference,
      jobTitle: i.jobTitle,
      jobStatus: i.jobStatus,
      contractorName: i.contractorName,
      paidPence,
      duePence: Math.max(0, i.invoice.totalPence - paidPence),
      /** From an earlier assignment of the job (before a recall and re-assignment): not approved or paid through it. */
      superseded: i.superseded,
      /** Why it cannot go in a payment run yet, or null when it can. */
      blocked: i.superseded
        ? SUPERSEDED
        : !i.raised
          ? 'Raise the agency invoice first'
          : i.jobStatus !== 'closed'
            ? 'The job must be closed'
            : null,
    };
  });
  const payable = new Map<string, { contractorId: string; contractorName: string; invoices: typeof rows }>();
  for (const r of rows.filter((r) => r.status === 'approved' && r.duePence > 0)) {
    const group = payable.get(r.contractorId) ?? {
      contractorId: r.contractorId,
      contractorName: r.contractorName,
      invoices: [],
    };
    group.invoices.push(r);
    payable.set(r.contractorId, group);
  }
  return {
    awaiting: rows.filter((r) => r.status !== 'approved'),
    payable: [...payable.values()],
    runs: runs.map((r) => ({ ...r.run, contractorName: r.contractorName })),
  };
}

/** Which client accounts the finance desk lists: `open` is every one that still needs someone (not settled). */
export const CLIENT_MONEY_VIEWS = ['open', 'unpaid', 'partPaid', 'overPaid', 'settled', 'all'] as const;
export type ClientMoneyView = (typeof CLIENT_MONEY_VIEWS)[number];

/** The client leg of one agency invoice: what was invoiced, what has come in (refunds taken off) and where it stands. */
export interface ClientMoney {
  jobId: string;
  jobReference: string;
  jobTitle: string;
  invoiceNumber: string;
  clientName: string | null;
  raisedAt: Date;
  grossPence: number;
  paidPence: number;
  /** Still owed by the client; negative when over-paid (owed back to them). */
  outstandingPence: number;
  state: LegState;
}

/**
 * The credit controller's list: every agency invoice's client money, oldest first, with the view's totals
 * (owed to the agency, owed back to clients) over all of the agency's invoices, whatever the view shows.
 */
export async function clientMoney(db: Database, agencyId: string, view: ClientMoneyView) {
  const [all, credits] = await Promise.all([clientMoneyRows(db, agencyId), agencyCreditNotes(db, agencyId)]);
  const shown = all.filter((r) => (view === 'all' ? true : view === 'open' ? r.state !== 'settled' : r.state === view));
  return {
    view,
    rows: shown,
    /** Credit notes issued (newest first): each cancels an earlier invoice, replaced by the job's current one. */
    creditNotes: credits,
    totals: {
      owedPence: all.reduce((sum, r) => sum + Math.max(0, r.outstandingPence), 0),
      owedBackPence: all.reduce((sum, r) => sum + Math.max(0, -r.outstandingPence), 0),
      counts: Object.fromEntries(
        (['unpaid', 'partPaid', 'overPaid', 'settled'] as const).map((s) => [
          s,
          all.filter((r) => r.state === s).length,
        ]),
      ) as Record<LegState, number>,
    },
  };
}

/** The client money of these jobs (those with an agency invoice), for the markers on the jobs list and job page. */
export async function clientMoneyOf(
  db: Database,
  agencyId: string,
  jobIds: string[],
): Promise<Map<string, ClientMoney>> {
  if (jobIds.length === 0) return new Map();
  return new Map((await clientMoneyRows(db, agencyId, jobIds)).map((r) => [r.jobId, r]));
}

async function clientMoneyRows(db: Database, agencyId: string, jobIds?: string[]): Promise<ClientMoney[]> {
  const rows = await db
    .select({
      jobId: jobs.id,
      jobReference: jobs.reference,
      jobTitle: jobs.title,
      invoiceNumber: agencyInvoices.number,
      clientName: agencyInvoices.clientName,
      raisedAt: agencyInvoices.raisedAt,
      grossPence: agencyInvoices.grossPence,
      paidPence: sql<number>`coalesce((select sum(${payments.amountPence}) from ${payments}
        where ${payments.jobId} = ${jobs.id} and ${payments.leg} = 'client'), 0)::int`,
    })
    .from(agencyInvoices)
    .innerJoin(jobs, eq(jobs.id, agencyInvoices.jobId))
    // The current invoice of each job: a credited one is owed by nobody (its credit note cancelled it).
    .where(
      and(
        eq(agencyInvoices.agencyId, agencyId),
        currentInvoice,
        jobIds ? inArray(agencyInvoices.jobId, jobIds) : undefined,
      ),
    )
    .orderBy(asc(agencyInvoices.raisedAt), asc(jobs.reference));
  return rows.map((r) => ({
    ...r,
    outstandingPence: r.grossPence - r.paidPence,
    state: legState(r.grossPence, r.paidPence),
  }));
}

/** The agency's credit notes, newest first, with their job and the invoice that replaced the credited one. */
export async function agencyCreditNotes(db: Database, agencyId: string, limit = 50) {
  return db
    .select({
      id: creditNotes.id,
      number: creditNotes.number,
      jobId: creditNotes.jobId,
      jobReference: jobs.reference,
      invoiceNumber: creditNotes.invoiceNumber,
      grossPence: creditNotes.grossPence,
      reason: creditNotes.reason,
      issuedAt: creditNotes.issuedAt,
      clientName: creditNotes.clientName,
      replacedBy: sql<
        string | null
      >`(select ${agencyInvoices.number} from ${agencyInvoices} where ${agencyInvoices.jobId} = ${creditNotes.jobId} and ${agencyInvoices.seq} = ${creditNotes.seq})`,
    })
    .from(creditNotes)
    .innerJoin(jobs, eq(jobs.id, creditNotes.jobId))
    .where(eq(creditNotes.agencyId, agencyId))
    .orderBy(desc(creditNotes.issuedAt), desc(creditNotes.number))
    .limit(limit);
}
