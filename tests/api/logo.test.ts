// The agency's logo, over a real database and file store: an admin uploads it in Settings (a PNG or JPEG, its
// type sniffed from the bytes, at most 1 MB; SVG and anything else refused in a sentence), replaces or removes
// it, and it heads every PDF the agency's people download: the agency invoice and its credit notes, the Job
// Sheet, the remittance advice and the statement. Served only to the agency's own people.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readableLogo } from '#activities/pdf/logo.ts';
import { agencies, attachments, auditLog, contractorInvoices } from '#db/schema/index.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { ukDay } from '#workflows/time.ts';
import { pageActions, provideTestRuntime } from '../support/actions.ts';
import { callerFor, contractorOf, staffOf } from '../support/callers.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { JPEG_12X6, PNG_1PX, pngOf as png } from '../support/files.ts';
import { createAgency } from '../support/fixtures.ts';

let database: TestDatabase;
let dir: string;
let fx: Awaited<ReturnType<typeof createAgency>>;
let other: Awaited<ReturnType<typeof createAgency>>;

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'fettle-logo-'));
  provideTestRuntime(database.db, dir);
  fx = await createAgency(database.db, 'Logo Lettings');
  other = await createAgency(database.db, 'Other Lettings');
});
afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

const admin = (f = fx): SessionUser => ({
  ...(staffOf(f) as Extract<SessionUser, { kind: 'staff' }>),
  role: 'admin',
});

const file = (bytes: Buffer | string, name: string, type = 'image/png') =>
  new File([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)], name, { type });

/** Posts the Settings page's `logo` (or `removeLogo`) action as `user`: what the action answered. */
async function post(action: 'logo' | 'removeLogo', user: SessionUser, upload?: File) {
  const actions = await pageActions('(console)/settings');
  const body = new FormData();
  if (upload) body.set('logo', upload);
  const request = new Request('http://localhost/settings', { method: 'POST', body });
  return (await actions[action]!({ request, params: {}, locals: { user } })) as {
    ok?: boolean;
    status?: number;
    data?: { error: string };
  };
}

const agencyRow = async (id = fx.agency.id) =>
  (await database.db.select().from(agencies).where(eq(agencies.id, id)))[0]!;

type Handler = (event: unknown) => Promise<Response>;
const route = async (path: string) =>
  (
    (await import(/* @vite-ignore */ new URL(`../../web/src/routes/${path}/+server.ts`, import.meta.url).pathname)) as {
      GET: Handler;
    }
  ).GET;
/** GET a route as `user`: the response, or the status SvelteKit's `error` threw. */
async function get(path: string, user: SessionUser | null, params: Record<string, string> = {}, query = '') {
  const GET = await route(path);
  return GET({ params, locals: { user }, url: new URL(`http://localhost/x${query}`) }).catch(
    (e: { status?: number }) => e.status ?? 500,
  );
}

/** A layout's load under web/src/routes, as SvelteKit runs it for `user` on a page below it. */
async function layout(group: string, user: SessionUser) {
  const file = new URL(`../../web/src/routes/${group}/+layout.server.ts`, import.meta.url).pathname;
  const { load } = (await import(/* @vite-ignore */ file)) as {
    load: (event: unknown) => Promise<Record<string, unknown>>;
  };
  return load({ locals: { user }, url: new URL('http://localhost/x'), depends: () => {} });
}

/** How many images a PDF's pages paint (pdf.js's own reading of the file) and whether pdfkit embedded an image XObject. */
async function imagesIn(bytes: Uint8Array) {
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, verbosity: 0 }).promise;
  const { OPS } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let painted = 0;
  for (let n = 1; n <= pdf.numPages; n++) {
    const ops = await (await pdf.getPage(n)).getOperatorList();
    painted += ops.fnArray.filter((f) => f === OPS.paintImageXObject).length;
  }
  const xobject = /\/Subtype\s*\/Image/.test(Buffer.from(bytes).toString('latin1'));
  return { painted, xobject };
}

describe('uploading the agency logo', () => {
  it('takes a PNG from an admin, serves it to the agency, and ticks the Getting started item', async () => {
    const logo = png(40, 20);
    const answer = await post('logo', admin(), file(logo, 'logo.png'));
    expect(answer).toMatchObject({ ok: true, result: { contentType: 'image/png', width: 40, height: 20 } });
    const row = await agencyRow();
    expect(row.logoContentType).toBe('image/png');
    expect(row.logoStorageKey).toMatch(new RegExp(`^${fx.agency.id}/logo/`));
    expect(existsSync(join(dir, 'files', row.logoStorageKey!))).toBe(true);

    // Served to the agency's staff and its contractors, as stored.
    for (const user of [staffOf(fx), contractorOf(fx, 0)]) {
      const res = (await get('api/agency/logo', user)) as Response;
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await res.arrayBuffer()).equals(logo)).toBe(true);
    }
    // The console's header (its layout's data) and the portal's agency bar link it, with its version.
    const url = `/api/agency/logo?v=${fx.agency.id.slice(0, 8)}-${row.logoUpdatedAt!.getTime()}`;
    const header = await layout('(console)', staffOf(fx));
    expect(header.agencyBrand).toEqual({ name: 'Logo Lettings', logoUrl: url });
    expect((await layout('portal', contractorOf(fx, 0))).agencyLogoUrl).toBe(url);
    expect((await layout('(console)', staffOf(other))).agencyBrand).toEqual({ name: 'Other Lettings', logoUrl: null });
    // Another agency has none of its own, and never sees this one; nobody signed out does.
    expect(await get('api/agency/logo', staffOf(other))).toBe(404);
    expect(await get('api/agency/logo', null)).toBe(401);

    const checklist = await callerFor(database.db, admin()).settings.gettingStarted();
    expect(checklist.items.find((i) => i.key === 'logo')).toMatchObject({ done: true, href: '#logo' });
    const [entry] = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'settings.agency.logo'))
      .orderBy(auditLog.id);
    expect(entry).toMatchObject({ agencyId: fx.agency.id, actorId: fx.staff.id, actorRole: 'admin' });
    expect(entry!.detail).toMatchObject({ changes: { logo: [null, { contentType: 'image/png', width: 40 }] } });
  });

  it('refuses a renamed text file, an SVG, a damaged PNG and anything over 1 MB, each in a sentence', async () => {
    const before = await agencyRow();
    const cases: [File, number, RegExp][] = [
      [file('just some notes, not a picture\n', 'logo.png'), 415, /^logo\.png is not a PNG or JPEG image$/],
      [
        file('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'l.svg'),
        415,
        /l\.svg is an SVG drawing: SVG logos are not accepted.*Save it as a PNG or JPEG/,
      ],
      [
        file(Buffer.concat([png(4, 4).subarray(0, 40), Buffer.alloc(30, 1)]), 'broken.png'),
        415,
        /broken\.png could not be read as an image/,
      ],
      [file(Buffer.concat([png(4, 4), Buffer.alloc(1024 * 1024)]), 'huge.png'), 400, /huge\.png is larger than 1 MB/],
      [file('', 'empty.png'), 400, /Choose a PNG or JPEG file/],
    ];
    for (const [upload, status, message] of cases) {
      const answer = await post('logo', admin(), upload);
      expect(answer.status, upload.name).toBe(status);
      expect(answer.data!.error, upload.name).toMatch(message);
    }
    // Nothing changed, nothing left in the store.
    expect(await agencyRow()).toEqual(before);
  });

  it('refuses staff who are not admins, and contractors, before reading the file', async () => {
    const before = await agencyRow();
    for (const user of [staffOf(fx), contractorOf(fx, 0)]) {
      for (const action of ['logo', 'removeLogo'] as const) {
        const answer = await post(action, user, file(png(2, 2), 'logo.png'));
        expect(answer.status).toBe(403);
        expect(answer.data!.error).toBe('Only an agency admin can change the logo');
      }
    }
    expect(await agencyRow()).toEqual(before);
  });

  it('replaces the logo (the old file goes) and removes it', async () => {
    const first = (await agencyRow()).logoStorageKey!;
    expect(await post('logo', admin(), file(png(10, 10), 'new.png'))).toMatchObject({ ok: true });
    const second = (await agencyRow()).logoStorageKey!;
    expect(second).not.toBe(first);
    expect(existsSync(join(dir, 'files', first))).toBe(false);
    expect(existsSync(join(dir, 'files', second))).toBe(true);

    // Two uploads at once take turns: one is current, and the other's file is gone with the one it replaced.
    const answers = await Promise.all([
      post('logo', admin(), file(png(11, 11), 'a.png')),
      post('logo', admin(), file(png(12, 12), 'b.png')),
    ]);
    expect(answers).toMatchObject([{ ok: true }, { ok: true }]);
    const current = (await agencyRow()).logoStorageKey!;
    expect(readdirSync(join(dir, 'files', fx.agency.id, 'logo'))).toEqual([current.split('/').at(-1)]);

    expect(await post('removeLogo', admin())).toMatchObject({ ok: true, result: { removed: true } });
    expect(await agencyRow()).toMatchObject({ logoStorageKey: null, logoContentType: null, logoUpdatedAt: null });
    expect(readdirSync(join(dir, 'files', fx.agency.id, 'logo'))).toEqual([]);
    expect(await get('api/agency/logo', staffOf(fx))).toBe(404);
  });
});

describe('the logo on the PDFs', () => {
  it('heads the agency invoice, its credit note, the Job Sheet, the remittance advice and the statement when set, and only then', async () => {
    const staff = callerFor(database.db, staffOf(fx));
    const pat = callerFor(database.db, contractorOf(fx, 0));
    const { id } = await staff.jobs.create({ title: 'Leaking tap', priorityCode: 'P2', propertyId: fx.property.id });
    await staff.jobs.send({ id, command: { type: 'OFFER', contractorId: fx.contractors[0].id } });
    for (const type of ['ACCEPT', 'START'] as const) await pat.jobs.send({ id, command: { type } });
    await pat.jobs.send({ id, command: { type: 'COMPLETE', note: 'Washer replaced' } });
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
    await pat.portal.submitInvoice({
      jobId: id,
      number: 'PL-1',
      issuedOn: ukDay(new Date()),
      netPence: 10_000,
      vatPence: 0,
      documentId: doc!.id,
    });
    const [inv] = await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, id));
    await staff.finance.approveInvoice({ invoiceId: inv!.id });
    await staff.jobs.send({ id, command: { type: 'CLOSE' } });
    await staff.finance.raiseInvoice({
      clientName: 'Lee Landlord',
      clientAddress: '9 Billing Road, Bristol BS1 4ST',
      jobId: id,
      number: 'INV-L1',
      agentNetPence: 12_000,
      contractorTotalPence: 10_000,
    });
    // Corrected before any payment: a credit note for INV-L1 and INV-L2 in its place.
    const { creditNote } = await staff.finance.raiseInvoice({
      clientName: 'Lee Landlord',
      clientAddress: '9 Billing Road, Bristol BS1 4ST',
      jobId: id,
      number: 'INV-L2',
      agentNetPence: 12_500,
      contractorTotalPence: 10_000,
      creditReason: 'Price agreed with the landlord',
    });
    const run = await staff.finance.createPaymentRun({
      contractorId: fx.contractors[0].id,
      invoiceIds: [inv!.id],
      reference: 'RUN-L1',
      paidOn: ukDay(new Date()),
      key: 'logo-run-0001',
    });
    const today = ukDay(new Date());
    // Each document as its download route makes it, for whoever downloads it.
    const documents = async () => {
      const out: Record<string, { painted: number; xobject: boolean }> = {};
      const downloads: [string, string, SessionUser, Record<string, string>, string?][] = [
        ['invoice', '(console)/jobs/[id=uuid]/finance/invoice.pdf', staffOf(fx), { id }],
        [
          'credit note',
          '(console)/jobs/[id=uuid]/finance/credit-notes/[number]',
          staffOf(fx),
          { id, number: creditNote! },
        ],
        ['job sheet', 'api/jobs/[id=uuid]/job-sheet.pdf', contractorOf(fx, 0), { id }],
        [
          'remittance (staff)',
          '(console)/finance/remittances/[id=uuid]/remittance.pdf',
          staffOf(fx),
          { id: run.runId },
        ],
        [
          'remittance (portal)',
          'portal/account/remittances/[id=uuid]/remittance.pdf',
          contractorOf(fx, 0),
          { id: run.runId },
        ],
        ['statement', 'portal/statements/statement.pdf', contractorOf(fx, 0), {}, `?from=${today}&to=${today}`],
      ];
      for (const [name, path, user, params, query] of downloads) {
        const res = await get(path, user, params, query);
        expect(res, name).toBeInstanceOf(Response);
        expect((res as Response).headers.get('content-type'), name).toBe('application/pdf');
        out[name] = await imagesIn(new Uint8Array(await (res as Response).arrayBuffer()));
      }
      return out;
    };

    for (const [name, seen] of Object.entries(await documents()))
      expect(seen, `${name} without a logo`).toEqual({ painted: 0, xobject: false });

    // An RGBA PNG (pdfkit splits its alpha channel as it writes), a plain RGB one and a JPEG all draw.
    for (const [logo, name] of [
      [PNG_1PX, 'logo.png'],
      [png(300, 60), 'wide.png'],
      [JPEG_12X6, 'logo.jpg'],
    ] as const) {
      expect(await post('logo', admin(), file(logo, name, ''))).toMatchObject({ ok: true });
      for (const [name, seen] of Object.entries(await documents()))
        expect(seen, `${name} with a logo`).toEqual({ painted: 1, xobject: true });
    }
  });

  it('reads in full what it will draw: a PNG whose image data is cut short is unreadable', () => {
    const good = png(8, 8);
    expect(readableLogo(good)).toEqual({ type: 'image/png', width: 8, height: 8 });
    expect(readableLogo(JPEG_12X6)).toEqual({ type: 'image/jpeg', width: 12, height: 6 });
    expect(readableLogo(JPEG_12X6.subarray(0, 100))).toBeNull();
    // Same header, image data of a smaller picture (checksums right): pdfkit would fail writing it.
    const short = Buffer.concat([good.subarray(0, 33), png(2, 2).subarray(33)]);
    expect(readableLogo(short)).toBeNull();
  });
});
