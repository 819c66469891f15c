// Financial close-out: contractor invoices, the agency's invoice to the client, the payments ledger and
// payment runs (remittances). Invoices raised/submitted and payments are projections of engine events,
// written in the engine's own transaction (activities/finance/project.ts); approval and payment runs are
// finance records of their own. Money is integer pence; dates without a time are `date` (ISO strings).
import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { agencies } from './agency.ts';
import { contractors } from './directory.ts';
import { attachments, jobs } from './jobs.ts';

export const CONTRACTOR_INVOICE_STATUSES = ['submitted', 'approved', 'queried'] as const;
export type ContractorInvoiceStatus = (typeof CONTRACTOR_INVOICE_STATUSES)[number];

/** A contractor's invoice for a job: one per assignment of the job (the machine takes one per assignment, so a
 * job recalled and re-assigned carries the first contractor's invoice and the next one's). */
export const contractorInvoices = pgTable(
  'contractor_invoices',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    jobId: uuid()
      .notNull()
      .references(() => jobs.id),
    contractorId: uuid()
      .notNull()
      .references(() => contractors.id),
    number: text().notNull(),
    issuedOn: date({ mode: 'string' }).notNull(),
    netPence: integer().notNull(),
    vatPence: integer().notNull(),
    totalPence: integer().notNull(),
    documentId: uuid().references(() => attachments.id),
    status: text({ enum: CONTRACTOR_INVOICE_STATUSES }).notNull().default('submitted'),
    queryReason: text(),
    decidedBy: text(),
    decidedAt: timestamp({ withTimezone: true }),
    submittedAt: timestamp({ withTimezone: true }).notNull(),
    /** The engine event that submitted it. */
    seq: integer().notNull(),
    /** The job's assignment it invoices (the machine's `assignment`; jobs.assignment is the current one). */
    assignment: integer().notNull().default(1),
  },
  (t) => [
    uniqueIndex().on(t.jobId, t.assignment),
    index().on(t.agencyId, t.status),
    index().on(t.contractorId, t.issuedOn),
    check(
      'contractor_invoice_sum',
      sql`${t.netPence} >= 0 and ${t.vatPence} >= 0 and ${t.netPence} + ${t.vatPence} = ${t.totalPence}`,
    ),
  ],
);

/**
 * The agency's invoices to the client for a job. An issued invoice is never edited: re-raising credits it in
 * full (a credit note, below) and issues a new invoice with a new number. The credited row stays, marked with
 * who credited it, when and by which credit note; the one not credited is the job's current invoice.
 */
export const agencyInvoices = pgTable(
  'agency_invoices',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    jobId: uuid()
      .notNull()
      .references(() => jobs.id),
    number: text().notNull(),
    agentNetPence: integer().notNull(),
    vatRateBp: integer().notNull(),
    vatPence: integer().notNull(),
    grossPence: integer().notNull(),
    contractorTotalPence: integer().notNull(),
    commissionPence: integer().notNull(),
    /** What the landlord approved for the work, when known. */
    budgetPence: integer(),
    /** Who the invoice is to and their billing address (lines): the landlord or a named client. Null only on
     * invoices raised before these were asked for. */
    clientName: text(),
    clientAddress: text(),
    raisedBy: text().notNull(),
    raisedAt: timestamp({ withTimezone: true }).notNull(),
    seq: integer().notNull(),
    /** Set when a credit note cancelled it (the invoice was re-raised): who, when and which credit note. */
    creditedBy: text(),
    creditedAt: timestamp({ withTimezone: true }),
    creditNoteNumber: text(),
  },
  (t) => [
    // One current invoice per job; credited ones stay beside it.
    uniqueIndex('agency_invoices_current_job_index')
      .on(t.jobId)
      .where(sql`${t.creditedAt} is null`),
    index().on(t.jobId),
    uniqueIndex().on(t.agencyId, t.number),
    check('agency_invoice_gross', sql`${t.agentNetPence} + ${t.vatPence} = ${t.grossPence}`),
  ],
);

/**
 * A credit note cancelling one agency invoice in full, numbered in the agency's own sequence (CN-000001, …;
 * agencies.next_credit_note_number). Amounts are positive, as on the invoice they credit: the document and
 * the ledger label them as a credit. Written by the engine's projection of the RAISE_INVOICE that re-raised it.
 */
export const creditNotes = pgTable(
  'credit_notes',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    jobId: uuid()
      .notNull()
      .references(() => jobs.id),
    number: text().notNull(),
    invoiceId: uuid()
      .notNull()
      .references(() => agencyInvoices.id),
    /** The credited invoice's number and date, as the credit note prints them. */
    invoiceNumber: text().notNull(),
    invoiceRaisedAt: timestamp({ withTimezone: true }).notNull(),
    netPence: integer().notNull(),
    vatRateBp: integer().notNull(),
    vatPence: integer().notNull(),
    grossPence: integer().notNull(),
    clientName: text(),
    clientAddress: text(),
    reason: text().notNull(),
    issuedBy: text().notNull(),
    issuedAt: timestamp({ withTimezone: true }).notNull(),
    /** The engine event (the re-raise) that issued it. */
    seq: integer().notNull(),
  },
  (t) => [
    uniqueIndex().on(t.agencyId, t.number),
    uniqueIndex().on(t.invoiceId),
    index().on(t.jobId),
    check(
      'credit_note_amounts',
      sql`${t.netPence} >= 0 and ${t.vatPence} >= 0 and ${t.netPence} + ${t.vatPence} = ${t.grossPence}`,
    ),
  ],
);

/** A contractor payment run: one remittance advice covering one contractor-leg payment per job. */
export const paymentRuns = pgTable(
  'payment_runs',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    contractorId: uuid()
      .notNull()
      .references(() => contractors.id),
    /** The bank reference printed on the remittance. */
    reference: text().notNull(),
    paidOn: date({ mode: 'string' }).notNull(),
    totalPence: integer().notNull(),
    /** The caller's idempotency key: a resubmitted run finds this row and completes it. */
    key: text().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex().on(t.agencyId, t.key),
    uniqueIndex().on(t.agencyId, t.reference),
    index().on(t.contractorId, t.paidOn),
  ],
);

/** The payments ledger: one row per accepted RECORD_PAYMENT event. Append-only. */
export const payments = pgTable(
  'payments',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    jobId: uuid()
      .notNull()
      .references(() => jobs.id),
    leg: text({ enum: ['client', 'contractor', 'commission'] }).notNull(),
    amountPence: integer().notNull(),
    reference: text().notNull(),
    paidOn: date({ mode: 'string' }).notNull(),
    /** Idempotency key, unique per job: a double submit never records twice. */
    key: text().notNull(),
    /** For the contractor leg: who was paid (the job's contractor when recorded). */
    contractorId: uuid().references(() => contractors.id),
    paymentRunId: uuid().references(() => paymentRuns.id),
    recordedBy: text().notNull(),
    recordedAt: timestamp({ withTimezone: true }).notNull(),
    seq: integer().notNull(),
  },
  (t) => [
    uniqueIndex().on(t.jobId, t.key),
    index().on(t.agencyId, t.paidOn),
    index().on(t.contractorId, t.paidOn),
    index().on(t.paymentRunId),
    // Never nothing: money into the leg, or (negative) a refund out of it.
    check('payment_nonzero', sql`${t.amountPence} <> 0`),
  ],
);
