// Every PDF the app makes prints people's and places' names as written, whatever their alphabet: the Job Sheet,
// the agency's invoice, the remittance advice and the statement, each from real data through the API, over a
// real database and the embedded engine. Emoji are dropped, never printed as boxes or garbage.
import { eq } from 'drizzle-orm';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderInvoice } from '#activities/pdf/invoice.ts';
import { renderJobSheet } from '#activities/pdf/job-sheet.ts';
import { renderRemittance } from '#activities/pdf/remittance.ts';
import { renderStatement } from '#activities/pdf/statement.ts';
import { agencies, attachments, contractorInvoices, contractors, jobs, properties } from '#db/schema/index.ts';
import { ukDay } from '#workflows/time.ts';
import { jobSheetData } from '#lib/server/files/job-sheet-data.ts';
import { callerFor, contractorOf, staffOf } from '../support/callers.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency } from '../support/fixtures.ts';

/** Who the agency's invoices in these tests are to. */
const CLIENT = { clientName: 'Lee Landlord', clientAddress: '9 Billing Road, Bristol BS1 4ST' };

const AGENCY = 'Γιώργος Παπαδόπουλος Lettings';
const CONTRACTOR = 'Ștefan Țăranu';
const STREET = 'ul. Zażółć Gęślą 7';
const TITLE = 'Cieknący kran w łazience 🚰 👍🏽';
const EMOJI = ['🚰', '👍', '🏽', '\uFFFD'];

let database: TestDatabase;
let fx: Awaited<ReturnType<typeof createAgency>>;

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createAgency(database.db, 'Names Lettings');
  await database.db.update(agencies).set({ name: AGENCY }).where(eq(agencies.id, fx.agency.id));
  await database.db.update(contractors).set({ name: CONTRACTOR }).where(eq(contractors.id, fx.contractors[0].id));
  await database.db.update(properties).set({ line1: STREET }).where(eq(properties.id, fx.property.id));
});
afterAll(() => database?.close());

async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, verbosity: 0 }).promise;
  let out = '';
  for (let n = 1; n <= pdf.numPages; n++)
    out += (await (await pdf.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ') + '\n';
  return out;
}

describe('PDFs in any alphabet', () => {
  it('print Polish, Romanian and Greek names exactly, on the Job Sheet, invoice, remittance and statement', async () => {
    const staff = callerFor(database.db, staffOf(fx));
    const stefan = callerFor(database.db, { ...contractorOf(fx, 0), name: CONTRACTOR });
    const { id } = await staff.jobs.create({ title: TITLE, priorityCode: 'P2', propertyId: fx.property.id });
    await staff.jobs.send({ id, command: { type: 'OFFER', contractorId: fx.contractors[0].id } });
    for (const type of ['ACCEPT', 'START'] as const) await stefan.jobs.send({ id, command: { type } });
    await stefan.jobs.send({ id, command: { type: 'COMPLETE', note: 'Wymieniono uszczelkę — gata, Ștefan 🛠️' } });

    const [row] = await database.db.select().from(jobs).where(eq(jobs.id, id));
    const sheet = await pdfText(await renderJobSheet((await jobSheetData(database.db, row!, staffOf(fx)))!));
    for (const t of [AGENCY, CONTRACTOR, STREET, 'Cieknący kran w łazience', 'Wymieniono uszczelkę — gata, Ștefan'])
      expect(sheet).toContain(t);

    const [doc] = await database.db
      .insert(attachments)
      .values({
        agencyId: fx.agency.id,
        jobId: id,
        uploadedBy: `contractor:${fx.contractors[0].id}`,
        kind: 'invoice',
        fileName: 'inv.pdf',
        contentType: 'application/pdf',
        sizeBytes: 10,
        storageKey: `test/${id}`,
      })
      .returning();
    await stefan.portal.submitInvoice({
      jobId: id,
      number: 'ȘT-1',
      issuedOn: ukDay(new Date()),
      netPence: 10_000,
      vatPence: 0,
      documentId: doc!.id,
    });
    const [inv] = await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, id));
    await staff.finance.approveInvoice({ invoiceId: inv!.id });
    await staff.jobs.send({ id, command: { type: 'CLOSE' } });
    await staff.finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: 'INV-Ż1',
      agentNetPence: 12_000,
      contractorTotalPence: 10_000,
    });
    const run = await staff.finance.createPaymentRun({
      contractorId: fx.contractors[0].id,
      invoiceIds: [inv!.id],
      reference: 'RUN-Ω1',
      paidOn: ukDay(new Date()),
      key: 'names-run-0001',
    });

    const billed = await staff.finance.invoiceDocument({ jobId: id });
    const invoice = await pdfText(
      await renderInvoice({
        ...billed.invoice,
        agency: billed.agency,
        property: billed.property,
        job: billed.job,
        generatedAt: new Date(),
      }),
    );
    for (const t of [AGENCY, STREET, 'Cieknący kran w łazience', 'INV-Ż1']) expect(invoice).toContain(t);
    const remittance = await pdfText(
      await renderRemittance({ ...(await stefan.portal.myRemittance({ id: run.runId })), generatedAt: new Date() }),
    );
    for (const t of [AGENCY, CONTRACTOR, 'ȘT-1', 'RUN-Ω1']) expect(remittance).toContain(t);
    const mine = await stefan.portal.statement({ from: ukDay(new Date()), to: ukDay(new Date()) });
    const statement = await pdfText(
      await renderStatement({ ...mine, contractor: mine.contractor!, generatedAt: new Date() }),
    );
    for (const t of [CONTRACTOR, 'ȘT-1', 'RUN-Ω1']) expect(statement).toContain(t);

    for (const text of [sheet, invoice, remittance, statement]) for (const e of EMOJI) expect(text).not.toContain(e);
  });
});
