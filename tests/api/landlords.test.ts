// Landlords over a real database: added with a property (inline) or on their own, chosen on a property, shown
// on the property's page, and the agency invoice's "Bill to" pre-filled from them. Every save is audited; other
// agencies' landlords are NOT_FOUND.
import { TRPCError } from '@trpc/server';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, landlords, properties } from '#db/schema/index.ts';
import { createContext } from '#lib/server/api/context.ts';
import { createCaller } from '#lib/server/api/root.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { propertyFrom } from '#lib/server/directory-inputs.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency, createJobRow } from '../support/fixtures.ts';

let database: TestDatabase;
let a: Awaited<ReturnType<typeof createAgency>>;
let b: Awaited<ReturnType<typeof createAgency>>;
let staffA: SessionUser;
let staffB: SessionUser;

const as = (user: SessionUser | null) =>
  createCaller(
    createContext({
      db: database.db,
      engine: createEmbeddedEngine({ db: database.db }),
      user,
      temporalUiUrl: null,
      now: () => new Date('2026-11-23T12:00:00Z'),
    }),
  );

const staffOf = (x: typeof a): SessionUser => ({
  kind: 'staff',
  userId: x.staff.id,
  name: 'Sam',
  email: x.staff.email,
  agencyId: x.agency.id,
  role: 'staff',
});

async function codeOf(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TRPCError);
  return (e as TRPCError).code;
}

beforeAll(async () => {
  database = await createTestDatabase();
  a = await createAgency(database.db, 'Agency A');
  b = await createAgency(database.db, 'Agency B');
  staffA = staffOf(a);
  staffB = staffOf(b);
});
afterAll(() => database?.close());

const address = { line1: '12 Harbour Lane', town: 'Bristol', postcode: 'bs1 5lj' };

describe('landlords', () => {
  it('a property added with a new landlord inline saves both, audited, and its page shows the landlord', async () => {
    const property = await as(staffA).properties.save({
      ...address,
      newLandlord: {
        name: 'Lena Landlord',
        email: 'lena@owners.example',
        billingAddress: '1 Owner Road, Bath BA1 1AA',
      },
    });
    expect(property.landlordId).toBeTruthy();
    const page = await as(staffA).properties.get({ id: property.id });
    expect(page.landlord).toMatchObject({ name: 'Lena Landlord', email: 'lena@owners.example' });
    const audits = await database.db.select().from(auditLog).where(eq(auditLog.agencyId, a.agency.id));
    expect(audits.map((r) => r.action)).toEqual(expect.arrayContaining(['landlord.create', 'property.create']));
    expect(audits.find((r) => r.action === 'property.create')?.detail).toMatchObject({
      values: { landlordId: property.landlordId },
    });
  });

  it('staff pick an existing landlord, change to none, and each change is audited', async () => {
    const owner = await as(staffA).landlords.save({ name: 'Omar Owner', email: 'omar@owners.example' });
    const property = await as(staffA).properties.save({ ...address, line1: '14 Harbour Lane', landlordId: owner.id });
    expect(property.landlordId).toBe(owner.id);
    // Saved without the picker (the new-job form's "Add this property"), the landlord stays.
    const same = await as(staffA).properties.save({ id: property.id, ...address, line1: '14 Harbour Lane' });
    expect(same.landlordId).toBe(owner.id);
    const none = await as(staffA).properties.save({
      id: property.id,
      ...address,
      line1: '14 Harbour Lane',
      landlordId: '',
    });
    expect(none.landlordId).toBeNull();
    const [update] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'property.update'), eq(auditLog.agencyId, a.agency.id)))
      .orderBy(auditLog.id)
      .limit(1)
      .offset(1);
    expect(update?.detail).toMatchObject({ changes: { landlordId: [owner.id, null] } });
    expect((await as(staffA).landlords.list({})).map((l) => l.name)).toEqual(['Lena Landlord', 'Omar Owner']);
  });

  it("another agency's landlord is NOT_FOUND, and a bad landlord is refused with nothing written", async () => {
    const theirs = await as(staffB).landlords.save({ name: 'Bea Owner' });
    expect(await codeOf(as(staffA).properties.save({ ...address, landlordId: theirs.id }))).toBe('NOT_FOUND');
    expect(await codeOf(as(staffA).landlords.save({ id: theirs.id, name: 'Hijack' }))).toBe('NOT_FOUND');
    const before = (await database.db.select().from(properties)).length;
    expect(
      await codeOf(as(staffA).properties.save({ ...address, newLandlord: { name: 'X', email: 'not-an-email' } })),
    ).toBe('BAD_REQUEST');
    expect((await database.db.select().from(properties)).length).toBe(before);
    expect(await codeOf(as(null).landlords.list({}))).toBe('UNAUTHORIZED');
  });

  it('the form reads "Add a new landlord" into an inline landlord, and no picker into no change', () => {
    const f = new FormData();
    for (const [k, v] of Object.entries({ ...address, landlordId: 'new', landlordName: 'Nia', landlordEmail: '' }))
      f.set(k, v);
    expect(propertyFrom(f)).toMatchObject({ newLandlord: { name: 'Nia', email: '' } });
    f.set('landlordId', '');
    expect(propertyFrom(f)).toMatchObject({ landlordId: '' });
    f.delete('landlordId');
    expect(propertyFrom(f)).not.toHaveProperty('landlordId');
  });

  it("the agency invoice's Bill to starts from the property's landlord, on one line", async () => {
    const owner = await as(staffA).landlords.save({
      name: 'Ivy Investor',
      billingAddress: '9 Quay Street\nBristol BS1 4DJ',
    });
    const property = await as(staffA).properties.save({ ...address, line1: '20 Harbour Lane', landlordId: owner.id });
    const job = await createJobRow(database.db, a.agency.id, { propertyId: property.id });
    const tab = await as(staffA).finance.job({ jobId: job.jobId });
    expect(tab.landlord).toEqual({ name: 'Ivy Investor', address: '9 Quay Street, Bristol BS1 4DJ' });
    const bare = await createJobRow(database.db, a.agency.id, { propertyId: a.property.id });
    expect((await as(staffA).finance.job({ jobId: bare.jobId })).landlord).toBeNull();
    const [row] = await database.db.select().from(landlords).where(eq(landlords.id, owner.id));
    expect(row?.agencyId).toBe(a.agency.id);
  });
});
