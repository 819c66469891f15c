// An issued agency invoice is never edited: re-raising it credits it in full with a credit note (the agency's own
// sequence) and issues a new invoice under a new number, over a real database and the embedded engine. The ledger,
// the finance desk, the audit log and the credit note's PDF all say so.
import { TRPCError } from '@trpc/server';
import { and, asc, eq } from 'drizzle-orm';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCreditNote } from '#activities/pdf/credit-note.ts';
import { agencies, agencyInvoices, auditLog, creditNotes } from '#db/schema/index.ts';
import { listAuditLog } from '#lib/server/audit/log.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { formatDay, ukDay } from '#workflows/time.ts';
import { callerFor, contractorOf, staffOf } from '../support/callers.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency } from '../support/fixtures.ts';

const CLIENT = { clientName: 'Lee Landlord', clientAddress: '9 Billing Road, Bristol BS1 4ST' };

let database: TestDatabase;
let a: Awaited<ReturnType<typeof createAgency>>;
const as = (user: SessionUser | null) => callerFor(database.db, user);
const staff = () => as(staffOf(a));
const pat = () => as(contractorOf(a, 0));

async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, verbosity: 0 }).promise;
  let out = '';
  for (let n = 1; n <= pdf.numPages; n++)
    out += (await (await pdf.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ') + '\n';
  return out;
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof TRPCError ? { code: e.code, message: e.message } : e),
  );

/** A job Pat has done and staff have closed, ready for the agency invoice. */
async function closedJob(title: string) {
  const { id } = await staff().jobs.create({ title, priorityCode: 'P2', propertyId: a.property.id });
  await staff().jobs.send({ id, command: { type: 'OFFER', contractorId: a.contractors[0].id } });
  for (const type of ['ACCEPT', 'START'] as const) await pat().jobs.send({ id, command: { type } });
  await pat().jobs.send({ id, command: { type: 'COMPLETE', note: 'Replaced the washer' } });
  await staff().jobs.send({ id, command: { type: 'CLOSE' } });
  return id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  a = await createAgency(database.db, 'Credit Lettings');
  await database.db
    .update(agencies)
    .set({ address: '1 Agency Row, London SW1A 2AA', vatNumber: 'GB123456782' })
    .where(eq(agencies.id, a.agency.id));
});
afterAll(() => database?.close());

describe('re-raising an issued invoice', () => {
  it('credits it in full with CN-000001 and issues a new invoice; the ledger, desk and audit agree to the penny', async () => {
    const id = await closedJob('Dripping tap');
    const first = { ...CLIENT, jobId: id, contractorTotalPence: 12000, commissionPence: 3001 };
    await staff().finance.raiseInvoice({ ...first, number: 'INV-100', agentNetPence: 15001 });
    expect((await staff().finance.job({ jobId: id })).suggestedNumber).toMatch(/-2$/);

    // Without a reason, or under a number already issued, it is refused and nothing is written.
    expect(await refusal(staff().finance.raiseInvoice({ ...first, number: 'INV-101', agentNetPence: 18000 }))).toEqual({
      code: 'CONFLICT',
      message: 'Re-raising credits invoice INV-100 in full: a reason for the credit note is required',
    });
    expect(
      await refusal(
        staff().finance.raiseInvoice({ ...first, number: 'INV-100', agentNetPence: 18000, creditReason: 'Price' }),
      ),
    ).toEqual({
      code: 'CONFLICT',
      message: 'Invoice INV-100 is already issued and cannot be edited: the corrected invoice needs a new number',
    });
    expect(await database.db.select().from(creditNotes).where(eq(creditNotes.jobId, id))).toEqual([]);

    const raised = await staff().finance.raiseInvoice({
      ...first,
      number: 'INV-101',
      agentNetPence: 18000,
      creditReason: 'Price agreed with the landlord',
    });
    // The refusals spent no credit note number: this is the agency's first.
    expect(raised.creditNote).toBe('CN-000001');
    expect(raised.invoice).toMatchObject({ number: 'INV-101', agentGrossPence: 21600 });

    const rows = await database.db
      .select()
      .from(agencyInvoices)
      .where(eq(agencyInvoices.jobId, id))
      .orderBy(asc(agencyInvoices.seq));
    expect(rows).toMatchObject([
      { number: 'INV-100', grossPence: 18001, creditNoteNumber: 'CN-000001', creditedBy: a.staff.id },
      { number: 'INV-101', grossPence: 21600, creditedAt: null, creditNoteNumber: null },
    ]);
    expect(rows[0]!.creditedAt).not.toBeNull();
    const [note] = await database.db.select().from(creditNotes).where(eq(creditNotes.jobId, id));
    // The credit note mirrors the credited invoice to the penny, as positive sums labelled credit.
    expect(note).toMatchObject({
      number: 'CN-000001',
      invoiceId: rows[0]!.id,
      invoiceNumber: 'INV-100',
      netPence: 15001,
      vatRateBp: 2000,
      vatPence: 3000,
      grossPence: 18001,
      reason: 'Price agreed with the landlord',
      clientName: CLIENT.clientName,
      issuedBy: a.staff.id,
    });

    // The client owes the current invoice only: its gross is the client leg's expected amount.
    const tab = await staff().finance.job({ jobId: id });
    expect(tab.invoice).toMatchObject({ number: 'INV-101', grossPence: 21600 });
    expect(tab.creditedInvoices.map((i) => i.number)).toEqual(['INV-100']);
    expect(tab.creditNotes.map((n) => [n.number, n.invoiceNumber, n.grossPence])).toEqual([
      ['CN-000001', 'INV-100', 18001],
    ]);
    expect(tab.legs?.find((l) => l.leg === 'client')).toMatchObject({ expectedPence: 21600, outstandingPence: 21600 });
    const desk = await staff().finance.clientMoney({ view: 'all' });
    expect(desk.rows.filter((r) => r.jobId === id).map((r) => [r.invoiceNumber, r.grossPence])).toEqual([
      ['INV-101', 21600],
    ]);
    expect(desk.creditNotes).toEqual([
      expect.objectContaining({
        number: 'CN-000001',
        invoiceNumber: 'INV-100',
        grossPence: 18001,
        replacedBy: 'INV-101',
        reason: 'Price agreed with the landlord',
      }),
    ]);

    // Paid in full against INV-101: the legs settle and the job completes.
    const pay = { jobId: id, reference: 'BACS', paidOn: ukDay(new Date()) };
    await staff().finance.recordPayment({ ...pay, key: 'credit-client', leg: 'client', amountPence: 21600 });
    await staff().finance.recordPayment({ ...pay, key: 'credit-contractor', leg: 'contractor', amountPence: 12000 });
    await staff().finance.recordPayment({ ...pay, key: 'credit-commission', leg: 'commission', amountPence: 3001 });
    expect((await staff().finance.job({ jobId: id })).job.status).toBe('paymentComplete');

    // The audit log: the credit note (naming the person) and the new invoice.
    const log = await listAuditLog(
      database.db,
      a.agency.id,
      { job: (await staff().jobs.get({ id })).job.reference },
      {
        limit: 50,
      },
    );
    const credit = log.entries.find((e) => e.action === 'finance.credit_note');
    expect(credit).toMatchObject({
      who: 'Sam Staff',
      detail: {
        summary: 'Credit note CN-000001 for INV-100 (Price agreed with the landlord); replaced by invoice INV-101',
        creditNoteNumber: 'CN-000001',
        invoiceNumber: 'INV-100',
        grossPence: 18001,
        newInvoiceNumber: 'INV-101',
      },
    });
    expect(log.entries.filter((e) => e.action === 'job.raise_invoice').map((e) => e.detail.number)).toEqual([
      'INV-101',
      'INV-100',
    ]);
  });

  it('numbers credit notes in sequence across the agency, never reuses an invoice number, and is refused once paid', async () => {
    const one = await closedJob('Broken gate');
    const two = await closedJob('Loose tile');
    const terms = { ...CLIENT, agentNetPence: 10000, contractorTotalPence: 8000 };
    await staff().finance.raiseInvoice({ ...terms, jobId: one, number: 'INV-200' });
    await staff().finance.raiseInvoice({ ...terms, jobId: two, number: 'INV-300' });
    const reRaise = (jobId: string, number: string) =>
      staff().finance.raiseInvoice({ ...terms, jobId, number, creditReason: 'Wrong address' });
    expect((await reRaise(one, 'INV-201')).creditNote).toBe('CN-000002');
    expect((await reRaise(two, 'INV-301')).creditNote).toBe('CN-000003');
    // A number credited on this job, or issued on another, is not issued again.
    expect(await refusal(reRaise(one, 'INV-200'))).toEqual({
      code: 'CONFLICT',
      message: 'Invoice INV-200 was already credited (credit note CN-000002): the corrected invoice needs a new number',
    });
    expect(await refusal(reRaise(one, 'INV-300'))).toEqual({
      code: 'CONFLICT',
      message: 'Invoice number INV-300 is already used on another job',
    });
    // Two tabs re-raising INV-201: the second, decided on INV-201, is refused rather than crediting INV-202.
    const seen = { ...terms, jobId: one, creditReason: 'Wrong address', replaces: 'INV-201' };
    expect((await staff().finance.raiseInvoice({ ...seen, number: 'INV-202' })).creditNote).toBe('CN-000004');
    expect(await refusal(staff().finance.raiseInvoice({ ...seen, number: 'INV-209' }))).toEqual({
      code: 'CONFLICT',
      message:
        "Invoice INV-201 has been re-raised since you looked: the job's invoice is now INV-202. Check it before re-raising",
    });
    expect(
      (await database.db.select().from(agencyInvoices).where(eq(agencyInvoices.jobId, one))).map((r) => [
        r.number,
        r.creditNoteNumber,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['INV-200', 'CN-000002'],
        ['INV-201', 'CN-000004'],
        ['INV-202', null],
      ]),
    );
    // Once money is recorded against the invoice it is not re-raised (today's rule), and no number is spent.
    await staff().finance.recordPayment({
      jobId: two,
      key: 'part-paid',
      leg: 'client',
      amountPence: 100,
      reference: 'BACS',
      paidOn: ukDay(new Date()),
    });
    expect(await refusal(reRaise(two, 'INV-302'))).toEqual({
      code: 'CONFLICT',
      message: 'Payments are already recorded against the invoice',
    });
    expect((await reRaise(one, 'INV-203')).creditNote).toBe('CN-000005');
    const audited = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.jobId, one), eq(auditLog.action, 'finance.credit_note')));
    expect(audited).toHaveLength(3);
  });

  it('prints a CREDIT NOTE naming both numbers, the credited invoice’s date, the reason and the amounts', async () => {
    const id = await closedJob('Blocked drain');
    await staff().finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: 'INV-400',
      agentNetPence: 20001,
      contractorTotalPence: 15000,
    });
    const { creditNote } = await staff().finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: 'INV-401',
      agentNetPence: 19000,
      contractorTotalPence: 15000,
      creditReason: 'Call-out charge removed',
    });
    const doc = await staff().finance.creditNoteDocument({ jobId: id, number: creditNote! });
    const text = await pdfText(
      await renderCreditNote({
        ...doc.creditNote,
        replacedBy: doc.replacedBy,
        agency: doc.agency,
        job: doc.job,
        generatedAt: new Date(),
      }),
    );
    for (const t of [
      'CREDIT NOTE',
      creditNote!,
      'INV-400',
      'INV-401',
      `INV-400 dated ${formatDay(ukDay(doc.creditNote.invoiceRaisedAt))}`,
      'Call-out charge removed',
      '£200.01',
      '£40.00',
      '£240.01',
      'Total credited',
      'Credit Lettings',
      '1 Agency Row',
      'GB 123 4567 82',
      CLIENT.clientName,
      doc.job.reference,
    ])
      expect(text).toContain(t);
    // The credited invoice is still there as issued, by its number; the job's invoice is the new one.
    expect((await staff().finance.invoiceDocument({ jobId: id, number: 'INV-400' })).invoice).toMatchObject({
      number: 'INV-400',
      grossPence: 24001,
      creditNoteNumber: creditNote,
    });
    expect((await staff().finance.invoiceDocument({ jobId: id })).invoice.number).toBe('INV-401');
    // Another agency's staff, or a number not on the job, find nothing.
    expect(await refusal(staff().finance.creditNoteDocument({ jobId: id, number: 'CN-999999' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    const other = await createAgency(database.db, 'Other Lettings');
    expect(
      await refusal(as(staffOf(other)).finance.creditNoteDocument({ jobId: id, number: creditNote! })),
    ).toMatchObject({ code: 'NOT_FOUND' });
  });
});
