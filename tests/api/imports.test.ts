// CSV import over a real database: a generated 5 000-row file of properties with landlords is previewed (nothing
// written), imported (the valid rows, in one transaction, audited) and imported again (nothing new: the match
// keys find every row). Then tenants and contractors, and who may import.
import { TRPCError } from '@trpc/server';
import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, branches, contractors, landlords, properties, tenants, users } from '#db/schema/index.ts';
import { createContext } from '#lib/server/api/context.ts';
import { createCaller } from '#lib/server/api/root.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency } from '../support/fixtures.ts';

let database: TestDatabase;
let a: Awaited<ReturnType<typeof createAgency>>;
let adminA: SessionUser;
let staffA: SessionUser;

const as = (user: SessionUser) =>
  createCaller(
    createContext({
      db: database.db,
      engine: createEmbeddedEngine({ db: database.db }),
      user,
      temporalUiUrl: null,
      now: () => new Date('2026-11-23T12:00:00Z'),
    }),
  );

const n = async (table: typeof properties | typeof landlords | typeof tenants | typeof contractors) =>
  (await database.db.select({ n: count() }).from(table).where(eq(table.agencyId, a.agency.id)))[0]!.n;

const ROWS = 5000;
const LANDLORDS = 500;
const HEAD =
  'line1,line2,town,postcode,branch,access_notes,landlord_name,landlord_email,landlord_phone,landlord_address';

/** 5 000 rows: properties across 40 districts, 500 landlords (each on 10 rows), and one refused row per reason. */
function bigFile() {
  const lines = [HEAD];
  const bad = [
    '0 Bad Postcode Road,,Bristol,XX1,,,,,,',
    ',,Bristol,BS1 1AA,,,,,,',
    '0 Unknown Branch Road,,Bristol,BS1 1AB,Atlantis,,,,,',
    '0 Bad Email Road,,Bristol,BS1 1AD,,,Lou Landlord,lou-at-example,,',
    '0 Short Row,Bristol',
  ];
  for (let i = 0; lines.length < ROWS - bad.length; i++) {
    const district = `BS${(i % 40) + 1}`;
    const inward = `${i % 10}${String.fromCharCode(65 + ((i >> 4) % 26))}${String.fromCharCode(65 + (i % 26))}`;
    const l = i % LANDLORDS;
    const branch = i % 3 === 0 ? 'Clifton' : '';
    lines.push(
      `${i + 1} Import Street,Flat ${i % 7},Bristol,${district} ${inward},${branch},Key safe ${i},Landlord ${l},landlord${l}@owners.example,,"${l} Owner Road, Bath BA1 1AA"`,
    );
  }
  // The duplicate repeats the first property row (line 2).
  lines.push(lines[1]!, ...bad);
  return `${lines.join('\r\n')}\r\n`;
}

beforeAll(async () => {
  database = await createTestDatabase();
  a = await createAgency(database.db, 'Agency A');
  await database.db.insert(branches).values({ agencyId: a.agency.id, name: 'Clifton' });
  const [adminRow] = await database.db
    .insert(users)
    .values({ agencyId: a.agency.id, name: 'Ada Admin', email: `ada+${a.agency.slug}@example.test`, role: 'admin' })
    .returning();
  adminA = {
    kind: 'staff',
    userId: adminRow!.id,
    name: 'Ada',
    email: adminRow!.email,
    agencyId: a.agency.id,
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

describe('importing 5 000 properties with landlords', () => {
  const csv = bigFile();
  const before = { properties: 0 };

  it('previews every row, one refusal per reason with its line, and writes nothing', async () => {
    before.properties = await n(properties);
    const plan = await as(adminA).imports.preview({ kind: 'properties', csv });
    expect(plan.rows).toHaveLength(ROWS);
    expect(plan.counts).toEqual({ create: ROWS - 6, update: 0, unchanged: 0, refused: 6 });
    const reasons = plan.rows.filter((r) => r.outcome === 'refused').map((r) => r.reason);
    expect(reasons).toEqual([
      'Line 4996: It repeats the property on line 2; give each property once.',
      'Line 4997: “XX1” is not a UK postcode (e.g. BS1 5LJ).',
      'Line 4998: Enter the first line of the address.',
      'Line 4999: No branch is called “Atlantis”: use a branch name from Settings, or leave it blank.',
      'Line 5000: The landlord: Enter a valid email.',
      'Line 5001: It has 2 values where the header names 10 columns.',
    ]);
    expect(plan.rows[0]).toMatchObject({ line: 2, outcome: 'create', label: '1 Import Street, BS1 0AA' });
    expect(await n(properties)).toBe(before.properties);
    expect(await n(landlords)).toBe(0);
  });

  it('imports the valid rows in one go: each landlord once, linked to their properties, audited', async () => {
    const counts = await as(adminA).imports.run({ kind: 'properties', csv });
    expect(counts).toEqual({ create: ROWS - 6, update: 0, unchanged: 0, refused: 6 });
    expect(await n(properties)).toBe(before.properties + ROWS - 6);
    expect(await n(landlords)).toBe(LANDLORDS);
    const [row] = await database.db
      .select({ property: properties, landlord: landlords, branch: branches.name })
      .from(properties)
      .innerJoin(landlords, eq(landlords.id, properties.landlordId))
      .leftJoin(branches, eq(branches.id, properties.branchId))
      .where(and(eq(properties.agencyId, a.agency.id), eq(properties.line1, '4 Import Street')));
    expect(row).toMatchObject({
      property: { postcode: 'BS4 3AD', outcode: 'BS4', line2: 'Flat 3', accessNotes: 'Key safe 3' },
      landlord: { name: 'Landlord 3', email: 'landlord3@owners.example', billingAddress: '3 Owner Road, Bath BA1 1AA' },
      branch: 'Clifton',
    });
    const actions = await database.db
      .select({ action: auditLog.action, n: count() })
      .from(auditLog)
      .where(eq(auditLog.agencyId, a.agency.id))
      .groupBy(auditLog.action);
    expect(Object.fromEntries(actions.map((x) => [x.action, x.n]))).toMatchObject({
      'import.apply': 1,
      'property.create': ROWS - 6,
      'landlord.create': LANDLORDS,
    });
  });

  it('imported again, creates nothing and changes nothing', async () => {
    const counts = await as(adminA).imports.run({ kind: 'properties', csv });
    expect(counts).toEqual({ create: 0, update: 0, unchanged: ROWS - 6, refused: 6 });
    expect(await n(properties)).toBe(before.properties + ROWS - 6);
    expect(await n(landlords)).toBe(LANDLORDS);
  });

  it('a corrected row is an update that says what changed', async () => {
    const fixed = `${HEAD}\n1 Import Street,Flat 0,Bristol,BS1 0AA,Clifton,Key safe by the bins,Landlord 0,landlord0@owners.example,0117 496 0000,\n`;
    const plan = await as(adminA).imports.preview({ kind: 'properties', csv: fixed });
    expect(plan.rows[0]).toMatchObject({
      outcome: 'update',
      changes: ['access notes “Key safe 0” → “Key safe by the bins”', "landlord's phone “(blank)” → “0117 496 0000”"],
    });
    await as(adminA).imports.run({ kind: 'properties', csv: fixed });
    const [audit] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.agencyId, a.agency.id), eq(auditLog.action, 'property.update')));
    expect(audit?.detail).toMatchObject({
      changes: { accessNotes: ['Key safe 0', 'Key safe by the bins'] },
      import: true,
    });
    expect((await as(adminA).imports.preview({ kind: 'properties', csv: fixed })).counts.unchanged).toBe(1);
  });
});

describe('a new landlord for a property already imported', () => {
  it('creates the landlord and moves the property to them, audited with both ids', async () => {
    const csv = `${HEAD}\n2 Import Street,Flat 1,Bristol,BS2 1AB,,,Nova New,nova@owners.example,,\n`;
    const plan = await as(adminA).imports.preview({ kind: 'properties', csv });
    expect(plan.rows[0]).toMatchObject({
      outcome: 'update',
      changes: ['landlord “Landlord 1” → new landlord “Nova New”'],
    });
    expect(await as(adminA).imports.run({ kind: 'properties', csv })).toMatchObject({ update: 1, create: 0 });
    const [row] = await database.db
      .select({ property: properties, landlord: landlords })
      .from(properties)
      .innerJoin(landlords, eq(landlords.id, properties.landlordId))
      .where(and(eq(properties.agencyId, a.agency.id), eq(properties.line1, '2 Import Street')));
    expect(row?.landlord.name).toBe('Nova New');
    const [audit] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'property.update'), sql`${auditLog.detail}->>'id' = ${row!.property.id}`));
    expect((audit?.detail as { changes: { landlordId: [string, string] } }).changes.landlordId[1]).toBe(
      row!.landlord.id,
    );
    expect(await n(landlords)).toBe(LANDLORDS + 1);
  });
});

describe('tenants and contractors', () => {
  it('imports tenants into imported properties, and contractors with their districts; again, nothing new', async () => {
    const tenantsCsv =
      'name,email,phone,property_line1,property_postcode\n' +
      'Tess Tenant,tess@example.com,,1 Import Street,bs1 0aa\n' +
      'Gus Ghost,gus@example.com,,1 Nowhere,BS1 0AA\n';
    const contractorsCsv =
      'name,company,email,phone,trades,coverage,base_postcode\n' +
      'Roz Roofer,Roz Roofs,roz@example.com,,roofing; gutters,BS1; BS2,BS1\n' +
      `Pat Again,,pat+${a.agency.slug}@example.test,,plumbing,SW1A; BS3,\n`;
    expect(await as(adminA).imports.run({ kind: 'tenants', csv: tenantsCsv })).toMatchObject({
      create: 1,
      refused: 1,
    });
    expect(await as(adminA).imports.run({ kind: 'contractors', csv: contractorsCsv })).toMatchObject({
      create: 1,
      update: 1,
    });
    const [pat] = await database.db.select().from(contractors).where(eq(contractors.id, a.contractors[0].id));
    expect(pat!.coverage).toEqual(['BS3', 'SW1A']);
    expect(pat!.name).toBe('Pat Again');
    expect(await as(adminA).imports.run({ kind: 'tenants', csv: tenantsCsv })).toMatchObject({
      create: 0,
      unchanged: 1,
    });
    expect(await as(adminA).imports.run({ kind: 'contractors', csv: contractorsCsv })).toMatchObject({
      create: 0,
      unchanged: 2,
    });
    const [tess] = await database.db.select().from(tenants).where(eq(tenants.email, 'tess@example.com'));
    expect(tess!.propertyId).toBeTruthy();
  });

  it('only agency admins import; a file that is not CSV is refused in a sentence', async () => {
    const e = await as(staffA)
      .imports.preview({ kind: 'tenants', csv: 'name\nx\n' })
      .catch((err: unknown) => err);
    expect((e as TRPCError).code).toBe('FORBIDDEN');
    const bad = await as(adminA)
      .imports.preview({ kind: 'tenants', csv: 'name\n"open\n' })
      .catch((err: unknown) => err);
    expect(bad).toBeInstanceOf(TRPCError);
    expect((bad as TRPCError).message).toMatch(/not a CSV file/);
  });
});
