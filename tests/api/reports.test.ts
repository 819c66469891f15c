// Tenants' repair reports over a real database: the postcode lookup shows first lines only, a report is sent
// once per page key, confirmed by the emailed code, rate-limited per email and address, refuses what it must
// (another agency's address, a file that is not a photo) storing nothing, and staff turn one into a job whose
// attachments are the report's photos, merge one into an open job, or close one with an emailed reason.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachments,
  auditLog,
  jobEvents,
  jobs,
  properties,
  repairReportFiles,
  repairReports,
  tenants,
} from '#db/schema/index.ts';
import { diskStore } from '#lib/server/files/storage.ts';
import {
  addressChoices,
  agencyBySlug,
  confirmReport,
  recordSelfFix,
  ReportRefused,
  REPORTS_PER_HOUR,
  submitReport,
  type PublicAgency,
} from '#lib/server/reports/public.ts';
import { provideTestRuntime } from '../support/actions.ts';
import { codeIn, latestEmail } from '../support/auth.ts';
import { callerFor, contractorOf, staffOf } from '../support/callers.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { PNG_1PX, TINY_PDF } from '../support/files.ts';
import { createAgency } from '../support/fixtures.ts';

let database: TestDatabase;
let dir: string;
let fx: Awaited<ReturnType<typeof createAgency>>;
let other: Awaited<ReturnType<typeof createAgency>>;
let agency: PublicAgency;
const now = new Date('2026-01-14T10:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'fettle-reports-'));
  provideTestRuntime(database.db, dir);
  fx = await createAgency(database.db, 'Report Lettings');
  other = await createAgency(database.db, 'Other Lettings');
  agency = (await agencyBySlug(database.db, fx.agency.slug))!;
});
afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

const store = () => diskStore(dir);
const photo = (name: string) => new File([PNG_1PX], name, { type: 'image/png' });
const fields = (over: Record<string, string> = {}) => ({
  name: 'Tina Tenant',
  email: `tina+${randomUUID().slice(0, 8)}@example.test`,
  phone: '',
  propertyId: fx.property.id,
  category: 'leak',
  description: 'Water dripping through the kitchen ceiling',
  key: randomUUID(),
  ...over,
});
const submit = (f: Record<string, string>, files: File[] = [], at = now) =>
  submitReport(database.db, null, store(), { agency, fields: f, files, origin: 'http://localhost', now: at });
const storedFiles = () => {
  try {
    return readdirSync(join(dir, 'files', fx.agency.id, 'reports'), { recursive: true }).length;
  } catch {
    return 0;
  }
};
/** A home of its own, so a test's reports do not count against another's hourly limit. */
async function newHome() {
  const [home] = await database.db
    .insert(properties)
    .values({
      agencyId: fx.agency.id,
      line1: `${randomUUID().slice(0, 4)} Own Road`,
      town: 'London',
      postcode: 'SW1A 2AA',
      outcode: 'SW1A',
    })
    .returning();
  return home!;
}
async function confirmed(given?: Record<string, string>, files: File[] = []) {
  const f = given ?? fields({ propertyId: (await newHome()).id });
  const { id } = await submit(f, files);
  const mail = await latestEmail(database.db, f.email);
  await confirmReport(database.db, { agencyId: fx.agency.id, id, code: codeIn(mail!.body)!, now });
  return id;
}

describe('the postcode lookup', () => {
  it("offers only first lines of this agency's properties at the postcode, however it is typed", async () => {
    const { choices, postcode } = await addressChoices(database.db, fx.agency.id, 'sw1a1aa');
    expect(postcode).toBe('SW1A 1AA');
    expect(choices).toEqual([{ id: fx.property.id, label: '1 Test Street' }]);
    // The other agency has a home at the same postcode: never offered here.
    expect(JSON.stringify(choices)).not.toContain(other.property.id);
  });

  it('says a postcode is not one, and finds nothing for one with no homes', async () => {
    await expect(addressChoices(database.db, fx.agency.id, 'nonsense')).rejects.toThrow(/is not a UK postcode/);
    expect((await addressChoices(database.db, fx.agency.id, 'BS1 5LJ')).choices).toEqual([]);
  });
});

describe('sending a report', () => {
  it('stores it unconfirmed with its photos, flags the emergency, and emails a code', async () => {
    const f = fields({ uncontainedWater: 'on' });
    const { id, duplicate } = await submit(f, [photo('ceiling.png'), photo('floor.png')]);
    expect(duplicate).toBe(false);
    const [row] = await database.db.select().from(repairReports).where(eq(repairReports.id, id));
    expect(row).toMatchObject({
      status: 'unconfirmed',
      emergency: true,
      emergencyReason: 'Water coming in that cannot be stopped',
      suggestedPriority: 'P1',
      addressLine1: '1 Test Street',
    });
    expect(row!.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await database.db.select().from(repairReportFiles).where(eq(repairReportFiles.reportId, id))).toHaveLength(
      2,
    );
    const mail = await latestEmail(database.db, f.email);
    expect(mail!.body).toContain(`/report/${fx.agency.slug}/confirm/${id}?code=`);
    expect(row!.codeHash).not.toContain(codeIn(mail!.body));
  });

  it('is idempotent: the same page key again is the same report, with no second photos or email', async () => {
    const f = fields();
    const first = await submit(f, [photo('a.png')]);
    const again = await submit(f, [photo('a.png')]);
    expect(again).toEqual({ id: first.id, duplicate: true });
    const rows = await database.db.select().from(repairReports).where(eq(repairReports.reporterEmail, f.email));
    expect(rows).toHaveLength(1);
    expect(
      await database.db.select().from(repairReportFiles).where(eq(repairReportFiles.reportId, first.id)),
    ).toHaveLength(1);
  });

  it("refuses another agency's property, and a file that is not a photo, storing nothing", async () => {
    const before = storedFiles();
    const f = fields({ propertyId: other.property.id });
    await expect(submit(f)).rejects.toThrow(/That address is not one Report Lettings manages/);
    const g = fields();
    const refused = await submit(g, [photo('ok.png'), new File([TINY_PDF], 'lease.pdf')]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ReportRefused);
    expect((refused as ReportRefused).message).toMatch(/lease\.pdf is not a photo/);
    expect((refused as ReportRefused).status).toBe(415);
    const big = new File([new Uint8Array(16 * 1024 * 1024)], 'huge.png');
    await expect(submit(fields(), [big])).rejects.toThrow(/huge\.png is larger than 15 MB/);
    expect(await database.db.select().from(repairReports).where(eq(repairReports.reporterEmail, g.email))).toEqual([]);
    expect(storedFiles()).toBe(before);
  });

  it('says what is missing in sentences', async () => {
    await expect(submit(fields({ email: '', description: 'x', category: 'nope' }))).rejects.toThrow(
      /Enter your email: we send a code to it to confirm the report.*Choose what the problem is about.*Describe the problem/,
    );
    await expect(submit(fields({ propertyId: '', line1: '', postcode: 'zz' }))).rejects.toThrow(
      /Choose your address, or type its first line. Enter your postcode/,
    );
  });

  it('takes a typed address that is not on file', async () => {
    const { id } = await submit(fields({ propertyId: '', line1: '7 New Road', town: 'Bristol', postcode: 'bs15lj' }));
    const [row] = await database.db.select().from(repairReports).where(eq(repairReports.id, id));
    expect(row).toMatchObject({ propertyId: null, addressLine1: '7 New Road', postcode: 'BS1 5LJ' });
  });

  it(`takes at most ${REPORTS_PER_HOUR} reports an hour from one email or one address`, async () => {
    const email = `flood+${randomUUID().slice(0, 8)}@example.test`;
    const typed = { propertyId: '', line1: '9 Flood Lane', town: 'Bristol', postcode: 'BS2 0AA' };
    for (let i = 0; i < REPORTS_PER_HOUR; i++) await submit(fields({ ...typed, email: `${i}${email}` }));
    const refused = await submit(fields({ ...typed })).catch((e: unknown) => e);
    expect((refused as ReportRefused).status).toBe(429);
    expect((refused as Error).message).toMatch(/We have had 5 reports from this email or address in the last hour/);
    // Same email at another address, within the hour: refused too. An hour later: taken.
    for (let i = 0; i < REPORTS_PER_HOUR; i++)
      await submit(fields({ email, propertyId: '', line1: `${i} Other Way`, town: 'Bath', postcode: 'BA1 1AA' }));
    await expect(submit(fields({ email }))).rejects.toThrow(/in the last hour/);
    await expect(submit(fields({ email }), [], new Date(now.getTime() + 3_700_000))).resolves.toMatchObject({
      duplicate: false,
    });
  });
});

describe('confirming by the emailed code', () => {
  it('counts wrong codes, then the right one confirms and links the tenant on file', async () => {
    const email = `known+${randomUUID().slice(0, 8)}@example.test`;
    const [tenant] = await database.db
      .insert(tenants)
      .values({ agencyId: fx.agency.id, propertyId: fx.property.id, name: 'Known Tenant', email })
      .returning();
    const f = fields({ email });
    const { id } = await submit(f);
    const code = codeIn((await latestEmail(database.db, email))!.body)!;
    const wrong = code === '000000' ? '111111' : '000000';
    await expect(confirmReport(database.db, { agencyId: fx.agency.id, id, code: wrong, now })).rejects.toThrow(
      /That code is not right. Check the email and try again \(4 tries left\)/,
    );
    // Another agency's page cannot confirm it.
    await expect(confirmReport(database.db, { agencyId: other.agency.id, id, code, now })).rejects.toThrow(
      /cannot find that report/,
    );
    expect(await confirmReport(database.db, { agencyId: fx.agency.id, id, code, now })).toEqual({
      status: 'confirmed',
    });
    expect(await confirmReport(database.db, { agencyId: fx.agency.id, id, code, now })).toEqual({ status: 'already' });
    const [row] = await database.db.select().from(repairReports).where(eq(repairReports.id, id));
    expect(row).toMatchObject({ status: 'new', tenantId: tenant!.id, codeHash: null });
  });

  it('refuses an expired code', async () => {
    const f = fields();
    const { id } = await submit(f);
    const code = codeIn((await latestEmail(database.db, f.email))!.body)!;
    const later = new Date(now.getTime() + 31 * 60_000);
    await expect(confirmReport(database.db, { agencyId: fx.agency.id, id, code, now: later })).rejects.toThrow(
      /can no longer be used/,
    );
  });
});

describe('"I fixed it myself"', () => {
  it('is kept with what helped and counted per category; a gas smell is never self-fixed', async () => {
    await recordSelfFix(database.db, {
      agency,
      fields: { category: 'electrics', helped: 'Reset the trip switch' },
      now,
    });
    await recordSelfFix(database.db, { agency, fields: { category: 'electrics', helped: 'Trip switch again' }, now });
    await expect(
      recordSelfFix(database.db, { agency, fields: { category: 'gas', helped: 'Opened a window' }, now }),
    ).rejects.toThrow(/0800 111 999/);
    const counts = await callerFor(database.db, staffOf(fx)).reports.selfFixed();
    expect(counts).toContainEqual({ category: 'electrics', label: 'Electrics', count: 2 });
  });
});

describe('the Reports inbox', () => {
  const staff = () => callerFor(database.db, staffOf(fx));

  it('lists confirmed reports only, to the agency only', async () => {
    const f = fields({ propertyId: (await newHome()).id });
    const { id: unconfirmed } = await submit(f);
    const id = await confirmed();
    const listed = (await staff().reports.list()).map((r) => r.id);
    expect(listed).toContain(id);
    expect(listed).not.toContain(unconfirmed);
    expect((await staff().reports.newCount()).count).toBeGreaterThan(0);
    expect((await callerFor(database.db, staffOf(other)).reports.list()).map((r) => r.id)).not.toContain(id);
    await expect(callerFor(database.db, staffOf(other)).reports.get({ id })).rejects.toThrow('Report not found');
    await expect(callerFor(database.db, null).reports.list()).rejects.toThrow('Sign in first');
  });

  it('converts a report into a job the machine starts, with the photos as its attachments, once', async () => {
    const home = await newHome();
    const f = fields({ name: 'Nina New', propertyId: home.id });
    const id = await confirmed(f, [photo('one.png'), photo('two.png')]);
    const detail = await staff().reports.get({ id });
    expect(detail.photos).toHaveLength(2);
    expect(detail.prefill.priorityCode).toBe('P2');
    expect(detail.prefill.title).toMatch(/^Leak or water coming in: Water dripping/);
    const out = await staff().reports.convert({ id, ...detail.prefill, newProperty: undefined });
    expect(out.photos).toBe(2);
    const [job] = await database.db.select().from(jobs).where(eq(jobs.id, out.jobId));
    expect(job).toMatchObject({ status: 'new', propertyId: home.id, priorityCode: 'P2' });
    expect(job!.descriptionHtml).toContain('Water dripping through the kitchen ceiling');
    const events = await database.db.select().from(jobEvents).where(eq(jobEvents.jobId, out.jobId));
    expect(events.length).toBeGreaterThan(0);
    const files = await database.db.select().from(attachments).where(eq(attachments.jobId, out.jobId));
    expect(files.map((a) => [a.fileName, a.kind]).sort()).toEqual([
      ['one.png', 'photo'],
      ['two.png', 'photo'],
    ]);
    // The reporter became the job's tenant at the property.
    const [tenant] = await database.db.select().from(tenants).where(eq(tenants.id, job!.tenantId!));
    expect(tenant).toMatchObject({ name: 'Nina New', email: f.email, propertyId: home.id });
    const [row] = await database.db.select().from(repairReports).where(eq(repairReports.id, id));
    expect(row).toMatchObject({ status: 'converted', jobId: out.jobId, handledBy: fx.staff.id, tenantId: tenant!.id });
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'report.convert'), eq(auditLog.jobId, out.jobId)));
    expect(audit).toMatchObject([{ actorId: fx.staff.id, actorRole: 'staff' }]);
    await expect(staff().reports.convert({ id, ...detail.prefill, newProperty: undefined })).rejects.toThrow(
      /already been dealt with \(converted\)/,
    );
  });

  it('adds the property a typed address names when converting', async () => {
    const id = await confirmed(
      fields({ propertyId: '', line1: '12 Fresh Street', town: 'Leeds', postcode: 'LS1 4AP' }),
    );
    const detail = await staff().reports.get({ id });
    expect(detail.prefill.newProperty).toEqual({ line1: '12 Fresh Street', town: 'Leeds', postcode: 'LS1 4AP' });
    const out = await staff().reports.convert({ id, ...detail.prefill, newProperty: detail.prefill.newProperty! });
    const [row] = await database.db.select().from(repairReports).where(eq(repairReports.id, id));
    expect(row!.propertyId).not.toBeNull();
    expect(row!.jobId).toBe(out.jobId);
  });

  it('puts a refused conversion back in the inbox', async () => {
    const id = await confirmed();
    const detail = await staff().reports.get({ id });
    await expect(
      staff().reports.convert({ id, ...detail.prefill, newProperty: undefined, priorityCode: 'P9' }),
    ).rejects.toThrow('Unknown priority');
    const [row] = await database.db.select().from(repairReports).where(eq(repairReports.id, id));
    expect(row!.status).toBe('new');
  });

  it('merges a report into an open job at the property as a note with its photos', async () => {
    const home = await newHome();
    const { id: jobId } = await staff().jobs.create({ title: 'Leak', priorityCode: 'P2', propertyId: home.id });
    const id = await confirmed(fields({ propertyId: home.id }), [photo('drip.png')]);
    expect((await staff().reports.get({ id })).openJobs.map((j) => j.id)).toContain(jobId);
    await staff().reports.merge({ id, jobId });
    const notes = await database.db
      .select()
      .from(jobEvents)
      .where(and(eq(jobEvents.jobId, jobId), eq(jobEvents.type, 'ADD_NOTE')));
    expect(notes).toHaveLength(1);
    const payload = notes[0]!.payload as { text: string; attachmentIds: string[] };
    expect(payload.text).toMatch(/^Tenant report \(Leak or water coming in\) from Tina Tenant/);
    expect(payload.attachmentIds).toHaveLength(1);
    const [row] = await database.db.select().from(repairReports).where(eq(repairReports.id, id));
    expect(row).toMatchObject({ status: 'merged', jobId });
  });

  it('closes a report with a reason the tenant is emailed', async () => {
    const f = fields({ propertyId: (await newHome()).id });
    const id = await confirmed(f);
    await expect(staff().reports.close({ id, reason: 'no' })).rejects.toThrow(/Tell the tenant why/);
    await staff().reports.close({ id, reason: 'This is the freeholder’s roof: we have passed it to them.' });
    const mail = await latestEmail(database.db, f.email, 'Your repair report%');
    expect(mail!.body).toContain('passed it to them');
    const [row] = await database.db.select().from(repairReports).where(eq(repairReports.id, id));
    expect(row).toMatchObject({ status: 'closed', handledBy: fx.staff.id });
  });

  it("serves a report's photo to the agency's staff only", async () => {
    const id = await confirmed(undefined, [photo('wall.png')]);
    const [file] = await database.db.select().from(repairReportFiles).where(eq(repairReportFiles.reportId, id));
    const route = new URL(
      '../../web/src/routes/(console)/reports/[id=uuid]/photos/[file=uuid]/+server.ts',
      import.meta.url,
    ).pathname;
    const { GET } = (await import(/* @vite-ignore */ route)) as { GET: (event: unknown) => Promise<Response> };
    const status = (user: unknown, reportId = id) =>
      GET({ params: { id: reportId, file: file!.id }, locals: { user } }).then(
        (r) => r.status,
        (e: { status?: number }) => e.status ?? 500,
      );
    expect(await status(staffOf(fx))).toBe(200);
    expect(await status(staffOf(other))).toBe(404);
    expect(await status(contractorOf(fx, 0))).toBe(404);
    expect(await status(null)).toBe(401);
    // Another report's id with this photo's id: not found either.
    expect(await status(staffOf(fx), randomUUID())).toBe(404);
  });
});
