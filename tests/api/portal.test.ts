// The contractor portal's procedures over a real database and the embedded engine: each view of the
// jobs list, the "needs you" flags, scoping to the picked agency and to the contractor's own jobs, the
// job as a contractor sees it (tenant contact as the agency allows), contacts, bad input, the Job
// Sheet's content, and the demo data the portal is shown with.
import { one } from '#db/rows.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJobSheet } from '#activities/pdf/job-sheet.ts';
import { agencies, attachments, branches, contractors, jobs, properties, tenants, users } from '#db/schema/index.ts';
import { seedDemo } from '#worker/seed/demo.ts';
import { createContext } from '#lib/server/api/context.ts';
import { createCaller } from '#lib/server/api/root.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { saveAttachment } from '#lib/server/files/attachments.ts';
import { jobSheetData } from '#lib/server/files/job-sheet-data.ts';
import { diskStore } from '#lib/server/files/storage.ts';
import { toFailure } from '#lib/server/forms.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { PNG_1PX } from '../support/files.ts';
import { createAgency } from '../support/fixtures.ts';

let database: TestDatabase;
let dir: string;
let a: Awaited<ReturnType<typeof createAgency>>;
let b: Awaited<ReturnType<typeof createAgency>>;
/** Pat's record at agency B (same person, same email as a.contractors[0]). */
let patAtB: { id: string };
let tenantId: string;

const DAY = 86_400_000;
const staffOf = (fx: typeof a): SessionUser => ({
  kind: 'staff',
  userId: fx.staff.id,
  name: 'Sam',
  email: fx.staff.email,
  agencyId: fx.agency.id,
  role: 'staff',
});
const contractor = (agencyId: string, contractorId: string): SessionUser => ({
  kind: 'contractor',
  userId: '00000000-0000-4000-8000-000000000001',
  name: 'Pat Plumber',
  email: 'pat@example.test',
  agencyId,
  contractorId,
});
const pat = () => contractor(a.agency.id, a.contractors[0].id);
const eve = () => contractor(a.agency.id, a.contractors[1].id);

/** A caller whose clock (request and engine) is `daysAgo` days in the past. */
const as = (user: SessionUser | null, daysAgo = 0) => {
  const now = () => new Date(Date.now() - daysAgo * DAY);
  return createCaller(
    createContext({
      db: database.db,
      engine: createEmbeddedEngine({ db: database.db, clock: now }),
      user,
      temporalUiUrl: null,
      now,
    }),
  );
};

/** An event through jobs.send, or the contractor's invoice through portal.submitInvoice (with a document uploaded first). */
type Step =
  | Parameters<ReturnType<typeof as>['jobs']['send']>[0]['command']
  | { type: 'SUBMIT_INVOICE'; number: string; netPence: number; vatPence: number };
async function send(user: SessionUser, jobId: string, command: Step, daysAgo?: number) {
  if (command.type !== 'SUBMIT_INVOICE') return as(user, daysAgo).jobs.send({ id: jobId, command });
  if (user.kind !== 'contractor') throw new Error('contractors submit invoices');
  const [doc] = await database.db
    .insert(attachments)
    .values({
      agencyId: user.agencyId!,
      jobId,
      uploadedBy: `contractor:${user.contractorId}`,
      kind: 'invoice',
      fileName: 'inv.pdf',
      contentType: 'application/pdf',
      sizeBytes: 10,
      storageKey: `test/${jobId}`,
    })
    .returning();
  const { type: _type, ...invoice } = command;
  const issuedOn = new Date(Date.now() - (daysAgo ?? 0) * DAY).toISOString().slice(0, 10);
  return as(user, daysAgo).portal.submitInvoice({ jobId, ...invoice, issuedOn, documentId: doc!.id });
}
async function job(
  title: string,
  steps: [SessionUser, Step][],
  options: { daysAgo?: number; fx?: typeof a; tenant?: boolean } = {},
) {
  const fx = options.fx ?? a;
  const created = await as(staffOf(fx), options.daysAgo).jobs.create({
    title,
    priorityCode: 'P2',
    propertyId: fx.property.id,
    tenantId: options.tenant ? tenantId : undefined,
    descriptionHtml: `<p>${title}: details</p>`,
  });
  for (const [user, command] of steps) await send(user, created.id, command, options.daysAgo);
  return created.id;
}

/** The jobs beforeAll sets up, by what they show. */
const ids = {} as Record<
  'offered' | 'assigned' | 'inProgress' | 'completed' | 'invoiced' | 'declined' | 'eves' | 'atB' | 'old',
  string
>;

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'fettle-portal-'));
  a = await createAgency(database.db, 'Agency A');
  b = await createAgency(database.db, 'Agency B');
  patAtB = one(
    await database.db
      .insert(contractors)
      .values({
        agencyId: b.agency.id,
        name: 'Pat Plumber',
        email: a.contractors[0].email,
        trades: ['plumbing'],
        coverage: ['SW1A'],
      })
      .returning(),
  );
  ({ id: tenantId } = one(
    await database.db
      .insert(tenants)
      .values({
        agencyId: a.agency.id,
        propertyId: a.property.id,
        name: 'Tess Tenant',
        phone: '07700 900555',
        email: 'tess@example.test',
      })
      .returning(),
  ));
  await database.db
    .update(agencies)
    .set({ phone: '020 7946 0000', email: 'office@a.example' })
    .where(eq(agencies.id, a.agency.id));
  await database.db.insert(branches).values({ agencyId: a.agency.id, name: 'Westminster', phone: '020 7946 0001' });
  await database.db
    .update(users)
    .set({ jobTitle: 'Property Manager', phone: '020 7946 0002' })
    .where(eq(users.id, a.staff.id));

  const staff = staffOf(a);
  const offer = (c: { id: string }): Step => ({ type: 'OFFER', contractorId: c.id });
  const [p, e] = a.contractors;
  ids.offered = await job('Offered to Pat', [[staff, offer(p)]], { tenant: true });
  ids.assigned = await job(
    'Accepted by Pat',
    [
      [staff, offer(p)],
      [pat(), { type: 'ACCEPT' }],
    ],
    { tenant: true },
  );
  ids.inProgress = await job('Pat on site', [
    [staff, offer(p)],
    [pat(), { type: 'ACCEPT' }],
    [pat(), { type: 'START' }],
  ]);
  ids.completed = await job('Pat finished', [
    [staff, offer(p)],
    [pat(), { type: 'ACCEPT' }],
    [pat(), { type: 'START' }],
    [pat(), { type: 'COMPLETE', note: 'Done' }],
  ]);
  ids.invoiced = await job('Pat invoiced', [
    [staff, offer(p)],
    [pat(), { type: 'ACCEPT' }],
    [pat(), { type: 'START' }],
    [pat(), { type: 'COMPLETE', note: 'Done' }],
    [pat(), { type: 'SUBMIT_INVOICE', number: 'INV-1', netPence: 1000, vatPence: 200 }],
  ]);
  // Offered and accepted 40 days ago, still open: not "recent", still active.
  ids.old = await job(
    'Old but open',
    [
      [staff, offer(p)],
      [pat(), { type: 'ACCEPT' }],
    ],
    { daysAgo: 40 },
  );
  ids.eves = await job("Eve's job", [[staff, offer(e)]]);
  // Pat declined it and it went to Eve: Pat no longer sees it; Eve does not see Pat's refusal.
  ids.declined = await job('Declined by Pat', [
    [staff, offer(p)],
    [pat(), { type: 'DECLINE', reason: 'Pat is busy' }],
    [staff, offer(e)],
  ]);
  ids.atB = await job('At agency B', [[staffOf(b), offer(patAtB)]], { fx: b });

  await saveAttachment(database.db, diskStore(dir), {
    agencyId: a.agency.id,
    jobId: ids.inProgress,
    uploadedBy: `contractor:${a.contractors[0].id}`,
    file: new File([PNG_1PX], 'leak.png'),
    kind: 'photo',
  });
  await saveAttachment(database.db, diskStore(dir), {
    agencyId: a.agency.id,
    jobId: ids.inProgress,
    uploadedBy: `contractor:${a.contractors[0].id}`,
    file: new File([PNG_1PX], 'after.png'),
    kind: 'photo',
  });
});
afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

const listIds = async (user: SessionUser, view?: 'recent' | 'active' | 'pending' | 'history' | 'all') =>
  new Set((await as(user).portal.jobs(view ? { view } : {})).items.map((i) => i.id));

describe('portal.jobs', () => {
  it('defaults to jobs offered or assigned in the last 30 days', async () => {
    const result = await as(pat()).portal.jobs({});
    expect(result.view).toBe('recent');
    expect(new Set(result.items.map((i) => i.id))).toEqual(
      new Set([ids.offered, ids.assigned, ids.inProgress, ids.completed, ids.invoiced]),
    );
  });

  it('filters active, pending (offers), history and all', async () => {
    expect(await listIds(pat(), 'active')).toEqual(new Set([ids.assigned, ids.inProgress, ids.old]));
    expect(await listIds(pat(), 'pending')).toEqual(new Set([ids.offered]));
    expect(await listIds(pat(), 'history')).toEqual(new Set([ids.completed, ids.invoiced]));
    expect(await listIds(pat(), 'all')).toEqual(
      new Set([ids.offered, ids.assigned, ids.inProgress, ids.completed, ids.invoiced, ids.old]),
    );
  });

  it('shows address, priority, status, SLA due and photo count, and flags what needs the contractor', async () => {
    const { items } = await as(pat()).portal.jobs({ view: 'all' });
    const byId = new Map(items.map((i) => [i.id, i]));
    const row = byId.get(ids.inProgress)!;
    expect(row).toMatchObject({
      address: '1 Test Street',
      postcode: 'SW1A 1AA',
      priorityCode: 'P2',
      priorityName: 'Urgent',
      status: 'inProgress',
      photoCount: 2,
    });
    expect(row.slaDueAt).toBeInstanceOf(Date);
    expect(byId.get(ids.offered)).toMatchObject({ needsAction: 'respond', offered: true, photoCount: 0 });
    expect(byId.get(ids.assigned)?.needsAction).toBe('start');
    expect(byId.get(ids.inProgress)?.needsAction).toBe('complete');
    expect(byId.get(ids.completed)?.needsAction).toBe('invoice');
    expect(byId.get(ids.invoiced)?.needsAction).toBeNull();
  });

  it("never lists another contractor's jobs, or jobs the contractor declined", async () => {
    expect(await listIds(eve(), 'all')).toEqual(new Set([ids.eves, ids.declined]));
    const patsAll = await listIds(pat(), 'all');
    expect(patsAll.has(ids.eves)).toBe(false);
    expect(patsAll.has(ids.declined)).toBe(false);
  });

  it('is scoped to the agency the contractor picked', async () => {
    expect(await listIds(contractor(b.agency.id, patAtB.id), 'all')).toEqual(new Set([ids.atB]));
    // A forged session pairing agency B with Pat's record at A sees nothing from either.
    expect(await listIds(contractor(b.agency.id, a.contractors[0].id), 'all')).toEqual(new Set());
  });

  it('pages with a cursor without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await as(pat()).portal.jobs({ view: 'all', limit: 2, cursor });
      seen.push(...result.items.map((i) => i.id));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen)).toEqual(await listIds(pat(), 'all'));
  });

  it('refuses bad input with BAD_REQUEST', async () => {
    for (const input of [
      { view: 'mine' },
      { limit: 0 },
      { limit: 101 },
      { cursor: 'not-a-cursor' },
      { cursor: 'x'.repeat(201) },
    ]) {
      const error = await as(pat())
        .portal.jobs(input as never)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error, JSON.stringify(input)).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe('BAD_REQUEST');
    }
  });
});

describe('portal.job', () => {
  it('shows an offer with what the contractor may do, and the tenant contact the agency shares once the job is theirs', async () => {
    const detail = await as(pat()).portal.job({ id: ids.offered });
    // An offer leaves the job New until it is accepted.
    expect(detail).toMatchObject({
      status: 'new',
      offeredToMe: true,
      needsAction: 'respond',
      tenantContactShared: true,
    });
    expect(detail.allowed).toEqual(expect.arrayContaining(['ACCEPT', 'DECLINE']));
    expect(detail.allowed).not.toContain('START');
    // The agency shares it with the assigned contractor: an offer alone carries the tenant's name only.
    expect(detail.tenant).toEqual({ name: 'Tess Tenant', phone: null, email: null });
    expect(JSON.stringify(detail)).not.toContain('07700 900555');
    expect((await as(pat()).portal.job({ id: ids.assigned })).tenant).toEqual({
      name: 'Tess Tenant',
      phone: '07700 900555',
      email: 'tess@example.test',
    });
    expect(detail.property).toMatchObject({ line1: '1 Test Street', postcode: 'SW1A 1AA' });
    expect(detail.agency).toMatchObject({ name: 'Agency A', phone: '020 7946 0000' });
  });

  it("hides the tenant's phone and email when the agency does not share them", async () => {
    await database.db.update(agencies).set({ shareTenantContact: false }).where(eq(agencies.id, a.agency.id));
    try {
      const detail = await as(pat()).portal.job({ id: ids.assigned });
      expect(detail.tenant).toEqual({ name: 'Tess Tenant', phone: null, email: null });
      expect(detail.tenantContactShared).toBe(false);
      expect(JSON.stringify(detail)).not.toContain('07700 900555');
    } finally {
      await database.db.update(agencies).set({ shareTenantContact: true }).where(eq(agencies.id, a.agency.id));
    }
  });

  it('lists photos and leaves out other contractors’ offers and refusals', async () => {
    const detail = await as(pat()).portal.job({ id: ids.inProgress });
    expect(detail.photos.map((p) => p.fileName).sort()).toEqual(['after.png', 'leak.png']);
    expect(detail.photos[0]!.url).toMatch(/^\/api\/attachments\//);
    const evesView = await as(eve()).portal.job({ id: ids.declined });
    expect(evesView.timeline.filter((e) => e.type === 'OFFER')).toHaveLength(1);
    expect(evesView.timeline.some((e) => e.type === 'DECLINE')).toBe(false);
    expect(JSON.stringify(evesView)).not.toContain('Pat is busy');
  });

  it('says "invoice" once a completed job has no invoice from the contractor, and nothing after', async () => {
    expect((await as(pat()).portal.job({ id: ids.completed })).needsAction).toBe('invoice');
    const invoiced = await as(pat()).portal.job({ id: ids.invoiced });
    expect(invoiced.needsAction).toBeNull();
    expect(invoiced.contractorInvoice).toMatchObject({ number: 'INV-1', totalPence: 1200 });
  });

  it('answers NOT_FOUND for a job that is not theirs, or at another agency, and BAD_REQUEST for a bad id', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'OK',
        (e: unknown) => (e as TRPCError).code,
      );
    expect(await code(as(pat()).portal.job({ id: ids.eves }))).toBe('NOT_FOUND');
    expect(await code(as(pat()).portal.job({ id: ids.declined }))).toBe('NOT_FOUND');
    expect(await code(as(pat()).portal.job({ id: ids.atB }))).toBe('NOT_FOUND');
    expect(await code(as(contractor(b.agency.id, patAtB.id)).portal.job({ id: ids.offered }))).toBe('NOT_FOUND');
    expect(await code(as(pat()).portal.job({ id: '7d1e4a52-0c4b-4e51-9d4c-2b8a4c1f0e11' }))).toBe('NOT_FOUND');
    expect(await code(as(pat()).portal.job({ id: 'not-a-uuid' }))).toBe('BAD_REQUEST');
    // Nor may they act on it.
    expect(await code(as(eve()).jobs.send({ id: ids.offered, command: { type: 'ACCEPT' } }))).toBe('NOT_FOUND');
    expect((await as(staffOf(a)).jobs.get({ id: ids.offered })).job.offeredToId).toBe(a.contractors[0].id);
  });
});

describe('portal.contacts', () => {
  it("lists the picked agency's offices and staff, not another agency's", async () => {
    const contacts = await as(pat()).portal.contacts();
    expect(contacts.agency).toMatchObject({ name: 'Agency A', phone: '020 7946 0000', email: 'office@a.example' });
    expect(contacts.branches.map((x) => x.name)).toEqual(['Westminster']);
    expect(contacts.people).toEqual([
      { id: a.staff.id, name: 'Sam Staff', jobTitle: 'Property Manager', phone: '020 7946 0002', email: a.staff.email },
    ]);
    const atB = await as(contractor(b.agency.id, patAtB.id)).portal.contacts();
    expect(atB.agency!.name).toBe('Agency B');
    expect(JSON.stringify(atB)).not.toContain(a.staff.email);
  });
});

const pdfText = async (bytes: Uint8Array) => {
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, verbosity: 0 }).promise;
  let text = '';
  for (let n = 1; n <= pdf.numPages; n++)
    text +=
      (await (await pdf.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ') + '\n';
  return text;
};
/** The PDF's text line by line, for layout (list items, sections): items on one baseline, a space where they
 * stand apart (a marker and its text), none where one word changes font (bold to regular). */
const pdfLines = async (bytes: Uint8Array) => {
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, verbosity: 0 }).promise;
  const lines: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const rows = new Map<number, { x: number; end: number; str: string }[]>();
    for (const item of (await (await pdf.getPage(n)).getTextContent()).items) {
      if (!('str' in item) || !item.str.trim()) continue;
      const [, , , , x, y] = item.transform as number[];
      const row = rows.get(Math.round(y!)) ?? [];
      row.push({ x: x!, end: x! + item.width, str: item.str });
      rows.set(Math.round(y!), row);
    }
    for (const [, row] of [...rows].sort(([a], [b]) => b - a)) {
      row.sort((a, b) => a.x - b.x);
      lines.push(
        row
          .map((item, i) => (i > 0 && item.x - row[i - 1]!.end > 1 ? ' ' : '') + item.str)
          .join('')
          .replace(/\s+/g, ' ')
          .trim(),
      );
    }
  }
  return lines;
};
const sheetData = async (id: string, viewer: SessionUser) => {
  const [row] = await database.db.select().from(jobs).where(eq(jobs.id, id));
  return jobSheetData(database.db, row!, viewer);
};
/** The Job Sheet's text as this viewer would download it. */
const sheetText = async (id: string, viewer: SessionUser) => {
  const [row] = await database.db.select().from(jobs).where(eq(jobs.id, id));
  return pdfText(await renderJobSheet((await jobSheetData(database.db, row!, viewer))!));
};

describe('Job Sheet', () => {
  it("carries the job's details, and the tenant's contact only as the agency allows and only to the assigned contractor", async () => {
    const [offered] = await database.db.select().from(jobs).where(eq(jobs.id, ids.offered));
    const offer = await pdfText(await renderJobSheet((await jobSheetData(database.db, offered!, pat()))!));
    for (const s of [
      offered!.reference,
      'Offered to Pat',
      '1 Test Street',
      'SW1A 1AA',
      'Urgent',
      'Tess Tenant',
      'Agency A',
    ])
      expect(offer).toContain(s);
    expect(offer).not.toContain('07700 900555');

    const [row] = await database.db.select().from(jobs).where(eq(jobs.id, ids.assigned));
    const shared = await pdfText(await renderJobSheet((await jobSheetData(database.db, row!, pat()))!));
    for (const s of [row!.reference, 'Accepted by Pat', 'Tess Tenant', '07700 900555']) expect(shared).toContain(s);

    await database.db.update(agencies).set({ shareTenantContact: false }).where(eq(agencies.id, a.agency.id));
    try {
      const hidden = await pdfText(await renderJobSheet((await jobSheetData(database.db, row!, pat()))!));
      expect(hidden).toContain('Tess Tenant');
      expect(hidden).not.toContain('07700 900555');
      // Staff always see it.
      expect(await pdfText(await renderJobSheet((await jobSheetData(database.db, row!, staffOf(a)))!))).toContain(
        '07700 900555',
      );
    } finally {
      await database.db.update(agencies).set({ shareTenantContact: true }).where(eq(agencies.id, a.agency.id));
    }
  });

  it("keeps the description's paragraphs, numbered and bullet lists, bold and italics", async () => {
    const { id } = await as(staffOf(a)).jobs.create({
      title: 'Sheet: formatted description',
      priorityCode: 'P2',
      propertyId: a.property.id,
      descriptionHtml:
        '<p>Tap leaking <strong>at the base</strong>; Tom &amp; Jerry&#39;s flat.</p><p>Started <em>after</em> the service.</p>' +
        '<ol><li>Isolate the <b>water</b></li><li>Replace:<ul><li>cartridge</li><li>O-ring</li></ul></li><li>Test</li></ol>',
    });
    const [row] = await database.db.select().from(jobs).where(eq(jobs.id, id));
    const bytes = await renderJobSheet((await jobSheetData(database.db, row!, staffOf(a)))!);
    const lines = await pdfLines(bytes);
    const from = lines.indexOf('DESCRIPTION');
    expect(lines.slice(from + 1, from + 8)).toEqual([
      "Tap leaking at the base; Tom & Jerry's flat.",
      'Started after the service.',
      '1. Isolate the water',
      '2. Replace:',
      '◦ cartridge',
      '◦ O-ring',
      '3. Test',
    ]);
    // The bold and italic runs are set in DejaVu Sans Bold and Oblique (embedded only when used).
    expect(Buffer.from(bytes).toString('latin1')).toContain('+DejaVuSans-Oblique');
    const [plain] = await database.db.select().from(jobs).where(eq(jobs.id, ids.assigned));
    const plainBytes = await renderJobSheet((await jobSheetData(database.db, plain!, staffOf(a)))!);
    expect(Buffer.from(plainBytes).toString('latin1')).not.toContain('DejaVuSans-Oblique');
  });

  it('lists the recalls, when and by whom, with the reason, to the contractor whose work was recalled', async () => {
    const [p, e] = a.contractors;
    const id = await job('Sheet: recalled', [
      [staffOf(a), { type: 'OFFER', contractorId: p.id }],
      [pat(), { type: 'ACCEPT' }],
      [pat(), { type: 'START' }],
      [pat(), { type: 'COMPLETE', note: 'Washer replaced' }],
      [staffOf(a), { type: 'RECALL', reason: 'Still dripping at the base' }],
      [pat(), { type: 'START' }],
      [pat(), { type: 'COMPLETE', note: 'Cartridge replaced' }],
      [staffOf(a), { type: 'RECALL', reason: 'Tenant reports a new leak under the sink' }],
    ]);
    for (const viewer of [pat(), staffOf(a)]) {
      const lines = await pdfLines(await renderJobSheet((await sheetData(id, viewer))!));
      const from = lines.indexOf('RECALLS');
      expect(from, viewer.kind).toBeGreaterThan(lines.indexOf('DESCRIPTION'));
      expect(lines[from + 1]).toMatch(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} · recalled by Sam Staff$/);
      expect(lines.slice(from + 2, from + 4)).toEqual([
        'Still dripping at the base',
        expect.stringMatching(/ · recalled by Sam Staff$/),
      ]);
      expect(lines[from + 4]).toBe('Tenant reports a new leak under the sink');
    }
    // Offered to Eve after the recalls: like the portal, her part of the job starts at her offer.
    await send(staffOf(a), id, { type: 'OFFER', contractorId: e.id });
    const eves = (await sheetData(id, eve()))!;
    expect(eves.recalls).toEqual([]);
    expect(await pdfText(await renderJobSheet(eves))).not.toContain('RECALLS');
    // A job never recalled has no Recalls section.
    expect(await sheetText(ids.completed, pat())).not.toContain('RECALLS');
  });
});

describe('demo data', () => {
  it('gives the demo contractor jobs in several states at two agencies', async () => {
    const demo = await createTestDatabase();
    try {
      await seedDemo(demo.db, createEmbeddedEngine({ db: demo.db }));
      const records = await demo.db.select().from(contractors).where(eq(contractors.email, 'pat@plumbfast.example'));
      expect(records).toHaveLength(2);
      for (const record of records) {
        const caller = createCaller(
          createContext({
            db: demo.db,
            engine: createEmbeddedEngine({ db: demo.db }),
            user: contractor(record.agencyId, record.id),
            temporalUiUrl: null,
          }),
        );
        const { items } = await caller.portal.jobs({ view: 'all' });
        expect(new Set(items.map((i) => i.status)).size, `states at ${record.agencyId}`).toBeGreaterThanOrEqual(3);
        expect(items.some((i) => i.needsAction === 'respond')).toBe(true);
      }
    } finally {
      await demo.close();
    }
  });
});

// Last in the file: it adds a job, which the list tests above do not expect.
describe('a queried invoice', () => {
  it("puts the job back on the contractor's list as needing an invoice, and shows the query", async () => {
    const [p] = a.contractors;
    const id = await job('Pat invoiced, agency queried', [
      [staffOf(a), { type: 'OFFER', contractorId: p.id }],
      [pat(), { type: 'ACCEPT' }],
      [pat(), { type: 'START' }],
      [pat(), { type: 'COMPLETE', note: 'Done' }],
      [pat(), { type: 'SUBMIT_INVOICE', number: 'INV-Q', netPence: 1000, vatPence: 200 }],
    ]);
    const flag = async () => (await as(pat()).portal.jobs({ view: 'all' })).items.find((j) => j.id === id)?.needsAction;
    expect(await flag()).toBeNull();
    await as(staffOf(a)).jobs.send({ id, command: { type: 'QUERY_INVOICE', reason: 'VAT does not add up' } });
    expect(await flag()).toBe('invoice');
    const detail = await as(pat()).portal.job({ id });
    expect(detail.needsAction).toBe('invoice');
    expect(detail.timeline.find((e) => e.type === 'QUERY_INVOICE')?.payload.reason).toBe('VAT does not add up');
  });
});

describe('staff case notes', () => {
  it('reach the contractor only when shared, with their files; the list, page and Job Sheet agree', async () => {
    const [p] = a.contractors;
    const id = await job('Staff notes, some shared', [
      [staffOf(a), { type: 'OFFER', contractorId: p.id }],
      [pat(), { type: 'ACCEPT' }],
    ]);
    const store = diskStore(dir);
    const upload = (name: string, uploadedBy: string) =>
      saveAttachment(database.db, store, {
        agencyId: a.agency.id,
        jobId: id,
        uploadedBy,
        file: new File([PNG_1PX], name),
      });
    const staffBy = `staff:${a.staff.id}`;
    const [internal, shared, loose, mine] = [
      await upload('internal.png', staffBy),
      await upload('shared.png', staffBy),
      await upload('loose.png', staffBy),
      await upload('mine.png', `contractor:${p.id}`),
    ];
    await send(staffOf(a), id, {
      type: 'ADD_NOTE',
      text: 'Landlord disputes the last bill',
      attachmentIds: [internal.id],
    });
    await send(staffOf(a), id, {
      type: 'ADD_NOTE',
      text: 'Key safe code is 4321',
      attachmentIds: [shared.id],
      shareWithContractor: true,
    });
    await send(pat(), id, { type: 'ADD_NOTE', text: 'Parts ordered', attachmentIds: [mine.id] });

    const detail = await as(pat()).portal.job({ id });
    const notes = detail.timeline.filter((e) => e.type === 'ADD_NOTE').map((e) => e.payload.text);
    expect(notes).toEqual(['Key safe code is 4321', 'Parts ordered']);
    expect(JSON.stringify(detail)).not.toContain('Landlord disputes');
    expect(detail.photos.map((f) => f.fileName).sort()).toEqual(['mine.png', 'shared.png']);
    expect((await as(pat()).portal.jobs({ view: 'all' })).items.find((j) => j.id === id)?.photoCount).toBe(2);
    // A contractor cannot make a file visible by citing one they did not upload.
    await expect(send(pat(), id, { type: 'ADD_NOTE', text: 'Look', attachmentIds: [loose.id] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });

    const [row] = await database.db.select().from(jobs).where(eq(jobs.id, id));
    const patsSheet = (await jobSheetData(database.db, row!, pat()))!;
    expect(patsSheet.notes.map((n) => n.text)).toEqual(['Key safe code is 4321', 'Parts ordered']);
    expect(patsSheet.photoCount).toBe(2);
    // The sheet is a site document (it has the contractor's signature block): printed by staff for the
    // contractor it carries what the contractor may see, never the internal note. Which notes were shared is in the history.
    const staffSheet = (await jobSheetData(database.db, row!, staffOf(a)))!;
    expect(staffSheet.notes.map((n) => n.text)).toEqual(['Key safe code is 4321', 'Parts ordered']);
    expect(staffSheet.photoCount).toBe(2);
    const history = (await as(staffOf(a)).jobs.get({ id })).timeline
      .filter((e) => e.type === 'ADD_NOTE')
      .map((e) => (e.payload as { shareWithContractor?: boolean }).shareWithContractor);
    expect(history).toEqual([undefined, true, undefined]);
  });
});

describe('form refusals', () => {
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e,
    );
  it("say what to fix in the form's words, never zod's, and keep the messages schemas chose", async () => {
    const bad = await refusal(
      as(pat()).portal.submitInvoice({
        jobId: ids.completed,
        number: ' ',
        issuedOn: '2026-02-30',
        netPence: 2_000_000_000,
        vatPence: -1,
        documentId: 'not-an-id',
      }),
    );
    const names = { number: 'invoice number', issuedOn: 'invoice date', netPence: 'net amount', vatPence: 'VAT' };
    expect(toFailure('submit', bad, { names }).data.error).toBe(
      'Enter the invoice number. Enter a valid invoice date. The net amount is too large. The VAT is too small. Enter a valid document id',
    );
    const title = await refusal(
      as(staffOf(a)).jobs.create({ title: 'x', priorityCode: 'P2', propertyId: a.property.id }),
    );
    expect(toFailure('create', title).data.error).toBe('Give the job a short title');
    // Refusals that are not about input keep the API's words.
    const engine = await refusal(as(eve()).jobs.send({ id: ids.eves, command: { type: 'START' } }));
    expect(toFailure('start', engine).data.error).toBe('Only the assigned contractor can start work');
  });
});

describe('access notes (key-safe and alarm codes)', () => {
  const CODES = 'Key safe 2468, alarm 1357';
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'OK',
      (e: unknown) => (e as TRPCError).code,
    );
  /** What the contractor is shown of the access notes on the portal page and the Job Sheet. */
  const seen = async (user: SessionUser, id: string) => {
    const detail = await as(user).portal.job({ id });
    return {
      page: detail.property?.accessNotes ?? null,
      leaks: JSON.stringify(detail).includes(CODES),
      sheet: (await sheetText(id, user)).includes(CODES),
    };
  };
  const NONE = { page: null, leaks: false, sheet: false };
  const ALL = { page: CODES, leaks: true, sheet: true };

  beforeAll(async () => {
    await database.db.update(properties).set({ accessNotes: CODES }).where(eq(properties.id, a.property.id));
  });

  it('reach the contractor only once they accept, like the tenant contact', async () => {
    const [p] = a.contractors;
    const id = await job('Codes: offered then accepted', [[staffOf(a), { type: 'OFFER', contractorId: p.id }]], {
      tenant: true,
    });
    expect(await seen(pat(), id)).toEqual(NONE);
    await send(pat(), id, { type: 'ACCEPT' });
    expect(await seen(pat(), id)).toEqual(ALL);
    // Staff always have them.
    expect(await sheetText(id, staffOf(a))).toContain(CODES);
  });

  it('go with the job when the contractor declines it or it is withdrawn from them', async () => {
    const [p, e] = a.contractors;
    const declined = await job('Codes: declined', [
      [staffOf(a), { type: 'OFFER', contractorId: p.id }],
      [pat(), { type: 'DECLINE' }],
    ]);
    expect(await code(as(pat()).portal.job({ id: declined }))).toBe('NOT_FOUND');

    const withdrawn = await job('Codes: withdrawn', [
      [staffOf(a), { type: 'OFFER', contractorId: p.id }],
      [pat(), { type: 'ACCEPT' }],
    ]);
    expect(await seen(pat(), withdrawn)).toEqual(ALL);
    await send(staffOf(a), withdrawn, { type: 'OFFER', contractorId: e.id });
    expect(await code(as(pat()).portal.job({ id: withdrawn }))).toBe('NOT_FOUND');
    expect(await seen(eve(), withdrawn)).toEqual(NONE);
  });

  it('leave the contractor whose recalled job is offered to another, and reach the new one once they accept', async () => {
    const [p, e] = a.contractors;
    const id = await job('Codes: recalled to another', [
      [staffOf(a), { type: 'OFFER', contractorId: p.id }],
      [pat(), { type: 'ACCEPT' }],
      [pat(), { type: 'START' }],
      [pat(), { type: 'COMPLETE', note: 'Done' }],
      [staffOf(a), { type: 'RECALL', reason: 'Still leaking' }],
    ]);
    // Recalled to Pat: still Pat's job, so Pat still has the way in.
    expect(await seen(pat(), id)).toEqual(ALL);
    await send(staffOf(a), id, { type: 'OFFER', contractorId: e.id });
    expect(await seen(pat(), id)).toEqual(NONE);
    expect(await seen(eve(), id)).toEqual(NONE);
    await send(eve(), id, { type: 'ACCEPT' });
    expect(await seen(eve(), id)).toEqual(ALL);
    expect(await code(as(pat()).portal.job({ id }))).toBe('NOT_FOUND');
  });
});
