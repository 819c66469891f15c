// A job recalled after its contractor did the work and invoiced, then re-offered to another contractor, over a
// real database and the embedded engine: the new contractor sees nothing of the first one's invoice, notes or
// photos (portal page, list, Job Sheet, attachment downloads) and invoices their own work; the first no longer
// sees the job; the ledger keeps one invoice per assignment and pays the current contractor only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractorInvoices, jobs } from '#db/schema/index.ts';
import { ukDay } from '#workflows/time.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { saveAttachment } from '#lib/server/files/attachments.ts';
import { jobSheetData } from '#lib/server/files/job-sheet-data.ts';
import { diskStore } from '#lib/server/files/storage.ts';
import { provideTestRuntime } from '../support/actions.ts';
import { callerFor, contractorOf, staffOf } from '../support/callers.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { PNG_1PX } from '../support/files.ts';
import { createAgency } from '../support/fixtures.ts';

/** Who the agency's invoices in these tests are to. */
const CLIENT = { clientName: 'Lee Landlord', clientAddress: '9 Billing Road, Bristol BS1 4ST' };

let database: TestDatabase;
let dir: string;
let fx: Awaited<ReturnType<typeof createAgency>>;
let jobId: string;
/** Pat's files on the job: a photo with a note, one with the completion, and the invoice document. */
const pats: Record<'notePhoto' | 'completionPhoto' | 'invoiceDoc', string> = {
  notePhoto: '',
  completionPhoto: '',
  invoiceDoc: '',
};
let evesPhoto: string;
let staffPhoto: string;

const as = (user: SessionUser) => callerFor(database.db, user);
const staff = () => as(staffOf(fx));
const pat = () => contractorOf(fx, 0);
const eve = () => contractorOf(fx, 1);
const send = (user: SessionUser, command: Parameters<ReturnType<typeof as>['jobs']['send']>[0]['command']) =>
  as(user).jobs.send({ id: jobId, command });
const upload = async (user: SessionUser, name: string, kind: 'photo' | 'invoice' = 'photo') =>
  (
    await saveAttachment(database.db, diskStore(dir), {
      agencyId: fx.agency.id,
      jobId,
      uploadedBy: `contractor:${user.kind === 'contractor' ? user.contractorId : ''}`,
      file: new File([PNG_1PX], name),
      kind,
    })
  ).id;
const invoice = async (user: SessionUser, number: string, netPence: number, documentId?: string) =>
  as(user).portal.submitInvoice({
    jobId,
    number,
    issuedOn: ukDay(new Date()),
    netPence,
    vatPence: netPence / 5,
    documentId: documentId ?? (await upload(user, `${number}.png`, 'invoice')),
  });
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
  );
/** GET /api/attachments/[id=uuid] as `user`: the answer's HTTP status. The route is imported by a computed path, as
 * pageActions imports pages: it reads SvelteKit's App.Locals, which the root tsconfig does not see. */
type Get = (event: unknown) => Promise<Response>;
const route = new URL('../../web/src/routes/api/attachments/[id=uuid]/+server.ts', import.meta.url).pathname;
const download = async (user: SessionUser, id: string) => {
  const { GET } = (await import(/* @vite-ignore */ route)) as { GET: Get };
  return GET({ params: { id }, locals: { user } }).then(
    (r) => r.status,
    (e: { status?: number }) => e.status ?? 500,
  );
};
const sheet = async (user: SessionUser) => {
  const [row] = await database.db.select().from(jobs).where(eq(jobs.id, jobId));
  return (await jobSheetData(database.db, row!, user))!;
};

/** Everything of Pat's work that must not reach Eve. */
const PATS_WORDS = ['PAT-INV-1', 'Pat: isolator fitted', 'Pat: done', 'Shared with Pat: the landlord', 'Still leaking'];

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'fettle-reassign-'));
  provideTestRuntime(database.db, dir);
  fx = await createAgency(database.db, 'Reassign Lettings');
  ({ id: jobId } = await staff().jobs.create({
    title: 'Leaking stopcock',
    priorityCode: 'P2',
    propertyId: fx.property.id,
  }));
  // Shared before the job went to anyone: for whoever does it, Pat and Eve alike.
  staffPhoto = (
    await saveAttachment(database.db, diskStore(dir), {
      agencyId: fx.agency.id,
      jobId,
      uploadedBy: `staff:${fx.staff.id}`,
      file: new File([PNG_1PX], 'stairs.png'),
    })
  ).id;
  await send(staffOf(fx), {
    type: 'ADD_NOTE',
    text: 'For whoever does it: stopcock under the stairs',
    attachmentIds: [staffPhoto],
    shareWithContractor: true,
  });
  await send(staffOf(fx), { type: 'OFFER', contractorId: fx.contractors[0].id });
  await send(pat(), { type: 'ACCEPT' });
  await send(pat(), { type: 'START' });
  pats.notePhoto = await upload(pat(), 'pat-note.png');
  await send(pat(), { type: 'ADD_NOTE', text: 'Pat: isolator fitted', attachmentIds: [pats.notePhoto] });
  await send(staffOf(fx), {
    type: 'ADD_NOTE',
    text: 'Shared with Pat: the landlord wants photos',
    shareWithContractor: true,
  });
  pats.completionPhoto = await upload(pat(), 'pat-done.png');
  await send(pat(), { type: 'COMPLETE', note: 'Pat: done', attachmentIds: [pats.completionPhoto] });
  pats.invoiceDoc = await upload(pat(), 'pat-invoice.png', 'invoice');
  await invoice(pat(), 'PAT-INV-1', 10_000, pats.invoiceDoc);
  await send(staffOf(fx), { type: 'RECALL', reason: 'Still leaking' });
  await send(staffOf(fx), { type: 'OFFER', contractorId: fx.contractors[1].id });
});
afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('recalled and re-offered to another contractor', () => {
  it("shows the contractor offered it none of the first contractor's invoice, notes or photos", async () => {
    const offer = await as(eve()).portal.job({ id: jobId });
    expect(offer).toMatchObject({
      offeredToMe: true,
      contractorInvoice: null,
      completionNote: null,
      lastRecallReason: null,
    });
    for (const words of PATS_WORDS) expect(JSON.stringify(offer), words).not.toContain(words);
    expect(offer.timeline.map((e) => e.type)).toEqual(['CREATED', 'ADD_NOTE', 'OFFER']);
    expect(offer.photos.map((p) => p.fileName)).toEqual(['stairs.png']);
    const listed = (await as(eve()).portal.jobs({ view: 'all' })).items.find((j) => j.id === jobId);
    expect(listed).toMatchObject({ photoCount: 1, needsAction: 'respond' });
    const evesSheet = await sheet(eve());
    expect(evesSheet).toMatchObject({
      notes: [{ text: 'For whoever does it: stopcock under the stairs' }],
      photoCount: 1,
    });
    for (const id of Object.values(pats)) expect(await download(eve(), id)).toBe(404);
  });

  it('lets the new contractor do the work and submit their own invoice, and shows them only their own', async () => {
    await send(eve(), { type: 'ACCEPT' });
    await send(eve(), { type: 'START' });
    evesPhoto = await upload(eve(), 'eve-valve.png');
    await send(eve(), { type: 'ADD_NOTE', text: 'Eve: new valve', attachmentIds: [evesPhoto] });
    await send(eve(), { type: 'COMPLETE', note: 'Eve: fixed' });

    // Pat's invoice does not count as hers: the job needs her invoice, and the form takes it.
    expect((await as(eve()).portal.job({ id: jobId })).needsAction).toBe('invoice');
    expect((await as(eve()).portal.jobs({ view: 'all' })).items.find((j) => j.id === jobId)?.needsAction).toBe(
      'invoice',
    );
    expect(await as(eve()).portal.myJobInvoice({ jobId })).toMatchObject({ invoice: null, canSubmit: true });
    const submitted = await invoice(eve(), 'EVE-INV-1', 20_000);
    expect(submitted.invoice).toMatchObject({ number: 'EVE-INV-1', totalPence: 24_000 });

    const mine = await as(eve()).portal.job({ id: jobId });
    expect(mine).toMatchObject({
      assignedToMe: true,
      needsAction: null,
      completionNote: 'Eve: fixed',
      contractorInvoice: { number: 'EVE-INV-1', totalPence: 24_000 },
    });
    for (const words of PATS_WORDS) expect(JSON.stringify(mine), words).not.toContain(words);
    expect(mine.timeline.filter((e) => e.type === 'ADD_NOTE').map((e) => e.payload.text)).toEqual([
      'For whoever does it: stopcock under the stairs',
      'Eve: new valve',
    ]);
    // Her own files: the photo and her invoice document.
    expect(mine.photos.map((p) => p.fileName)).toEqual(['stairs.png', 'eve-valve.png', 'EVE-INV-1.png']);
    expect((await as(eve()).portal.jobs({ view: 'all' })).items.find((j) => j.id === jobId)?.photoCount).toBe(2);
    expect((await sheet(eve())).notes.map((n) => n.text)).toEqual([
      'For whoever does it: stopcock under the stairs',
      'Eve: new valve',
      'Completed: Eve: fixed',
    ]);
    expect(await as(eve()).portal.myJobInvoice({ jobId })).toMatchObject({
      invoice: { number: 'EVE-INV-1' },
      canSubmit: false,
    });
    for (const id of Object.values(pats)) expect(await download(eve(), id)).toBe(404);
    for (const id of [evesPhoto, staffPhoto]) expect(await download(eve(), id)).toBe(200);
  });

  it('takes the first contractor off the job: they see none of its later work, only their own invoice in their account', async () => {
    expect(await codeOf(as(pat()).portal.job({ id: jobId }))).toBe('NOT_FOUND');
    expect((await as(pat()).portal.jobs({ view: 'all' })).items.map((j) => j.id)).not.toContain(jobId);
    expect(await codeOf(as(pat()).portal.myJobInvoice({ jobId }))).toBe('NOT_FOUND');
    expect(await download(pat(), evesPhoto)).toBe(404);
    expect(await codeOf(invoice(pat(), 'PAT-INV-2', 5_000, pats.invoiceDoc))).toBe('NOT_FOUND');
    const account = JSON.stringify(await as(pat()).portal.account());
    expect(account).toContain('PAT-INV-1');
    expect(account).not.toContain('EVE-INV-1');
  });

  it('keeps one invoice per assignment in the ledger, and pays the contractor who has the job', async () => {
    const rows = await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, jobId));
    expect(rows.map((r) => [r.number, r.contractorId, r.assignment]).sort()).toEqual([
      ['EVE-INV-1', fx.contractors[1].id, 2],
      ['PAT-INV-1', fx.contractors[0].id, 1],
    ]);
    expect((await staff().finance.job({ jobId })).contractorInvoice).toMatchObject({ number: 'EVE-INV-1' });
    const patsRow = rows.find((r) => r.number === 'PAT-INV-1')!;
    const evesRow = rows.find((r) => r.number === 'EVE-INV-1')!;
    // The engine can send back only the current assignment's invoice.
    expect(await codeOf(staff().finance.queryInvoice({ invoiceId: patsRow.id, reason: 'Not ours to pay' }))).toBe(
      'CONFLICT',
    );

    await send(staffOf(fx), { type: 'CLOSE' });
    await staff().finance.raiseInvoice({
      ...CLIENT,
      jobId,
      number: 'INV-RA-1',
      agentNetPence: 30_000,
      contractorTotalPence: 24_000,
    });
    // The earlier holder's invoice cannot be approved through the job (the contractor leg pays who has it now).
    expect(await codeOf(staff().finance.approveInvoice({ invoiceId: patsRow.id }))).toBe('CONFLICT');
    await staff().finance.approveInvoice({ invoiceId: evesRow.id });
    const desk = await staff().finance.overview();
    const blocked = (n: string) => desk.payable.flatMap((g) => g.invoices).find((i) => i.number === n)?.blocked;
    expect(blocked('EVE-INV-1')).toBeNull();
    expect(desk.awaiting.find((i) => i.number === 'PAT-INV-1')).toMatchObject({
      status: 'submitted',
      superseded: true,
    });
    const run = (contractorId: string, invoiceId: string, key: string) =>
      staff().finance.createPaymentRun({
        contractorId,
        invoiceIds: [invoiceId],
        reference: `RUN-${key}`,
        paidOn: ukDay(new Date()),
        key: `run-key-${key}`,
      });
    expect(await codeOf(run(fx.contractors[0].id, patsRow.id, 'pat'))).toBe('BAD_REQUEST');
    await run(fx.contractors[1].id, evesRow.id, 'eve');
    const paid = (await staff().finance.job({ jobId })).payments.filter((p) => p.leg === 'contractor');
    expect(paid.map((p) => [p.contractorId, p.amountPence])).toEqual([[fx.contractors[1].id, 24_000]]);
  });
});
