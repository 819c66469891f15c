// Settings and directory over a real database: agency settings, branches, job types, priorities, team
// contact details, properties, tenants and contractors (profile, certifications, contacts). For each:
// the happy path, bad input refused with field errors and nothing written, other agencies' ids NOT_FOUND,
// and who may call it (admins change settings; staff manage the directory).
import { TRPCError } from '@trpc/server';
import { count, eq } from 'drizzle-orm';
import { ZodError, z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agencies,
  auditLog,
  branches,
  certifications,
  contractorContacts,
  contractors,
  jobs,
  jobTypes,
  priorities,
  properties,
  tenants,
  users,
} from '#db/schema/index.ts';
import { createContext } from '#lib/server/api/context.ts';
import { createCaller } from '#lib/server/api/root.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { toFailure } from '#lib/server/forms.ts';
import { contractorFrom, percentToBp } from '#lib/server/directory-inputs.ts';
import { parseDistricts } from '#lib/postcode.ts';
import { districtOf } from '#lib/server/map/outcodes.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { jobInputFor } from '#worker/jobs/create-job.ts';
import { createAgency, ROUTINE } from '../support/fixtures.ts';

let database: TestDatabase;
let a: Awaited<ReturnType<typeof createAgency>>;
let b: Awaited<ReturnType<typeof createAgency>>;
let adminA: SessionUser;
let staffA: SessionUser;
let adminB: SessionUser;
const NOW = new Date('2026-11-23T12:00:00Z');

const as = (user: SessionUser | null) =>
  createCaller(
    createContext({
      db: database.db,
      engine: createEmbeddedEngine({ db: database.db }),
      user,
      temporalUiUrl: null,
      now: () => NOW,
    }),
  );

/** Row counts of every table this area writes, so a refusal can be shown to have written nothing. */
async function counts() {
  const tables = {
    agencies,
    branches,
    jobTypes,
    priorities,
    users,
    properties,
    tenants,
    contractors,
    certifications,
    contractorContacts,
    auditLog,
    jobs,
  };
  const out: Record<string, number> = {};
  for (const [name, t] of Object.entries(tables)) out[name] = (await database.db.select({ n: count() }).from(t))[0]!.n;
  // Row counts miss updates: fold in the rows that updates would change.
  out.agencyRow = JSON.stringify(await database.db.select().from(agencies).where(eq(agencies.id, a.agency.id))).length;
  return out;
}

async function failure(p: Promise<unknown>): Promise<TRPCError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, 'expected the call to fail').toBeInstanceOf(TRPCError);
  return e as TRPCError;
}

/** The field errors a form shows (the same flattening the API's error formatter sends). */
function fieldErrors(e: TRPCError): Record<string, string[] | undefined> {
  expect(e.code).toBe('BAD_REQUEST');
  expect(e.cause).toBeInstanceOf(ZodError);
  return z.flattenError(e.cause as ZodError).fieldErrors;
}

/** Refused as bad input, with an error on each named field, and nothing written. */
async function refusesWithFieldErrors(call: () => Promise<unknown>, fields: string[]) {
  const before = await counts();
  const errors = fieldErrors(await failure(call()));
  for (const f of fields) expect(errors[f], `field error on ${f} (got ${JSON.stringify(errors)})`).toBeTruthy();
  expect(await counts()).toEqual(before);
}

const agencySettings = {
  name: 'Agency A',
  phone: '0117 000 0000',
  email: 'office@a.example',
  vatRateBp: 2000,
  portalEnabled: true,
  shareTenantContact: true,
  offerReminderHours: 4,
  offerEscalationHours: 24,
  invoiceReminderHours: 168,
  invoiceReminderRepeatHours: 168,
  invoiceReminderLimit: 3,
};

beforeAll(async () => {
  database = await createTestDatabase();
  a = await createAgency(database.db, 'Agency A');
  b = await createAgency(database.db, 'Agency B');
  const [adminRowA, adminRowB] = await database.db
    .insert(users)
    .values([
      { agencyId: a.agency.id, name: 'Ada Admin', email: `ada+${a.agency.slug}@example.test`, role: 'admin' },
      { agencyId: b.agency.id, name: 'Bo Admin', email: `bo+${b.agency.slug}@example.test`, role: 'admin' },
    ])
    .returning();
  adminA = {
    kind: 'staff',
    userId: adminRowA!.id,
    name: 'Ada',
    email: adminRowA!.email,
    agencyId: a.agency.id,
    role: 'admin',
  };
  adminB = {
    kind: 'staff',
    userId: adminRowB!.id,
    name: 'Bo',
    email: adminRowB!.email,
    agencyId: b.agency.id,
    role: 'admin',
  };
  staffA = {
    kind: 'staff',
    userId: a.staff.id,
    name: 'Sam',
    email: a.staff.email,
    agencyId: a.agency.id,
    role: 'staff',
  };
});
afterAll(() => database?.close());

describe('settings', () => {
  it('admins change VAT (basis points), portal and chasing windows; the change is audited', async () => {
    const result = await as(adminA).settings.updateAgency({
      ...agencySettings,
      vatRateBp: 1750,
      portalEnabled: false,
      offerReminderHours: 6,
      offerEscalationHours: 30,
    });
    expect(result.changed.sort()).toEqual(
      ['email', 'offerEscalationHours', 'offerReminderHours', 'phone', 'portalEnabled', 'vatRateBp'].sort(),
    );
    const got = await as(staffA).settings.get();
    expect(got.agency).toMatchObject({
      vatRateBp: 1750,
      portalEnabled: false,
      offerReminderHours: 6,
      offerEscalationHours: 30,
    });
    const [row] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'settings.agency.update'));
    expect(row!.detail).toMatchObject({ changes: { vatRateBp: [2000, 1750] } });
    // B's agency is untouched.
    const [bRow] = await database.db.select().from(agencies).where(eq(agencies.id, b.agency.id));
    expect(bRow!.vatRateBp).toBe(2000);
  });

  it("admins record the agency's address and VAT registration number, checked and normalised", async () => {
    const refused = await as(adminA)
      .settings.updateAgency({ ...agencySettings, vatNumber: 'GB 123 4567 81' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'BAD_REQUEST' });
    expect(String((refused as Error).message)).toContain('Enter a UK VAT registration number, e.g. GB 123 4567 82');
    expect((await as(staffA).settings.get()).agency!.vatNumber).toBeNull();

    await as(adminA).settings.updateAgency({
      ...agencySettings,
      address: '12 Queen Square, Bristol BS1 4NT',
      vatNumber: 'gb 123 4567 82',
    });
    expect((await as(staffA).settings.get()).agency).toMatchObject({
      address: '12 Queen Square, Bristol BS1 4NT',
      vatNumber: 'GB123456782',
    });
    // Blank means not registered.
    await as(adminA).settings.updateAgency({ ...agencySettings, vatNumber: '' });
    expect((await as(staffA).settings.get()).agency!.vatNumber).toBeNull();
  });

  it('admins set the invoice chase: how often the reminder repeats and how many before staff are alerted', async () => {
    const result = await as(adminA).settings.updateAgency({
      ...agencySettings,
      invoiceReminderRepeatHours: 48,
      invoiceReminderLimit: 5,
    });
    expect(result.changed).toEqual(expect.arrayContaining(['invoiceReminderRepeatHours', 'invoiceReminderLimit']));
    expect((await as(staffA).settings.get()).agency).toMatchObject({
      invoiceReminderRepeatHours: 48,
      invoiceReminderLimit: 5,
    });
    const [row] = await database.db.select().from(agencies).where(eq(agencies.id, a.agency.id));
    expect(
      jobInputFor({ id: 'j', reference: 'JOB-1', agencyId: a.agency.id, createdAt: new Date() }, row!, ROUTINE).chase,
    ).toMatchObject({
      invoiceReminderRepeatHours: 48,
      invoiceReminderLimit: 5,
    });
    await refusesWithFieldErrors(
      () =>
        as(adminA).settings.updateAgency({ ...agencySettings, invoiceReminderRepeatHours: 0, invoiceReminderLimit: 0 }),
      ['invoiceReminderRepeatHours', 'invoiceReminderLimit'],
    );
    await as(adminA).settings.updateAgency(agencySettings);
  });

  it('refuses bad settings with field errors and writes nothing', async () => {
    await refusesWithFieldErrors(
      () => as(adminA).settings.updateAgency({ ...agencySettings, vatRateBp: 17.5 }),
      ['vatRateBp'],
    );
    await refusesWithFieldErrors(
      () => as(adminA).settings.updateAgency({ ...agencySettings, vatRateBp: -1, email: 'nope' }),
      ['vatRateBp', 'email'],
    );
    await refusesWithFieldErrors(
      () => as(adminA).settings.updateAgency({ ...agencySettings, offerReminderHours: 24, offerEscalationHours: 4 }),
      ['offerEscalationHours'],
    );
    // Every mistake in one round: unreadable VAT (the settings form sends NaN), a missing name, and windows the wrong way round.
    await refusesWithFieldErrors(
      () =>
        as(adminA).settings.updateAgency({
          ...agencySettings,
          name: '',
          vatRateBp: NaN,
          offerReminderHours: 24,
          offerEscalationHours: 4,
        }),
      ['name', 'vatRateBp', 'offerEscalationHours'],
    );
  });

  it('refuses an office phone of letters and an email longer than any address: contractors see them on Contacts', async () => {
    const long = `${'a'.repeat(300)}@a.example`;
    await refusesWithFieldErrors(
      () =>
        as(adminA).settings.updateAgency({
          ...agencySettings,
          phone: 'Call the office please, any time you like',
          email: long,
        }),
      ['phone', 'email'],
    );
    const e = await failure(
      as(adminA).settings.updateAgency({ ...agencySettings, phone: 'Call the office please', email: long }),
    );
    expect(toFailure('agency', e, { besideFields: true }).data.fieldErrors).toEqual({
      phone: ['Enter a phone number of digits, spaces and +'],
      email: ['Keep the email to 254 characters'],
    });
    await refusesWithFieldErrors(
      () => as(adminA).settings.saveBranch({ name: 'Letters', phone: 'abcdefgh', email: long }),
      ['phone', 'email'],
    );
    await as(adminA).settings.updateAgency({
      ...agencySettings,
      phone: '+44 (0)117 000 0000',
      email: ' Office@A.example ',
    });
    expect((await as(adminA).settings.get()).agency).toMatchObject({
      phone: '+44 (0)117 000 0000',
      email: 'office@a.example',
    });
    await as(adminA).settings.updateAgency(agencySettings);
  });

  it('staff may read settings but not change them', async () => {
    expect((await as(staffA).settings.get()).agency!.id).toBe(a.agency.id);
    const before = await counts();
    expect((await failure(as(staffA).settings.updateAgency(agencySettings))).code).toBe('FORBIDDEN');
    expect((await failure(as(staffA).settings.saveBranch({ name: 'Sneaky' }))).code).toBe('FORBIDDEN');
    expect(
      (
        await failure(
          as(staffA).settings.savePriority({ code: 'PX', name: 'Sneaky', targetHours: 1, warnAtPercent: [] }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    expect((await failure(as(staffA).settings.saveMember({ userId: a.staff.id, jobTitle: 'Boss' }))).code).toBe(
      'FORBIDDEN',
    );
    expect(await counts()).toEqual(before);
  });

  it('branches: create, update, delete when unused; other agencies get NOT_FOUND', async () => {
    const branch = await as(adminA).settings.saveBranch({
      name: 'Clifton',
      phone: '0117 111',
      email: 'clifton@a.example',
      address: '1 The Mall, Bristol',
    });
    expect(branch.agencyId).toBe(a.agency.id);
    const updated = await as(adminA).settings.saveBranch({ id: branch.id, name: 'Clifton Village', email: '' });
    expect(updated).toMatchObject({ name: 'Clifton Village', email: null });
    expect((await failure(as(adminB).settings.saveBranch({ id: branch.id, name: 'Mine now' }))).code).toBe('NOT_FOUND');
    expect((await failure(as(adminB).settings.deleteBranch({ id: branch.id }))).code).toBe('NOT_FOUND');
    await refusesWithFieldErrors(
      () => as(adminA).settings.saveBranch({ name: 'X', email: 'not-an-email' }),
      ['name', 'email'],
    );
    expect(await as(adminA).settings.deleteBranch({ id: branch.id })).toEqual({ deleted: true });
  });

  it('a branch with properties cannot be deleted (CONFLICT, with the reason)', async () => {
    const branch = await as(adminA).settings.saveBranch({ name: 'Busy branch' });
    await as(staffA).properties.save({
      line1: '2 Busy Road',
      town: 'Bristol',
      postcode: 'BS1 4NT',
      branchId: branch.id,
    });
    const e = await failure(as(adminA).settings.deleteBranch({ id: branch.id }));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/has 1 property and 0 jobs;/);
  });

  it('job types declare their trade and required certifications; duplicate codes are a CONFLICT', async () => {
    const t = await as(adminA).settings.saveJobType({
      code: 'boiler',
      name: 'Boiler service',
      trade: 'Heating',
      requiredCertifications: ['Gas Safe', 'Gas Safe'],
    });
    expect(t).toMatchObject({ code: 'BOILER', trade: 'heating', requiredCertifications: ['Gas Safe'] });
    expect(
      (await failure(as(adminA).settings.saveJobType({ code: 'BOILER', name: 'Another', trade: 'heating' }))).code,
    ).toBe('CONFLICT');
    expect(
      (await failure(as(adminB).settings.saveJobType({ id: t.id, code: 'BOILER', name: 'Hijack', trade: 'heating' })))
        .code,
    ).toBe('NOT_FOUND');
    await refusesWithFieldErrors(
      () => as(adminA).settings.saveJobType({ code: 'has space', name: 'B', trade: '' }),
      ['code', 'name', 'trade'],
    );
  });

  it('a priority change applies to future jobs only; existing jobs keep their SLA', async () => {
    const [p2] = await database.db
      .select()
      .from(priorities)
      .where(eq(priorities.agencyId, a.agency.id))
      .then((rows) => rows.filter((r) => r.code === 'P2'));
    const before = await as(staffA).jobs.create({
      title: 'Raised before the change',
      priorityCode: 'P2',
      propertyId: a.property.id,
    });
    const [oldJob] = await database.db.select().from(jobs).where(eq(jobs.id, before.id));

    const saved = await as(adminA).settings.savePriority({
      id: p2!.id,
      code: 'P2',
      name: 'Urgent',
      targetHours: 48,
      warnAtPercent: [50, 80],
    });
    expect(saved).toMatchObject({ targetHours: 48, warnAtPercent: [50, 80] });

    const [oldAfter] = await database.db.select().from(jobs).where(eq(jobs.id, before.id));
    expect(oldAfter!.slaDueAt).toEqual(oldJob!.slaDueAt);
    const after = await as(staffA).jobs.create({
      title: 'Raised after the change',
      priorityCode: 'P2',
      propertyId: a.property.id,
    });
    const [newJob] = await database.db.select().from(jobs).where(eq(jobs.id, after.id));
    expect(newJob!.slaDueAt!.getTime() - newJob!.createdAt.getTime()).toBe(48 * 3_600_000);
    expect(oldJob!.slaDueAt!.getTime() - oldJob!.createdAt.getTime()).toBe(24 * 3_600_000);
  });

  it('a priority in use keeps its code; bad targets and warnings are refused', async () => {
    const [p2] = await database.db
      .select()
      .from(priorities)
      .where(eq(priorities.agencyId, a.agency.id))
      .then((rows) => rows.filter((r) => r.code === 'P2'));
    expect(
      (
        await failure(
          as(adminA).settings.savePriority({
            id: p2!.id,
            code: 'URGENT',
            name: 'Urgent',
            targetHours: 24,
            warnAtPercent: [75],
          }),
        )
      ).code,
    ).toBe('CONFLICT');
    expect(
      (
        await failure(
          as(adminB).settings.savePriority({
            id: p2!.id,
            code: 'P2',
            name: 'Urgent',
            targetHours: 24,
            warnAtPercent: [75],
          }),
        )
      ).code,
    ).toBe('NOT_FOUND');
    await refusesWithFieldErrors(
      () =>
        as(adminA).settings.savePriority({
          id: p2!.id,
          code: 'P2',
          name: 'Urgent',
          targetHours: 0,
          warnAtPercent: [90, 50],
        }),
      ['targetHours', 'warnAtPercent'],
    );
    await refusesWithFieldErrors(
      () => as(adminA).settings.savePriority({ code: 'P9', name: 'Odd', targetHours: 2.5, warnAtPercent: [100] }),
      ['targetHours', 'warnAtPercent'],
    );
  });

  it('job types and priorities no job uses can be removed; ones in use stay (CONFLICT); not by B or by staff', async () => {
    const spare = await as(adminA).settings.saveJobType({ code: 'SPARE', name: 'Spare type', trade: 'general' });
    const used = await as(adminA).settings.saveJobType({ code: 'USED', name: 'Used type', trade: 'general' });
    await as(staffA).jobs.create({
      title: 'Uses a type',
      priorityCode: 'P3',
      propertyId: a.property.id,
      jobTypeId: used.id,
    });
    const p9 = await as(adminA).settings.savePriority({ code: 'P9', name: 'Spare', targetHours: 8, warnAtPercent: [] });
    const [p3] = await database.db
      .select()
      .from(priorities)
      .where(eq(priorities.agencyId, a.agency.id))
      .then((rows) => rows.filter((r) => r.code === 'P3'));

    expect((await failure(as(adminB).settings.deleteJobType({ id: spare.id }))).code).toBe('NOT_FOUND');
    expect((await failure(as(adminB).settings.deletePriority({ id: p9.id }))).code).toBe('NOT_FOUND');
    expect((await failure(as(staffA).settings.deleteJobType({ id: spare.id }))).code).toBe('FORBIDDEN');
    const inUse = await failure(as(adminA).settings.deleteJobType({ id: used.id }));
    expect(inUse.code).toBe('CONFLICT');
    expect(inUse.message).toMatch(/^1 job is Used type;/); // counted in words: not "1 jobs are"
    const p3InUse = await failure(as(adminA).settings.deletePriority({ id: p3!.id }));
    expect(p3InUse.code).toBe('CONFLICT');
    expect(p3InUse.message).toMatch(/^(1 job uses|([02-9]|\d\d+) jobs use) priority P3;/);

    expect(await as(adminA).settings.deleteJobType({ id: spare.id })).toEqual({ deleted: true });
    expect(await as(adminA).settings.deletePriority({ id: p9.id })).toEqual({ deleted: true });
    const left = await as(staffA).settings.get();
    expect(left.jobTypes.map((t) => t.code)).toEqual(expect.arrayContaining(['USED']));
    expect(left.jobTypes.map((t) => t.code)).not.toContain('SPARE');
    expect(left.priorities.map((p) => p.code)).toEqual(expect.arrayContaining(['P3']));
    expect(left.priorities.map((p) => p.code)).not.toContain('P9');
  });

  it("team: admins set a colleague's job title and phone (shown to contractors); not another agency's", async () => {
    await as(adminA).settings.saveMember({ userId: a.staff.id, jobTitle: 'Property Manager', phone: '0117 496 0003' });
    const [row] = await database.db.select().from(users).where(eq(users.id, a.staff.id));
    expect(row).toMatchObject({ jobTitle: 'Property Manager', phone: '0117 496 0003' });
    expect((await failure(as(adminB).settings.saveMember({ userId: a.staff.id, jobTitle: 'Hijacked' }))).code).toBe(
      'NOT_FOUND',
    );
    await refusesWithFieldErrors(
      () => as(adminA).settings.saveMember({ userId: a.staff.id, phone: 'call me' }),
      ['phone'],
    );
  });
});

describe('properties and tenants', () => {
  it('normalises the postcode and derives its district; lists and finds it', async () => {
    const p = await as(staffA).properties.save({
      line1: '7 Cotham Hill',
      town: 'Bristol',
      postcode: ' bs66la ',
      accessNotes: 'Key safe',
    });
    expect(p).toMatchObject({ postcode: 'BS6 6LA', outcode: 'BS6', agencyId: a.agency.id });
    const list = await as(staffA).properties.list({ q: 'bs66' });
    expect(list.items.map((i) => i.id)).toContain(p.id);
    expect((await as(adminB).properties.list({})).items.map((i) => i.id)).not.toContain(p.id);
    const detail = await as(staffA).properties.get({ id: p.id });
    expect(detail.property.line1).toBe('7 Cotham Hill');
  });

  it('finds a property for the new-job form by its postcode typed with or without the space', async () => {
    for (const q of ['SW1A 1AA', 'SW1A1AA', 'sw1a1aa', 'SW1A  1AA', ' sw1a 1a ', '1 test  street']) {
      expect(
        (await as(staffA).directory.findProperties({ q })).map((p) => p.id),
        q,
      ).toContain(a.property.id);
    }
    expect(await as(staffA).directory.findProperties({ q: 'SW1A1AB' })).toEqual([]);
    expect(await as(adminB).directory.findProperties({ q: 'SW1A1AA' })).not.toContainEqual(
      expect.objectContaining({ id: a.property.id }),
    );
  });

  it('refuses a non-UK postcode and half a location with field errors; B gets NOT_FOUND for A’s property', async () => {
    await refusesWithFieldErrors(
      () => as(staffA).properties.save({ line1: '1 Rue de Rivoli', town: 'Paris', postcode: '75001' }),
      ['postcode'],
    );
    await refusesWithFieldErrors(
      () => as(staffA).properties.save({ line1: '1 Test', town: 'Bristol', postcode: 'BS1 5LJ', lat: 51.4 }),
      ['lat'],
    );
    // A blank postcode is asked for, not called "“” is not a UK postcode".
    expect(
      fieldErrors(await failure(as(staffA).properties.save({ line1: '1 Test', town: 'Bristol', postcode: '  ' })))
        .postcode,
    ).toEqual(['Enter the postcode']);
    expect((await failure(as(adminB).properties.get({ id: a.property.id }))).code).toBe('NOT_FOUND');
    expect(
      (
        await failure(
          as(adminB).properties.save({
            id: a.property.id,
            line1: '1 Test Street',
            town: 'London',
            postcode: 'SW1A 1AA',
          }),
        )
      ).code,
    ).toBe('NOT_FOUND');
    const [branchA] = await database.db
      .insert(branches)
      .values({ agencyId: a.agency.id, name: 'A branch' })
      .returning();
    expect(
      (
        await failure(
          as(adminB).properties.save({
            line1: '1 B Street',
            town: 'London',
            postcode: 'SW1A 1AA',
            branchId: branchA!.id,
          }),
        )
      ).code,
    ).toBe('NOT_FOUND');
  });

  it('tenants: saved at a property with a phone or an email; B cannot see or attach to A’s', async () => {
    const t = await as(staffA).tenants.save({ name: 'Ravi Shah', phone: '07700 900101', propertyId: a.property.id });
    expect((await as(staffA).tenants.get({ id: t.id })).property?.postcode).toBe('SW1A 1AA');
    expect((await as(staffA).tenants.list({ q: 'ravi' })).items.map((i) => i.id)).toEqual([t.id]);
    const updated = await as(staffA).tenants.save({
      id: t.id,
      name: 'Ravi Shah',
      email: 'ravi@example.test',
      phone: '',
      propertyId: a.property.id,
    });
    expect(updated).toMatchObject({ email: 'ravi@example.test', phone: null });
    await refusesWithFieldErrors(() => as(staffA).tenants.save({ name: 'No Contact' }), ['phone']);
    await refusesWithFieldErrors(
      () => as(staffA).tenants.save({ name: 'R', email: 'x@', phone: 'abc' }),
      ['name', 'email', 'phone'],
    );
    expect((await failure(as(adminB).tenants.get({ id: t.id }))).code).toBe('NOT_FOUND');
    expect((await failure(as(adminB).tenants.save({ id: t.id, name: 'Hijack', phone: '0123456' }))).code).toBe(
      'NOT_FOUND',
    );
    expect(
      (await failure(as(adminB).tenants.save({ name: 'Mine', phone: '0123456', propertyId: a.property.id }))).code,
    ).toBe('NOT_FOUND');
    expect((await as(adminB).tenants.list({})).items).toEqual([]);
  });
});

describe('contractors', () => {
  const profile = {
    name: 'Gus Gas',
    company: 'Warm Homes',
    email: 'Gus@WarmHomes.example',
    phone: '07700 900202',
    trades: ['Heating', 'plumbing'],
    coverage: ['bs1', 'BS3 1EN', 'BS8', 'BS1'],
    basePostcode: 'bs3 1en',
  };
  let gusId: string;

  it('staff add a contractor: email lower-cased, districts normalised, base location from the offline district table', async () => {
    const gus = await as(staffA).contractors.save(profile);
    gusId = gus.id;
    expect(gus).toMatchObject({
      email: 'gus@warmhomes.example',
      trades: ['heating', 'plumbing'],
      coverage: ['BS1', 'BS3', 'BS8'],
      baseOutcode: 'BS3',
      agencyId: a.agency.id,
    });
    expect(gus.baseLat).toBeCloseTo(51.44, 1);
    expect(gus.baseLng).toBeCloseTo(-2.6, 1);
    const explicit = await as(staffA).contractors.save({
      ...profile,
      id: gus.id,
      basePostcode: 'ZE2',
      baseLat: 60.1,
      baseLng: -1.2,
    });
    expect(explicit).toMatchObject({ baseOutcode: 'ZE2', baseLat: 60.1, baseLng: -1.2 });
  });

  it('refuses bad profiles with field errors and writes nothing', async () => {
    await refusesWithFieldErrors(
      () => as(staffA).contractors.save({ ...profile, email: 'nope', trades: [], coverage: ['BS1', 'Bristol!'] }),
      ['email', 'trades', 'coverage'],
    );
    await refusesWithFieldErrors(
      () => as(staffA).contractors.save({ ...profile, email: 'new@x.example', basePostcode: 'ZE2' }),
      ['basePostcode'],
    );
    await refusesWithFieldErrors(
      () => as(staffA).contractors.save({ ...profile, email: 'new@x.example', baseLat: 51.4 }),
      ['baseLat'],
    );
    await refusesWithFieldErrors(
      () => as(staffA).contractors.save({ ...profile, email: 'new@x.example', baseLat: 40.4, baseLng: -3.7 }),
      ['baseLat'],
    );
    expect((await failure(as(staffA).contractors.save({ ...profile, email: 'GUS@warmhomes.example' }))).code).toBe(
      'CONFLICT',
    );
  });

  it('refuses an email longer than 254 characters, as every email field does', async () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.example`; // 263 characters, valid in shape
    expect(long.length).toBeGreaterThan(254);
    await refusesWithFieldErrors(() => as(staffA).contractors.save({ ...profile, email: long }), ['email']);
    await refusesWithFieldErrors(
      () => as(staffA).contractors.saveContact({ contractorId: gusId, name: 'Office', email: long }),
      ['email'],
    );
  });

  it('certifications: added with expiry, shown valid or expired as of today; candidates see them', async () => {
    await as(staffA).contractors.saveCertification({
      contractorId: gusId,
      name: 'Gas Safe',
      reference: 'GS-1',
      expiresOn: '2027-06-30',
    });
    const old = await as(staffA).contractors.saveCertification({
      contractorId: gusId,
      name: 'NICEIC',
      expiresOn: '2026-11-22',
    });
    const soon = await as(staffA).contractors.saveCertification({
      contractorId: gusId,
      name: 'CSCS',
      expiresOn: '2026-12-01',
    });
    const got = await as(staffA).contractors.get({ id: gusId });
    const byName = Object.fromEntries(got.certifications.map((c) => [c.name, c]));
    expect(byName['Gas Safe']).toMatchObject({ valid: true, expiresSoon: false, reference: 'GS-1' });
    expect(byName['NICEIC']).toMatchObject({ valid: false });
    expect(byName['CSCS']).toMatchObject({ valid: true, expiresSoon: true });
    const renewed = await as(staffA).contractors.saveCertification({
      contractorId: gusId,
      id: old.id,
      name: 'NICEIC',
      expiresOn: '2027-11-22',
    });
    expect(renewed.expiresOn).toBe('2027-11-22');
    await as(staffA).contractors.removeCertification({ contractorId: gusId, id: soon.id });
    expect((await as(staffA).contractors.get({ id: gusId })).certifications.map((c) => c.name).sort()).toEqual([
      'Gas Safe',
      'NICEIC',
    ]);
    await refusesWithFieldErrors(
      () => as(staffA).contractors.saveCertification({ contractorId: gusId, name: 'G', expiresOn: '31/12/2027' }),
      ['name', 'expiresOn'],
    );

    // The job-assignment UI's candidates keep their shape and see the new contractor.
    const { candidates } = await as(staffA).contractors.candidates({ outcode: 'BS3' });
    const gus = candidates.find((c) => c.id === gusId)!;
    expect(gus).toMatchObject({ covers: true, tradeMatch: true, missingCertifications: [] });
    expect(gus.certifications).toEqual(
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers as any
      expect.arrayContaining([{ name: 'Gas Safe', expiresOn: '2027-06-30', valid: expect.any(Boolean) }]),
    );
  });

  it('candidates speak of certifications only when the job type requires them, naming each', async () => {
    // Gus holds Gas Safe (to 30 Jun 2027) and NICEIC (to 22 Nov 2027); the fixture's plumber holds none.
    const locks = await as(adminA).settings.saveJobType({ code: 'LOCKS', name: 'Locks', trade: 'locksmith' });
    const leak = await as(adminA).settings.saveJobType({ code: 'LEAK', name: 'Plumbing leak', trade: 'plumbing' });
    for (const type of [locks, leak]) {
      const { candidates } = await as(staffA).contractors.candidates({ outcode: 'BS3', jobTypeId: type.id });
      for (const c of candidates) {
        expect(c.requiredCertifications, `${c.name}, ${type.name}`).toEqual([]);
        expect(c.missingCertifications).toEqual([]);
        expect(c.reasons.join(', '), `${c.name}, ${type.name}`).not.toMatch(/certif|Gas Safe|NICEIC/i);
      }
      expect(candidates.find((c) => c.id === gusId)?.certifications.length).toBe(2);
    }
    // No job type at all: nothing said about certifications either.
    const untyped = await as(staffA).contractors.candidates({ outcode: 'BS3' });
    for (const c of untyped.candidates) expect(c.reasons.join(', ')).not.toMatch(/certif|Gas Safe|NICEIC/i);

    const gas = await as(adminA).settings.saveJobType({
      code: 'GASFIRE',
      name: 'Gas fire service',
      trade: 'heating',
      requiredCertifications: ['Gas Safe', 'OFTEC'],
    });
    const { jobType, candidates } = await as(staffA).contractors.candidates({ outcode: 'BS3', jobTypeId: gas.id });
    expect(jobType).toBe('Gas fire service');
    const gus = candidates.find((c) => c.id === gusId)!;
    expect(gus.requiredCertifications).toEqual([
      { name: 'Gas Safe', validUntil: '2027-06-30' },
      { name: 'OFTEC', validUntil: null },
    ]);
    expect(gus.missingCertifications).toEqual(['OFTEC']);
    expect(gus.reasons).toEqual(expect.arrayContaining(['Gas Safe valid until 30 Jun 2027', 'no valid OFTEC']));
    expect(gus.reasons.join(', ')).not.toMatch(/NICEIC|certifications valid/); // held, but not required here
    const plumber = candidates.find((c) => c.id === a.contractors[0].id)!;
    expect(plumber.reasons).toEqual(expect.arrayContaining(['no valid Gas Safe', 'no valid OFTEC']));
    expect(plumber.missingCertifications).toEqual(['Gas Safe', 'OFTEC']);
  });

  it('contacts: added, updated, removed; need a phone or an email', async () => {
    const c = await as(staffA).contractors.saveContact({
      contractorId: gusId,
      name: 'Office',
      role: 'Bookings',
      phone: '0117 496 0500',
    });
    const updated = await as(staffA).contractors.saveContact({
      contractorId: gusId,
      id: c.id,
      name: 'Office',
      role: 'Bookings',
      email: 'office@warmhomes.example',
    });
    expect(updated).toMatchObject({ phone: null, email: 'office@warmhomes.example' });
    expect((await as(staffA).contractors.get({ id: gusId })).contacts.map((x) => x.id)).toEqual([c.id]);
    await refusesWithFieldErrors(
      () => as(staffA).contractors.saveContact({ contractorId: gusId, name: 'Nobody' }),
      ['phone'],
    );
    await as(staffA).contractors.removeContact({ contractorId: gusId, id: c.id });
    expect((await as(staffA).contractors.get({ id: gusId })).contacts).toEqual([]);
  });

  it('lists by trade and district; deactivated contractors drop out of the default list and out of candidates', async () => {
    expect((await as(staffA).contractors.list({ trade: 'heating' })).items.map((c) => c.id)).toEqual([gusId]);
    expect((await as(staffA).contractors.list({ q: 'bs8' })).items.map((c) => c.id)).toEqual([gusId]);
    await as(staffA).contractors.save({ ...profile, id: gusId, active: false });
    expect((await as(staffA).contractors.list({})).items.map((c) => c.id)).not.toContain(gusId);
    expect((await as(staffA).contractors.list({ includeInactive: true })).items.map((c) => c.id)).toContain(gusId);
    expect((await as(staffA).contractors.candidates({ outcode: 'BS3' })).candidates.map((c) => c.id)).not.toContain(
      gusId,
    );
  });

  it("another agency's contractor, certification or contact ids are NOT_FOUND and nothing changes", async () => {
    const [cert] = await database.db.select().from(certifications).where(eq(certifications.contractorId, gusId));
    const contact = await as(staffA).contractors.saveContact({
      contractorId: gusId,
      name: 'Accounts',
      email: 'acc@warmhomes.example',
    });
    const before = await counts();
    const b$ = as(adminB).contractors;
    for (const call of [
      () => b$.get({ id: gusId }),
      () => b$.save({ ...profile, id: gusId }),
      () => b$.saveCertification({ contractorId: gusId, name: 'Gas Safe', expiresOn: '2030-01-01' }),
      () => b$.saveCertification({ contractorId: gusId, id: cert!.id, name: 'Gas Safe', expiresOn: '2030-01-01' }),
      () => b$.removeCertification({ contractorId: gusId, id: cert!.id }),
      () => b$.saveContact({ contractorId: gusId, name: 'Mole', phone: '0123456' }),
      () => b$.removeContact({ contractorId: gusId, id: contact.id }),
      // A's certification through B's own contractor: still not found.
      () => b$.removeCertification({ contractorId: b.contractors[0].id, id: cert!.id }),
    ]) {
      expect((await failure(call())).code).toBe('NOT_FOUND');
    }
    expect((await b$.list({ includeInactive: true })).items.map((c) => c.id)).not.toContain(gusId);
    expect(await counts()).toEqual(before);
  });

  it('contractors cannot manage the directory', async () => {
    const contractor: SessionUser = {
      kind: 'contractor',
      userId: '00000000-0000-4000-8000-000000000001',
      name: 'Pat',
      email: a.contractors[0].email,
      agencyId: a.agency.id,
      contractorId: a.contractors[0].id,
    };
    expect((await failure(as(contractor).contractors.save({ ...profile, email: 'pat2@x.example' }))).code).toBe(
      'FORBIDDEN',
    );
    expect((await failure(as(contractor).contractors.get({ id: a.contractors[0].id }))).code).toBe('FORBIDDEN');
    expect((await failure(as(contractor).properties.list({}))).code).toBe('FORBIDDEN');
  });
});

describe('what people type into the forms', () => {
  it('reads coverage districts as typed, full postcodes as their district, and names what is not one', () => {
    expect(parseDistricts('bs1, BS2  bs6 6la; m4\nSW1A')).toEqual({
      districts: ['BS1', 'BS2', 'BS6', 'M4', 'SW1A'],
      invalid: [],
    });
    expect(parseDistricts('BS1, Bristol, 12')).toEqual({ districts: ['BS1'], invalid: ['Bristol', '12'] });
    expect(parseDistricts('  ')).toEqual({ districts: [], invalid: [] });
  });

  it('reads VAT percentages as basis points without floating point', () => {
    expect(percentToBp('20')).toBe(2000);
    expect(percentToBp('17.5')).toBe(1750);
    expect(percentToBp(' 5.25 % ')).toBe(525);
    expect(percentToBp('0')).toBe(0);
    for (const bad of ['', 'twenty', '17.555', '-5', '20,5']) expect(percentToBp(bad), bad).toBeNull();
  });

  it('moves the base with a new postcode when the latitude and longitude are left as the form showed them', async () => {
    const rex = await as(staffA).contractors.save({
      name: 'Rex Repairs',
      email: 'rex@x.example',
      trades: ['general'],
      coverage: ['BS1'],
      basePostcode: 'BS3',
    });
    // The profile form as the contractor's page draws it: the stored base, and what it showed.
    const form = (edits: Record<string, string>) => {
      const f = new FormData();
      const shown = { basePostcode: 'BS3', baseLat: String(rex.baseLat), baseLng: String(rex.baseLng) };
      for (const [k, v] of Object.entries({
        name: rex.name,
        email: rex.email,
        coverage: 'BS1',
        ...shown,
        baseShown: Object.values(shown).join('|'),
        ...edits,
      }))
        f.set(k, v);
      f.append('trades', 'general');
      return contractorFrom(f);
    };
    const moved = await as(staffA).contractors.save({ id: rex.id, ...form({ basePostcode: 'bs8 3ht' }) });
    expect(moved).toMatchObject({
      baseOutcode: 'BS8',
      baseLat: districtOf('BS8')!.lat,
      baseLng: districtOf('BS8')!.lng,
    });
    // Typed on purpose, they stay; so do they when only the postcode within the district changes.
    expect(
      await as(staffA).contractors.save({
        id: rex.id,
        ...form({ basePostcode: 'BS8', baseLat: '51.47', baseLng: '-2.61' }),
      }),
    ).toMatchObject({ baseLat: 51.47, baseLng: -2.61 });
    expect(form({ basePostcode: 'BS3 1EN' })).toMatchObject({ baseLat: rex.baseLat, baseLng: rex.baseLng });
    // Moved to a district the offline table lacks, with the old numbers left: asked for a location, not given the old one.
    const e = await failure(as(staffA).contractors.save({ id: rex.id, ...form({ basePostcode: 'ZE2' }) }));
    expect(fieldErrors(e).basePostcode?.join(' ')).toContain('No offline location for ZE2');
  });

  it('says beside each field what is wrong in words, as the API does: too long is not "Fill this in"', async () => {
    const beside = async (call: Promise<unknown>) =>
      toFailure('save', await failure(call), { besideFields: true }).data.fieldErrors;
    const contractor = { name: 'Long Names', email: 'long@x.example', trades: ['general'], coverage: [] };
    expect(
      await beside(
        as(staffA).contractors.save({
          ...contractor,
          name: 'N'.repeat(130),
          company: 'C'.repeat(130),
          phone: '0'.repeat(35),
          basePostcode: 'BS1 1AA BS1',
        }),
      ),
    ).toEqual({
      name: ['Keep the name to 120 characters'],
      company: ['Keep the company to 120 characters'],
      phone: ['Keep the phone to 30 characters'],
      // Only the length: a postcode that was never read has no "offline location" to lack.
      basePostcode: ['Keep the base postcode to 10 characters'],
    });
    expect(
      await beside(
        as(staffA).properties.save({
          line1: 'L'.repeat(130),
          town: 'T'.repeat(70),
          postcode: 'BS1 5LJ',
          lat: NaN,
          lng: 2,
        }),
      ),
    ).toEqual({
      line1: ['Keep the first line of the address to 120 characters'],
      town: ['Keep the town to 60 characters'],
      lat: ['Enter the latitude as a number'],
    });
    expect(await beside(as(staffA).tenants.save({ name: 'N'.repeat(130), phone: '07700 900101' }))).toEqual({
      name: ['Keep the name to 120 characters'],
    });
    expect(
      await beside(as(adminA).settings.saveJobType({ code: 'LONG', name: 'J'.repeat(90), trade: 'general' })),
    ).toEqual({ name: ['Keep the name to 80 characters'] });
    expect(
      await beside(
        as(adminA).settings.savePriority({ code: 'PL', name: 'P'.repeat(50), targetHours: 4, warnAtPercent: [] }),
      ),
    ).toEqual({ name: ['Keep the name to 40 characters'] });
    // A schema's own words are kept.
    expect(await beside(as(staffA).tenants.save({ name: 'R', phone: 'abc' }))).toEqual({
      name: ["Enter the tenant's name"],
      phone: ['Enter a phone number of digits, spaces and +'],
    });
  });

  it('sends districts that are not districts on to the API, which refuses them by name', async () => {
    const f = new FormData();
    for (const [k, v] of Object.entries({
      name: 'Fay Fixer',
      email: 'fay@x.example',
      coverage: 'bs1 Bristol',
      otherTrades: 'roofing, glazing',
    }))
      f.set(k, v);
    f.append('trades', 'general');
    const input = contractorFrom(f);
    expect(input).toMatchObject({
      coverage: ['BS1', 'Bristol'],
      trades: ['general', 'roofing', 'glazing'],
      active: true,
    });
    const e = await failure(as(staffA).contractors.save(input));
    expect(fieldErrors(e).coverage?.join(' ')).toContain('“Bristol” is not a postcode district');
  });
});
