// The financial close-out over a real database and the embedded engine: the contractor's invoice, the
// agency's invoice, payments into the ledger (idempotent), payment runs and remittances, reconciliation
// to Payment Complete, the contractor's balance and statement — and who may do what.
import { CONFIRM_INVOICE, CONFIRM_SEPARATE_PAYMENT } from '#workflows/rules.ts';
import { one } from '#db/rows.ts';
import { TRPCError } from '@trpc/server';
import { and, eq } from 'drizzle-orm';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordTransition } from '#activities/record-transition.ts';
import { renderInvoice } from '#activities/pdf/invoice.ts';
import { renderRemittance } from '#activities/pdf/remittance.ts';
import { renderStatement } from '#activities/pdf/statement.ts';
import {
  agencyInvoices,
  attachments,
  agencies,
  auditLog,
  contractorInvoices,
  creditNotes,
  emails,
  jobEvents,
  jobs,
  outbox,
  paymentRuns,
  payments,
} from '#db/schema/index.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { toFailure } from '#lib/server/forms.ts';
import { statementCsv } from '#activities/finance/statement.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createDispatcher } from '#worker/embedded/dispatcher.ts';
import { createActivities } from '#activities/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { callerFor, contractorOf, staffOf } from '../support/callers.ts';
import { pageActions, post, provideTestRuntime } from '../support/actions.ts';
import { createAgency } from '../support/fixtures.ts';
import { seedDemo } from '#worker/seed/demo.ts';
import { seedFinance } from '#worker/seed/finance.ts';
import { ukDay } from '#workflows/time.ts';

/** Who the agency's invoices in these tests are to. */
const CLIENT = { clientName: 'Lee Landlord', clientAddress: '9 Billing Road, Bristol BS1 4ST' };

let database: TestDatabase;
let a: Awaited<ReturnType<typeof createAgency>>;
let b: Awaited<ReturnType<typeof createAgency>>;

const as = (user: SessionUser | null) => callerFor(database.db, user);
const staff = () => as(staffOf(a));
/** Runs the engine's pending effects (notifications → the emails outbox), as the worker's dispatcher would. */
const runEffects = () =>
  createDispatcher({
    sql: database.sql,
    engine: createEmbeddedEngine({ db: database.db }),
    activities: createActivities({ db: database.db }),
  }).drain();
const pat = () => as(contractorOf(a, 0));
const today = () => new Date().toISOString().slice(0, 10);

async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, verbosity: 0 }).promise;
  let out = '';
  for (let n = 1; n <= pdf.numPages; n++)
    out += (await (await pdf.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ') + '\n';
  return out;
}

async function codeOf(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(TRPCError);
  return (e as TRPCError).code;
}

/** A job Pat has completed, with an invoice document uploaded to it. */
async function completedJob(title = 'Leaking tap') {
  const { id } = await staff().jobs.create({ title, priorityCode: 'P2', propertyId: a.property.id });
  await staff().jobs.send({ id, command: { type: 'OFFER', contractorId: a.contractors[0].id } });
  await pat().jobs.send({ id, command: { type: 'ACCEPT' } });
  await pat().jobs.send({ id, command: { type: 'START' } });
  await pat().jobs.send({ id, command: { type: 'COMPLETE', note: 'Replaced the washer' } });
  const [doc] = await database.db
    .insert(attachments)
    .values({
      agencyId: a.agency.id,
      jobId: id,
      uploadedBy: `contractor:${a.contractors[0].id}`,
      kind: 'invoice',
      fileName: 'inv.pdf',
      contentType: 'application/pdf',
      sizeBytes: 10,
      storageKey: `test/${id}`,
    })
    .returning();
  return { id, documentId: doc!.id };
}

beforeAll(async () => {
  database = await createTestDatabase();
  a = await createAgency(database.db, 'Agency A');
  b = await createAgency(database.db, 'Agency B');
});
afterAll(() => database?.close());

describe('the whole close-out through the engine', () => {
  it('invoice, approval, agency invoice, payments and a payment run reach Payment Complete, with the ledger and audit agreeing', async () => {
    const { id, documentId } = await completedJob();

    // The contractor invoices: £150.00 + £30.00 VAT. Staff are told (a notify effect in the outbox).
    const submitted = await pat().portal.submitInvoice({
      jobId: id,
      number: 'PP-1001',
      issuedOn: today(),
      netPence: 15000,
      vatPence: 3000,
      documentId,
    });
    expect(submitted.invoice).toMatchObject({ number: 'PP-1001', totalPence: 18000 });
    const [inv] = await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, id));
    expect(inv).toMatchObject({
      status: 'submitted',
      totalPence: 18000,
      documentId,
      contractorId: a.contractors[0].id,
      issuedOn: today(),
    });
    const effects = await database.db.select().from(outbox).where(eq(outbox.jobId, id));
    expect(effects.some((e) => JSON.stringify(e.effect).includes('invoiceSubmitted'))).toBe(true);
    // One invoice per job: the machine refuses a second.
    expect(
      await codeOf(
        pat().portal.submitInvoice({
          jobId: id,
          number: 'PP-1002',
          issuedOn: today(),
          netPence: 1,
          vatPence: 0,
          documentId,
        }),
      ),
    ).toBe('CONFLICT');

    // Staff query it (through the engine): Pat is emailed the reason, sees it in the portal and may invoice again.
    const patEmail = a.contractors[0].email;
    const mailTo = async (fragment: string) =>
      (await database.db.select().from(emails).where(eq(emails.to, patEmail))).filter((m) => m.body.includes(fragment));
    await staff().finance.queryInvoice({ invoiceId: inv!.id, reason: 'Please itemise parts' });
    expect((await pat().portal.account()).invoices[0]).toMatchObject({
      status: 'queried',
      queryReason: 'Please itemise parts',
    });
    await runEffects();
    const queriedMail = await mailTo('Please itemise parts');
    expect(queriedMail).toHaveLength(1);
    expect(queriedMail[0]!.body).toContain('PP-1001');
    expect(queriedMail[0]!.subject).toContain('Invoice queried');
    expect((await pat().portal.myJobInvoice({ jobId: id })).canSubmit).toBe(true);
    expect((await pat().portal.job({ id })).needsAction).toBe('invoice');
    // A queried invoice is not approved (nor queried twice): the corrected one is.
    expect(await codeOf(staff().finance.approveInvoice({ invoiceId: inv!.id }))).toBe('CONFLICT');
    expect(await codeOf(staff().finance.queryInvoice({ invoiceId: inv!.id, reason: 'Again' }))).toBe('CONFLICT');
    expect((await pat().portal.account()).balancePence).toBe(0);

    // Pat resubmits a corrected invoice (£150.00 + £30.00, itemised): it replaces the queried one, one row per job.
    await pat().portal.submitInvoice({
      jobId: id,
      number: 'PP-1001A',
      issuedOn: today(),
      netPence: 15000,
      vatPence: 3000,
      documentId,
    });
    const rows = await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: inv!.id,
      number: 'PP-1001A',
      status: 'submitted',
      queryReason: null,
      totalPence: 18000,
    });
    expect(rows[0]!.seq).toBeGreaterThan(inv!.seq);
    expect((await pat().portal.myJobInvoice({ jobId: id })).canSubmit).toBe(false);

    // Staff approve it: audited, and Pat is emailed once even if approval is repeated.
    await staff().finance.approveInvoice({ invoiceId: inv!.id });
    await staff().finance.approveInvoice({ invoiceId: inv!.id });
    expect(await mailTo('PP-1001A for job')).toHaveLength(1);
    expect((await mailTo('has been approved'))[0]!.subject).toContain('Invoice approved');
    const audits = await database.db.select().from(auditLog).where(eq(auditLog.jobId, id));
    expect(audits.map((r) => r.action)).toEqual(
      expect.arrayContaining(['job.query_invoice', 'finance.invoice_approved']),
    );
    expect(audits.find((r) => r.action === 'job.query_invoice')?.detail).toMatchObject({
      reason: 'Please itemise parts',
    });
    const history = await database.db.select().from(jobEvents).where(eq(jobEvents.jobId, id));
    expect(history.map((e) => e.type).filter((t) => t.endsWith('_INVOICE'))).toEqual([
      'SUBMIT_INVOICE',
      'QUERY_INVOICE',
      'SUBMIT_INVOICE',
    ]);
    expect((await pat().portal.account()).balancePence).toBe(18000);

    // Payments before the invoice is raised are refused; the agency invoice needs the job closed.
    await staff().jobs.send({ id, command: { type: 'CLOSE' } });
    expect(
      await codeOf(
        staff().finance.recordPayment({
          jobId: id,
          key: 'client-early',
          leg: 'client',
          amountPence: 100,
          reference: 'X',
          paidOn: today(),
        }),
      ),
    ).toBe('CONFLICT');

    // £200.01 net at the agency's 20 %: VAT £40.00 (40.002 rounds down), gross £240.01.
    const raised = await staff().finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: 'INV-9001',
      agentNetPence: 20001,
      contractorTotalPence: 18000,
      budgetPence: 25000,
    });
    expect(raised.invoice).toMatchObject({ vatPence: 4000, agentGrossPence: 24001 });
    let tab = await staff().finance.job({ jobId: id });
    expect(tab.invoice).toMatchObject({
      number: 'INV-9001',
      vatRateBp: 2000,
      vatPence: 4000,
      grossPence: 24001,
      commissionPence: 5001,
      budgetPence: 25000,
    });
    expect(tab.legs?.map((l) => l.state)).toEqual(['unpaid', 'unpaid', 'unpaid']);

    // Client pays in two parts; the first is submitted twice and recorded once.
    const first = {
      jobId: id,
      key: 'client-part-1',
      leg: 'client' as const,
      amountPence: 10000,
      reference: 'BACS 1',
      paidOn: today(),
    };
    expect((await staff().finance.recordPayment(first)).duplicate).toBe(false);
    expect((await staff().finance.recordPayment(first)).duplicate).toBe(true);
    const both = await Promise.all([
      staff().finance.recordPayment({ ...first, key: 'client-part-2', amountPence: 14001 }),
      staff().finance.recordPayment({ ...first, key: 'client-part-2', amountPence: 14001 }),
    ]);
    expect(both.map((r) => r.duplicate).sort()).toEqual([false, true]);
    tab = await staff().finance.job({ jobId: id });
    expect(tab.payments.filter((p) => p.leg === 'client').map((p) => p.amountPence)).toEqual([10000, 14001]);
    expect(tab.legs?.find((l) => l.leg === 'client')).toMatchObject({
      state: 'settled',
      paidPence: 24001,
      outstandingPence: 0,
    });

    // The contractor is paid in a payment run (resubmitted: still one payment), commission last.
    const overview = await staff().finance.overview();
    const group = overview.payable.find((g) => g.contractorId === a.contractors[0].id)!;
    expect(group.invoices.map((i) => i.id)).toContain(inv!.id);
    const runInput = {
      contractorId: a.contractors[0].id,
      invoiceIds: [inv!.id],
      reference: 'RUN-2026-11-A',
      paidOn: today(),
      key: 'run-key-0001',
    };
    // Submitted twice at once, and once more afterwards: one run, one payment.
    const [run, again] = await Promise.all([
      staff().finance.createPaymentRun(runInput),
      staff().finance.createPaymentRun(runInput),
    ]);
    expect(again.runId).toBe(run.runId);
    expect((await staff().finance.createPaymentRun(runInput)).runId).toBe(run.runId);
    const contractorLeg = await database.db
      .select()
      .from(payments)
      .where(and(eq(payments.jobId, id), eq(payments.leg, 'contractor')));
    expect(contractorLeg).toHaveLength(1);
    expect(contractorLeg[0]).toMatchObject({
      amountPence: 18000,
      paymentRunId: run.runId,
      reference: 'RUN-2026-11-A',
      contractorId: a.contractors[0].id,
    });
    expect((await staff().jobs.get({ id })).state.status).toBe('closed');

    const done = await staff().finance.recordPayment({
      jobId: id,
      key: 'commission-1',
      leg: 'commission',
      amountPence: 5001,
      reference: 'Transfer',
      paidOn: today(),
    });
    expect(done.status).toBe('paymentComplete');
    const [row] = await database.db.select().from(jobs).where(eq(jobs.id, id));
    expect(row!.status).toBe('paymentComplete');

    // Ledger = engine: every accepted RECORD_PAYMENT has exactly one ledger row, and each is audited.
    const events = await database.db
      .select()
      .from(jobEvents)
      .where(and(eq(jobEvents.jobId, id), eq(jobEvents.type, 'RECORD_PAYMENT')));
    const ledger = await database.db.select().from(payments).where(eq(payments.jobId, id));
    expect(ledger.map((p) => p.seq).sort()).toEqual(events.map((e) => e.seq).sort());
    const paymentAudits = (await database.db.select().from(auditLog).where(eq(auditLog.jobId, id))).filter(
      (r) => r.action === 'job.record_payment',
    );
    expect(paymentAudits).toHaveLength(4);

    // The contractor's side: balance back to nothing, the remittance, and the statement.
    const account = await pat().portal.account();
    expect(account).toMatchObject({ approvedPence: 18000, paidPence: 18000, balancePence: 0 });
    expect(account.remittances[0]).toMatchObject({ id: run.runId, reference: 'RUN-2026-11-A', amountPence: 18000 });
    const advice = await pat().portal.myRemittance({ id: run.runId });
    expect(advice.lines).toEqual([expect.objectContaining({ invoiceNumber: 'PP-1001A', amountPence: 18000 })]);
    expect(await codeOf(as(contractorOf(a, 1)).portal.myRemittance({ id: run.runId }))).toBe('NOT_FOUND');

    const { statement } = await pat().portal.statement({ from: today(), to: today() });
    expect(statement.openingPence).toBe(0);
    expect(statement.lines.map((l) => [l.type, l.number, l.balancePence])).toEqual([
      ['invoice', 'PP-1001A', 18000],
      ['payment', 'RUN-2026-11-A', 0],
    ]);
    const csv = statementCsv(statement).split('\r\n');
    expect(csv[0]).toBe('Date,Type,Number,Job,Description,Invoiced,Paid,Balance');
    expect(csv[2]).toContain(',Invoice,PP-1001A,');
    expect(csv[2]).toMatch(/,180\.00,,180\.00$/);
    // The documents say what the data says: with the agency's VAT number, a full VAT invoice.
    await database.db
      .update(agencies)
      .set({ address: '1 Agency Row, London SW1A 2AA', vatNumber: 'GB123456782' })
      .where(eq(agencies.id, a.agency.id));
    const doc = await staff().finance.invoiceDocument({ jobId: id });
    const invoiceText = await pdfText(
      await renderInvoice({
        ...doc.invoice,
        agency: doc.agency,
        property: doc.property,
        job: doc.job,
        generatedAt: new Date(),
      }),
    );
    for (const t of [
      'Invoice INV-9001',
      '£200.01',
      'VAT (20%)',
      '£40.00',
      '£240.01',
      'Total due',
      doc.job.reference,
      '1 Test Street',
      'SW1A 1AA',
      'VAT INVOICE',
      '1 Agency Row',
      'VAT registration number',
      'GB 123 4567 82',
      'Tax point',
      CLIENT.clientName,
      '9 Billing Road',
    ])
      expect(invoiceText).toContain(t);
    expect(invoiceText).not.toContain('The landlord');
    const remitText = await pdfText(await renderRemittance({ ...advice, generatedAt: new Date() }));
    for (const t of ['Remittance advice', 'RUN-2026-11-A', 'PP-1001', '£180.00', 'Pat Plumber'])
      expect(remitText).toContain(t);
    const mine = await pat().portal.statement({ from: today(), to: today() });
    const statementText = await pdfText(
      await renderStatement({ ...mine, contractor: mine.contractor!, generatedAt: new Date() }),
    );
    for (const t of ['Statement of account', 'PP-1001', 'RUN-2026-11-A', '£180.00', 'Owed to you at close', '£0.00'])
      expect(statementText).toContain(t);

    // The next day's statement opens with what was owed at its start.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await pat().portal.statement({ from: tomorrow, to: tomorrow })).statement).toMatchObject({
      openingPence: 0,
      lines: [],
    });
  });
});

describe('the ledger projection', () => {
  it('is idempotent: a retried transition (as Temporal retries activities) writes no second payment and never rolls an invoice back', async () => {
    const { id } = await completedJob('Retried projection');
    await staff().jobs.send({ id, command: { type: 'CLOSE' } });
    await staff().finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: 'INV-RETRY-1',
      agentNetPence: 1000,
      contractorTotalPence: 500,
    });
    await staff().finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: 'INV-RETRY-2',
      agentNetPence: 2000,
      contractorTotalPence: 500,
      creditReason: 'Agent price corrected',
    });
    await staff().finance.recordPayment({
      jobId: id,
      key: 'retry-client-1',
      leg: 'client',
      amountPence: 700,
      reference: 'BACS',
      paidOn: ukDay(new Date()),
    });
    const view = await createEmbeddedEngine({ db: database.db }).get(id);
    const history = await database.db.select().from(jobEvents).where(eq(jobEvents.jobId, id));
    // Replay the first of each again (and the re-raise, which credited INV-RETRY-1), with the state as it is now.
    for (const [type, nth] of [
      ['RAISE_INVOICE', 0],
      ['RAISE_INVOICE', 1],
      ['RECORD_PAYMENT', 0],
    ] as const) {
      const e = history.filter((h) => h.type === type)[nth];
      const event = {
        type,
        actor: { id: e!.actorId, role: e!.actorRole },
        at: e!.at.toISOString(),
        ...(e!.payload as object),
      } as never;
      await database.db.transaction((tx) =>
        recordTransition(tx, {
          jobId: id,
          seq: e!.seq,
          event,
          from: e!.fromStatus as never,
          state: view,
          at: e!.at.toISOString(),
        }),
      );
    }
    const ledger = await database.db.select().from(payments).where(eq(payments.jobId, id));
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ amountPence: 700, paidOn: ukDay(new Date()) });
    const invoices = await database.db
      .select()
      .from(agencyInvoices)
      .where(eq(agencyInvoices.jobId, id))
      .orderBy(agencyInvoices.seq);
    expect(invoices).toMatchObject([
      { number: 'INV-RETRY-1', agentNetPence: 1000 },
      { number: 'INV-RETRY-2', agentNetPence: 2000, creditedAt: null },
    ]);
    expect(invoices[0]!.creditNoteNumber).toMatch(/^CN-\d{6}$/);
    // One credit note, audited once.
    expect(await database.db.select().from(creditNotes).where(eq(creditNotes.jobId, id))).toHaveLength(1);
    const credits = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.jobId, id), eq(auditLog.action, 'finance.credit_note')));
    expect(credits).toHaveLength(1);
  });
});

describe('reconciliation shows what is wrong', () => {
  it('an over-paid leg is shown as over-paid and the job does not complete', async () => {
    const { id } = await completedJob('Over-paid job');
    await staff().jobs.send({ id, command: { type: 'CLOSE' } });
    await staff().finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: 'INV-OVER',
      agentNetPence: 10000,
      contractorTotalPence: 8000,
      commissionPence: 2000,
    });
    await staff().finance.recordPayment({
      jobId: id,
      key: 'client-over',
      leg: 'client',
      amountPence: 12500,
      reference: 'BACS',
      paidOn: today(),
    });
    await staff().finance.recordPayment({
      jobId: id,
      key: 'contractor-part',
      leg: 'contractor',
      amountPence: 5000,
      reference: 'BACS',
      paidOn: today(),
    });
    await staff().finance.recordPayment({
      jobId: id,
      key: 'commission-all',
      leg: 'commission',
      amountPence: 2000,
      reference: 'BACS',
      paidOn: today(),
    });
    const tab = await staff().finance.job({ jobId: id });
    expect(tab.legs).toEqual([
      expect.objectContaining({ leg: 'client', state: 'overPaid', outstandingPence: -500 }),
      expect.objectContaining({ leg: 'contractor', state: 'partPaid', outstandingPence: 3000 }),
      expect.objectContaining({ leg: 'commission', state: 'settled' }),
    ]);
    expect(tab.job.status).toBe('closed');
    // A payment recorded on its own is its own remittance advice for the contractor.
    const account = await pat().portal.account();
    const single = account.remittances.find((r) => r.jobs.includes(tab.job.reference))!;
    expect((await pat().portal.myRemittance({ id: single.id })).totalPence).toBe(5000);
  });
});

describe('an over-payment can be put right', () => {
  it('a refund of the excess settles the leg and the job reaches Payment Complete; a refund of more than was paid is refused', async () => {
    const { id } = await completedJob('Refunded over-payment');
    await staff().jobs.send({ id, command: { type: 'CLOSE' } });
    await staff().finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: 'INV-REFUND',
      agentNetPence: 20000,
      contractorTotalPence: 0,
      commissionPence: 0,
    });
    const pay = { jobId: id, leg: 'client', reference: 'BACS', paidOn: today() } as const;
    await staff().finance.recordPayment({ ...pay, key: 'refund-client-paid', amountPence: 25000 });
    expect((await staff().finance.job({ jobId: id })).legs?.[0]).toMatchObject({
      leg: 'client',
      state: 'overPaid',
      outstandingPence: -1000,
    });
    const tooMuch = await staff()
      .finance.recordPayment({ ...pay, key: 'refund-too-much', amountPence: 25001, refund: true })
      .catch((e: TRPCError) => e);
    expect(tooMuch).toMatchObject({
      code: 'CONFLICT',
      message: 'A refund cannot be more than the leg has been paid (£250.00)',
    });
    await staff().finance.recordPayment({
      ...pay,
      key: 'refund-excess',
      amountPence: 1000,
      refund: true,
      reference: 'Refund BACS',
    });
    const tab = await staff().finance.job({ jobId: id });
    expect(tab.legs?.[0]).toMatchObject({ leg: 'client', state: 'settled', paidPence: 24000 });
    expect(tab.job.status).toBe('paymentComplete');
    const ledger = await database.db.select().from(payments).where(eq(payments.jobId, id));
    expect(ledger.map((p) => p.amountPence).sort((x, y) => x - y)).toEqual([-1000, 25000]);
    const audited = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.jobId, id), eq(auditLog.action, 'job.record_payment')));
    expect(audited).toHaveLength(2);
  });
});

describe('an invoice that loses money or charges nothing', () => {
  it('is refused with the warning (nothing stored) until staff confirm it', async () => {
    const { id } = await completedJob('Below cost');
    await staff().jobs.send({ id, command: { type: 'CLOSE' } });
    const invoice = { ...CLIENT, jobId: id, number: 'INV-LOSS', agentNetPence: 15000, contractorTotalPence: 18000 };
    const warned = await staff()
      .finance.raiseInvoice(invoice)
      .catch((e: TRPCError) => e);
    expect(warned).toMatchObject({
      code: 'CONFLICT',
      message: `The agent price (£150.00 ex VAT) is below the contractor's cost (£180.00): the agency would lose £30.00. ${CONFIRM_INVOICE}`,
    });
    const free = await staff()
      .finance.raiseInvoice({ ...CLIENT, ...invoice, agentNetPence: 0 })
      .catch((e: TRPCError) => e);
    expect(free).toMatchObject({ message: `This invoice charges the client nothing (£0.00). ${CONFIRM_INVOICE}` });
    expect(await database.db.select().from(agencyInvoices).where(eq(agencyInvoices.jobId, id))).toEqual([]);

    await staff().finance.raiseInvoice({ ...CLIENT, ...invoice, confirmed: true });
    expect((await staff().finance.job({ jobId: id })).invoice).toMatchObject({
      agentNetPence: 15000,
      contractorTotalPence: 18000,
    });
  });
});

describe('the finance desk', () => {
  it('lists client money owed, part paid and over-paid with totals, and flags it on the jobs list and job header', async () => {
    const { id } = await completedJob('Desk job');
    await staff().jobs.send({ id, command: { type: 'CLOSE' } });
    await staff().finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: 'INV-DESK',
      agentNetPence: 10000,
      contractorTotalPence: 0,
      commissionPence: 0,
    });
    const row = async (view: 'open' | 'unpaid' | 'partPaid' | 'overPaid' | 'settled' | 'all') =>
      (await staff().finance.clientMoney({ view })).rows.find((r) => r.jobId === id);
    const marker = async () => (await staff().jobs.get({ id })).clientMoney;
    const listed = async () =>
      (await staff().jobs.list({ q: 'desk job', limit: 50 })).items.find((j) => j.id === id)?.clientMoney;

    expect(await row('unpaid')).toMatchObject({
      clientName: CLIENT.clientName,
      grossPence: 12000,
      outstandingPence: 12000,
    });
    expect(await marker()).toEqual({ state: 'unpaid', outstandingPence: 12000 });

    const pay = { jobId: id, leg: 'client', paidOn: today() } as const;
    await staff().finance.recordPayment({ ...pay, key: 'desk-part', amountPence: 5000, reference: 'BACS D1' });
    expect(await row('partPaid')).toMatchObject({ paidPence: 5000, outstandingPence: 7000, state: 'partPaid' });
    expect(await row('unpaid')).toBeUndefined();
    expect(await listed()).toEqual({ state: 'partPaid', outstandingPence: 7000 });
    const desk = await staff().finance.clientMoney({ view: 'open' });
    expect(desk.totals.owedPence).toBeGreaterThanOrEqual(7000);
    expect(desk.rows.every((r) => r.state !== 'settled')).toBe(true);

    await staff().finance.recordPayment({ ...pay, key: 'desk-over', amountPence: 8000, reference: 'BACS D2' });
    expect(await row('overPaid')).toMatchObject({ outstandingPence: -1000 });
    expect(await marker()).toEqual({ state: 'overPaid', outstandingPence: -1000 });
    expect((await staff().finance.clientMoney({ view: 'overPaid' })).totals.owedBackPence).toBeGreaterThanOrEqual(1000);

    // Refunding the excess settles the client leg (and, every leg settled, the job): no marker, off the open list.
    await staff().finance.recordPayment({
      ...pay,
      key: 'desk-refund',
      amountPence: 1000,
      refund: true,
      reference: 'Refund D',
    });
    expect(await row('settled')).toMatchObject({ outstandingPence: 0 });
    expect(await row('open')).toBeUndefined();
    expect(await marker()).toBeNull();
    // Another agency sees none of it.
    expect((await as(staffOf(b)).finance.clientMoney({ view: 'all' })).rows.some((r) => r.jobId === id)).toBe(false);
  });
});

describe('the same receipt recorded twice', () => {
  it('is refused from a second tab (nothing stored, the leg not settled), and recorded once confirmed as separate', async () => {
    const { id } = await completedJob('Same receipt twice');
    await staff().jobs.send({ id, command: { type: 'CLOSE' } });
    await staff().finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: 'INV-TWICE',
      agentNetPence: 20000,
      contractorTotalPence: 0,
      commissionPence: 0,
    });
    // Half the client's money arrives; two people (two tabs, two keys) enter the same bank line.
    const line = { jobId: id, leg: 'client', amountPence: 12000, reference: 'BACS 7781', paidOn: today() } as const;
    await staff().finance.recordPayment({ ...line, key: 'first-tab' });
    const again = await staff()
      .finance.recordPayment({ ...line, key: 'second-tab', reference: 'bacs 7781' })
      .catch((e: TRPCError) => e);
    expect(again).toMatchObject({ code: 'CONFLICT' });
    expect((again as TRPCError).message).toMatch(
      new RegExp(
        `^A payment of £120\\.00 on the client leg with reference BACS 7781 on .+ is already recorded\\. ${CONFIRM_SEPARATE_PAYMENT.replace(/[.]/g, '\\.')}$`,
      ),
    );
    let tab = await staff().finance.job({ jobId: id });
    expect(tab.payments).toHaveLength(1);
    expect(tab.legs?.[0]).toMatchObject({ leg: 'client', state: 'partPaid', outstandingPence: 12000 });

    // It really was a second payment of the same amount: confirmed, it is recorded and the job settles.
    const confirmed = await staff().finance.recordPayment({ ...line, key: 'second-tab', separate: true });
    expect(confirmed.duplicate).toBe(false);
    tab = await staff().finance.job({ jobId: id });
    expect(tab.payments.map((p) => p.amountPence)).toEqual([12000, 12000]);
    expect(tab.job.status).toBe('paymentComplete');
    const audited = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.jobId, id), eq(auditLog.action, 'job.record_payment')));
    expect(audited).toHaveLength(2);
  });
});

describe('refusals write nothing', () => {
  it("the job's finance forms say what is wrong in their labels' words", async () => {
    provideTestRuntime(database.db);
    const page = await pageActions('(console)/jobs/[id=uuid]/finance');
    const { id } = await completedJob('Form words');
    const said = async (action: string, fields: Record<string, string>) =>
      ((await post(page[action]!, { id }, staffOf(a), fields)) as { data: { error: string } }).data.error;
    expect(
      await said('raise', { ...CLIENT, number: ' ', agentNetPence: '150.00', contractorTotalPence: '120.00' }),
    ).toBe('Enter the invoice number');
    expect(await said('raise', { number: 'INV-WORDS', agentNetPence: 'lots', contractorTotalPence: '120.00' })).toBe(
      'Enter the agent price ex VAT in pounds, e.g. 120.50',
    );
    expect(
      await said('pay', {
        key: 'form-words-1',
        leg: 'client',
        kind: 'payment',
        amountPence: 'ten',
        reference: 'BACS 1',
        paidOn: today(),
      }),
    ).toBe('Enter the amount in pounds, e.g. 120.50');
    expect(
      await said('pay', {
        key: 'form-words-1',
        leg: 'client',
        kind: 'payment',
        amountPence: '10',
        reference: 'BACS 1',
        paidOn: 'soon',
      }),
    ).toBe('Enter a valid date paid');
    expect((await staff().finance.job({ jobId: id })).invoice).toBeNull();
  });

  it('an invoice number already used on another job is refused', async () => {
    const { id } = await completedJob('Duplicate number');
    await staff().jobs.send({ id, command: { type: 'CLOSE' } });
    expect(
      await codeOf(
        staff().finance.raiseInvoice({
          ...CLIENT,
          jobId: id,
          number: 'INV-9001',
          agentNetPence: 100,
          contractorTotalPence: 0,
        }),
      ),
    ).toBe('CONFLICT');
    expect(await database.db.select().from(agencyInvoices).where(eq(agencyInvoices.jobId, id))).toEqual([]);
  });

  it('an invoice document from another job is refused, and amounts must be whole pence', async () => {
    const one = await completedJob('Doc one');
    const two = await completedJob('Doc two');
    expect(
      await codeOf(
        pat().portal.submitInvoice({
          jobId: one.id,
          number: 'X1',
          issuedOn: today(),
          netPence: 100,
          vatPence: 20,
          documentId: two.documentId,
        }),
      ),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(
        pat().portal.submitInvoice({
          jobId: one.id,
          number: 'X1',
          issuedOn: today(),
          netPence: 1.5,
          vatPence: 0,
          documentId: one.documentId,
        }),
      ),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(
        pat().portal.submitInvoice({
          jobId: one.id,
          number: 'X1',
          issuedOn: '2999-01-01',
          netPence: 100,
          vatPence: 0,
          documentId: one.documentId,
        }),
      ),
    ).toBe('BAD_REQUEST');
    expect(await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, one.id))).toEqual([]);
  });

  it('a £0.00 invoice, and a number the contractor already used on another job, are refused', async () => {
    const first = await completedJob('Numbered once');
    const second = await completedJob('Numbered twice');
    expect(
      await codeOf(
        pat().portal.submitInvoice({
          jobId: first.id,
          number: 'PP-NIL',
          issuedOn: today(),
          netPence: 0,
          vatPence: 0,
          documentId: first.documentId,
        }),
      ),
    ).toBe('BAD_REQUEST');
    await pat().portal.submitInvoice({
      jobId: first.id,
      number: 'PP-2001',
      issuedOn: today(),
      netPence: 1000,
      vatPence: 0,
      documentId: first.documentId,
    });
    const reused = await pat()
      .portal.submitInvoice({
        jobId: second.id,
        number: 'PP-2001',
        issuedOn: today(),
        netPence: 1000,
        vatPence: 0,
        documentId: second.documentId,
      })
      .catch((e: TRPCError) => e);
    expect(reused).toMatchObject({
      code: 'CONFLICT',
      message: 'You have already sent invoice PP-2001 for another job',
    });
    expect(await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, second.id))).toEqual(
      [],
    );
  });

  it('a queried invoice is not awaiting payment', async () => {
    const { id, documentId } = await completedJob('Queried, not upcoming');
    await pat().portal.submitInvoice({
      jobId: id,
      number: 'PP-QRY',
      issuedOn: today(),
      netPence: 1000,
      vatPence: 200,
      documentId,
    });
    const [inv] = await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, id));
    expect((await pat().portal.account()).upcoming.map((i) => i.id)).toContain(inv!.id);
    await staff().finance.queryInvoice({ invoiceId: inv!.id, reason: 'Please itemise the parts' });
    expect((await pat().portal.account()).upcoming.map((i) => i.id)).not.toContain(inv!.id);
  });

  it("a payment run refuses unapproved invoices and another contractor's", async () => {
    const { id, documentId } = await completedJob('Unapproved');
    await pat().portal.submitInvoice({
      jobId: id,
      number: 'PP-U1',
      issuedOn: today(),
      netPence: 1000,
      vatPence: 0,
      documentId,
    });
    const [inv] = await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, id));
    const run = { invoiceIds: [inv!.id], reference: 'RUN-BAD', paidOn: today(), key: 'run-key-bad-1' };
    expect(await codeOf(staff().finance.createPaymentRun({ ...run, contractorId: a.contractors[0].id }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(staff().finance.createPaymentRun({ ...run, contractorId: a.contractors[1].id }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(as(staffOf(b)).finance.approveInvoice({ invoiceId: inv!.id }))).toBe('NOT_FOUND');
    expect(await codeOf(as(staffOf(b)).finance.job({ jobId: id }))).toBe('NOT_FOUND');
    expect(await codeOf(as(contractorOf(a, 1)).portal.myJobInvoice({ jobId: id }))).toBe('NOT_FOUND');
  });
});

describe('payment runs never pay twice', () => {
  /** A closed job with Pat's approved invoice (£120) and the agency invoice raised expecting `contractorTotalPence` for Pat. */
  async function payable(title: string, contractorTotalPence = 12000) {
    const { id, documentId } = await completedJob(title);
    await pat().portal.submitInvoice({
      jobId: id,
      number: `PP-${title.replace(/\W/g, '')}`,
      issuedOn: today(),
      netPence: 10000,
      vatPence: 2000,
      documentId,
    });
    const [inv] = await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, id));
    await staff().finance.approveInvoice({ invoiceId: inv!.id });
    await staff().jobs.send({ id, command: { type: 'CLOSE' } });
    await staff().finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: `INV-${title.replace(/\W/g, '')}`,
      agentNetPence: 15000,
      contractorTotalPence,
    });
    return { id, invoiceId: inv!.id };
  }
  const paidToPat = async (jobId: string) =>
    (
      await database.db
        .select()
        .from(payments)
        .where(and(eq(payments.jobId, jobId), eq(payments.leg, 'contractor')))
    ).reduce((sum, p) => sum + p.amountPence, 0);
  const run = (invoiceIds: string[], n: string) => ({
    contractorId: a.contractors[0].id,
    invoiceIds,
    reference: `RUN-${n}`,
    paidOn: today(),
    key: `run-key-${n}`,
  });

  it('a run with no invoice ticked asks for one', async () => {
    const refused = await staff()
      .finance.createPaymentRun(run([], 'none-ticked'))
      .catch((e: unknown) => e);
    expect(toFailure('run', refused).data.error).toBe('Choose at least one invoice to pay');
  });

  it('two runs at once for the same invoice pay it once', async () => {
    const { id, invoiceId } = await payable('Raced runs');
    const results = await Promise.allSettled(
      [1, 2, 3].map((n) => staff().finance.createPaymentRun(run([invoiceId], `race-${n}`))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => (r.reason as TRPCError).message);
    expect(refused).toEqual([expect.stringContaining('already paid'), expect.stringContaining('already paid')]);
    expect(await paidToPat(id)).toBe(12000);
    expect((await staff().finance.job({ jobId: id })).legs?.find((l) => l.leg === 'contractor')?.state).toBe('settled');
  });

  it('a resubmitted run checks the invoices it has yet to pay, and its total is what it paid', async () => {
    const first = await payable('Resubmit first');
    const { id, documentId } = await completedJob('Resubmit unapproved');
    await pat().portal.submitInvoice({
      jobId: id,
      number: 'PP-UNAPPROVED',
      issuedOn: today(),
      netPence: 5000,
      vatPence: 0,
      documentId,
    });
    const [unapproved] = await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, id));
    const done = await staff().finance.createPaymentRun(run([first.invoiceId], 'resubmit'));
    expect(await codeOf(staff().finance.createPaymentRun(run([first.invoiceId, unapproved!.id], 'resubmit')))).toBe(
      'BAD_REQUEST',
    );
    expect(await paidToPat(id)).toBe(0);
    const [stored] = await database.db.select().from(paymentRuns).where(eq(paymentRuns.id, done.runId));
    expect(stored!.totalPence).toBe(12000);
    // The same run again is a success that pays nothing more.
    expect((await staff().finance.createPaymentRun(run([first.invoiceId], 'resubmit'))).runId).toBe(done.runId);
    expect(await paidToPat(first.id)).toBe(12000);
  });

  it('refuses to pay a contractor invoice that disagrees with what the agency invoice expects, and payments dated in the future', async () => {
    const { id, invoiceId } = await payable('Disagreeing totals', 11000);
    const refused = await staff()
      .finance.createPaymentRun(run([invoiceId], 'disagree'))
      .catch((e: TRPCError) => e);
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers as any
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('expects £110.00') });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(await codeOf(staff().finance.createPaymentRun({ ...run([invoiceId], 'future'), paidOn: tomorrow }))).toBe(
      'BAD_REQUEST',
    );
    expect(
      await codeOf(
        staff().finance.recordPayment({
          jobId: id,
          key: 'future-client',
          leg: 'client',
          amountPence: 100,
          reference: 'BACS',
          paidOn: tomorrow,
        }),
      ),
    ).toBe('BAD_REQUEST');
    expect(await database.db.select().from(payments).where(eq(payments.jobId, id))).toEqual([]);
  });
});

describe('demo data', () => {
  it("the seed takes Harbour's hose job to Payment Complete through the engine, with a remittance for Pat", async () => {
    const seeded = await createTestDatabase();
    try {
      const engine = createEmbeddedEngine({ db: seeded.db });
      await seedDemo(seeded.db, engine);
      // seedDemo calls it; calling it again changes nothing (it only acts on a closed, unpaid job).
      await seedFinance(seeded.db, engine);
      const [job] = await seeded.db.select().from(jobs).where(eq(jobs.title, 'Replace washing machine hose'));
      expect(job!.status).toBe('paymentComplete');
      const ledger = await seeded.db.select().from(payments).where(eq(payments.jobId, job!.id));
      expect(ledger.map((p) => p.leg).sort()).toEqual(['client', 'commission', 'contractor']);
      expect(ledger.find((p) => p.leg === 'contractor')?.paymentRunId).toBeTruthy();
    } finally {
      await seeded.close();
    }
  });
});

describe('dates before the job existed', () => {
  /** Refused with a sentence, as the form shows it. */
  const said = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: unknown) => (e instanceof TRPCError ? `${e.code}: ${e.message}` : String(e)),
    );

  it('refuses payments, payment runs and invoices dated before the UK day the job was raised, naming that day', async () => {
    const { id, documentId } = await completedJob('Raised late on a summer night');
    // 23:30 UTC on 30 June is 00:30 on 1 July in London: the job was raised on 1 July, a UK day.
    await database.db
      .update(jobs)
      .set({ createdAt: new Date('2026-06-30T23:30:00Z') })
      .where(eq(jobs.id, id));
    const { reference } = one(
      await database.db.select({ reference: jobs.reference }).from(jobs).where(eq(jobs.id, id)),
    );
    const why = (what: string) =>
      `BAD_REQUEST: ${what} cannot be dated before 1 July 2026, the day job ${reference} was raised`;

    expect(
      await said(
        pat().portal.submitInvoice({
          jobId: id,
          number: 'EARLY-1',
          issuedOn: '2026-06-30',
          netPence: 100,
          vatPence: 0,
          documentId,
        }),
      ),
    ).toBe(why('An invoice'));
    expect(
      await said(
        pat().portal.submitInvoice({
          jobId: id,
          number: 'EARLY-1',
          issuedOn: '2026-07-01',
          netPence: 100,
          vatPence: 0,
          documentId,
        }),
      ),
    ).toBe('accepted');
    const [inv] = await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, id));
    expect(
      await said(
        staff().finance.createPaymentRun({
          contractorId: a.contractors[0].id,
          invoiceIds: [inv!.id],
          reference: 'RUN-EARLY',
          paidOn: '2026-01-01',
          key: 'run-early-0001',
        }),
      ),
    ).toBe(why('A payment run'));

    await staff().jobs.send({ id, command: { type: 'CLOSE' } });
    await staff().finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: 'INV-EARLY',
      agentNetPence: 1000,
      contractorTotalPence: 100,
    });
    const pay = { jobId: id, key: 'early-client-1', leg: 'client', amountPence: 100, reference: 'BACS' } as const;
    expect(await said(staff().finance.recordPayment({ ...pay, paidOn: '2016-07-01' }))).toBe(why('A payment'));
    expect(await said(staff().finance.recordPayment({ ...pay, paidOn: '2026-07-01' }))).toBe('accepted');
  });
});
