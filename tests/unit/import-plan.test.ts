// The CSV import planner without a database: each row's outcome (create, update with what changes, unchanged,
// refused with a sentence naming its line), the match keys, and the reader's line numbers and refusals.
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { readCsv } from '#lib/server/import/csv.ts';
import { IMPORT_COLUMNS, IMPORT_KINDS, templateCsv } from '#lib/server/import/kinds.ts';
import { type Existing, lineKey, planImport, propertyKey } from '#lib/server/import/plan.ts';

const none: Existing = { branches: [], landlords: [], properties: [], tenants: [], contractors: [] };
const plan = (kind: Parameters<typeof planImport>[0], csv: string, existing: Partial<Existing> = {}) => {
  const { columns, rows } = readCsv(csv);
  return planImport(kind, columns, rows, { ...none, ...existing });
};
const outcomes = (p: ReturnType<typeof plan>) => p.rows.map((r) => r.outcome);

const PROPERTY_HEAD =
  'line1,line2,town,postcode,branch,access_notes,landlord_name,landlord_email,landlord_phone,landlord_address\n';
const BRANCH = { id: '00000000-0000-4000-8000-0000000000b1', name: 'Clifton' };
const LANDLORD = {
  id: '00000000-0000-4000-8000-0000000000a1',
  name: 'Lena Landlord',
  email: 'lena@owners.example',
  phone: null,
  billingAddress: null,
};
const PROPERTY = {
  id: '00000000-0000-4000-8000-0000000000c1',
  line1: '12 Harbour Lane',
  line2: null,
  town: 'Bristol',
  postcode: 'BS1 5LJ',
  branchId: BRANCH.id,
  accessNotes: null,
  landlordId: LANDLORD.id,
};

describe('reading the file', () => {
  it('numbers rows by their line in the file, past blank lines and cells of several lines', () => {
    const { columns, rows } = readCsv(
      '\uFEFFName,E-mail\r\nA,a@x.example\r\n\r\n"B\nstill B",b@x.example\r\nC,c@x.example',
    );
    expect(columns).toEqual(['name', 'email']);
    expect(rows.map((r) => r.line)).toEqual([2, 4, 6]);
    expect(rows[1]!.cells).toEqual({ name: 'B\nstill B', email: 'b@x.example' });
  });

  it('refuses what is not a CSV file, or has no rows, in a sentence', () => {
    const refused = (csv: string) => {
      try {
        readCsv(csv);
      } catch (e) {
        expect(e).toBeInstanceOf(TRPCError);
        return (e as TRPCError).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refused('')).toMatch(/empty/);
    expect(refused('name,email\n')).toMatch(/no rows/);
    expect(refused('name\n"unclosed\n')).toMatch(/not a CSV file/);
  });

  it("each kind's template has its header and one example row, which plans as a create", () => {
    for (const kind of IMPORT_KINDS) {
      const { columns, rows } = readCsv(templateCsv(kind));
      expect(columns.length).toBe(IMPORT_COLUMNS[kind].length);
      expect(rows).toHaveLength(1);
    }
    expect(outcomes(plan('properties', templateCsv('properties')))).toEqual(['create']);
    expect(outcomes(plan('contractors', templateCsv('contractors')))).toEqual(['create']);
    const tenants = plan('tenants', templateCsv('tenants'), { properties: [PROPERTY] });
    expect(outcomes(tenants)).toEqual(['create']);
  });
});

describe('properties and landlords', () => {
  it('matches properties on postcode and first line however they are written, and reports no change', () => {
    expect(propertyKey('bs15lj', '12,  Harbour Lane.')).toBe(propertyKey('BS1 5LJ', '12 harbour lane'));
    expect(lineKey(' Flat 2,  The Mews ')).toBe('flat 2 the mews');
    const p = plan(
      'properties',
      `${PROPERTY_HEAD}"12, harbour lane",,Bristol,bs15lj,clifton,,Lena Landlord,LENA@owners.example,,\n`,
      { branches: [BRANCH], landlords: [LANDLORD], properties: [PROPERTY] },
    );
    expect(p.rows[0]).toMatchObject({ outcome: 'unchanged', line: 2 });
    expect(p.writes).toEqual([]);
  });

  it('says what an update changes, the landlord included, and leaves blank cells as they are', () => {
    const p = plan(
      'properties',
      `${PROPERTY_HEAD}12 Harbour Lane,,Bristol City,BS1 5LJ,,Side gate,Lena Landlord,lena@owners.example,0117 496 0000,\n`,
      { branches: [BRANCH], landlords: [LANDLORD], properties: [PROPERTY] },
    );
    expect(p.rows[0]!.outcome).toBe('update');
    expect(p.rows[0]!.changes).toEqual([
      'town “Bristol” → “Bristol City”',
      'access notes “(blank)” → “Side gate”',
      "landlord's phone “(blank)” → “0117 496 0000”",
    ]);
    const update = p.writes.find((w) => w.table === 'properties');
    expect(update).toMatchObject({
      op: 'update',
      id: PROPERTY.id,
      values: { town: 'Bristol City', accessNotes: 'Side gate' },
    });
    expect(update?.values).not.toHaveProperty('branchId');
  });

  it('creates a landlord named on several rows once, matched by email or else by name', () => {
    const p = plan(
      'properties',
      PROPERTY_HEAD +
        '1 New Street,,Bath,BA1 1AA,,,Omar Owner,omar@owners.example,,\n' +
        '2 New Street,,Bath,BA1 1AA,,,Omar O.,OMAR@owners.example,,\n' +
        '3 New Street,,Bath,BA1 1AA,,,Nell No-Email,,,\n' +
        '4 New Street,,Bath,BA1 1AA,,,nell  no-email,,,\n' +
        '5 New Street,,Bath,BA1 1AA,,,,,,\n',
    );
    expect(outcomes(p)).toEqual(['create', 'create', 'create', 'create', 'create']);
    const landlords = p.writes.filter((w) => w.table === 'landlords');
    expect(landlords.map((w) => w.values.name)).toEqual(['Omar Owner', 'Nell No-Email']);
    const props = p.writes.filter((w) => w.table === 'properties');
    expect(props.map((w) => w.landlordRef ?? null)).toEqual([
      'e:omar@owners.example',
      'e:omar@owners.example',
      'n:nell no-email',
      'n:nell no-email',
      null,
    ]);
  });

  it('refuses each bad row in a sentence naming its line, and plans the rest', () => {
    const p = plan(
      'properties',
      PROPERTY_HEAD +
        '1 Good Road,,Bath,BA1 1AA,,,,,,\n' +
        '2 Bad Road,,Bath,XX1,,,,,,\n' +
        '3 Bad Road,,Bath,BA1 1AA,Nowhere,,,,,\n' +
        '4 Bad Road,,Bath,BA1 1AA,,,Lou,not-an-email,,\n' +
        ',,Bath,BA1 1AA,,,,,,\n' +
        '1 Good Road,,Bath,BA1 1AA,,,,,,\n' +
        '7 Bad Road,Bath\n',
      { branches: [BRANCH] },
    );
    expect(outcomes(p)).toEqual(['create', 'refused', 'refused', 'refused', 'refused', 'refused', 'refused']);
    expect(p.rows.slice(1).map((r) => r.reason)).toEqual([
      'Line 3: “XX1” is not a UK postcode (e.g. BS1 5LJ).',
      'Line 4: No branch is called “Nowhere”: use a branch name from Settings, or leave it blank.',
      'Line 5: The landlord: Enter a valid email.',
      'Line 6: Enter the first line of the address.',
      'Line 7: It repeats the property on line 2; give each property once.',
      'Line 8: It has 2 values where the header names 10 columns.',
    ]);
    expect(p.counts).toEqual({ create: 1, update: 0, unchanged: 0, refused: 6 });
  });

  it('tells a postcode too long to be one that it is too long, not that it is missing', () => {
    const p = plan('properties', PROPERTY_HEAD + '3 Long Road,,Bristol,NOTAPOSTCODE,,,,,,\n');
    expect(p.rows[0]!.reason).toBe('Line 2: That is too long for a UK postcode (e.g. BS1 5LJ).');
  });

  it('refuses every row of a file without a required column, naming it', () => {
    const p = plan('properties', 'line1,postcode\n1 Road,BA1 1AA\n');
    expect(p.rows[0]!.reason).toBe('Line 2: The file has no “town” column.');
  });
});

describe('tenants', () => {
  const HEAD = 'name,email,phone,property_line1,property_postcode\n';
  it("finds the tenant's property, matches tenants by email or by name there, and refuses an unknown property", () => {
    const existing = {
      properties: [PROPERTY],
      tenants: [{ id: 't1', name: 'Tess Tenant', email: 'tess@example.com', phone: null, propertyId: PROPERTY.id }],
    };
    const p = plan(
      'tenants',
      HEAD +
        'Tess Tenant,TESS@example.com,,12 harbour lane,bs1 5lj\n' +
        'Tess T,tess@example.com,07700 900123,12 Harbour Lane,BS1 5LJ\n' +
        'Ned Nomail,,07700 900124,12 Harbour Lane,BS1 5LJ\n' +
        'Gus Ghost,gus@example.com,,99 Nowhere Street,BS1 5LJ\n' +
        'Pam Nophone,,,12 Harbour Lane,BS1 5LJ\n',
      existing,
    );
    expect(outcomes(p)).toEqual(['unchanged', 'refused', 'create', 'refused', 'refused']);
    expect(p.rows[1]!.reason).toMatch(/^Line 3: It repeats the tenant on line 2/);
    expect(p.rows[3]!.reason).toMatch(/^Line 5: No property at “99 Nowhere Street, BS1 5LJ”/);
    expect(p.rows[4]!.reason).toMatch(/^Line 6: Give a phone number or an email/);
    const updated = plan(
      'tenants',
      HEAD + 'Tess Tenant,tess@example.com,07700 900123,12 Harbour Lane,BS1 5LJ\n',
      existing,
    );
    expect(updated.rows[0]!.changes).toEqual(['phone “(blank)” → “07700 900123”']);
  });
});

describe('contractors', () => {
  const HEAD = 'name,company,email,phone,trades,coverage,base_postcode\n';
  const PAT = {
    id: 'c1',
    name: 'Pat Plumber',
    company: null,
    email: 'pat@example.com',
    phone: null,
    trades: ['plumbing', 'heating'],
    coverage: ['BS1', 'BS2'],
    baseOutcode: null,
    baseLat: null,
    baseLng: null,
  };
  it('reads ;-separated trades and districts with the form rules, and matches on email', () => {
    const p = plan(
      'contractors',
      HEAD +
        'Pat Plumber,,PAT@example.com,,Heating; plumbing,bs2; BS1,\n' +
        'Eve Electric,Eve Ltd,eve@example.com,,electrical,BS1; BS99 9ZZ; bs8,BS1\n' +
        'Ray Roofer,,ray@example.com,,roofing,BS1; Bristol,\n' +
        'No Trade,,nt@example.com,,,BS1,\n',
      { contractors: [PAT] },
    );
    expect(outcomes(p)).toEqual(['unchanged', 'create', 'refused', 'refused']);
    expect(p.writes[0]).toMatchObject({
      op: 'create',
      values: { coverage: ['BS1', 'BS8', 'BS99'], baseOutcode: 'BS1' },
    });
    expect(p.rows[2]!.reason).toBe('Line 4: “Bristol” is not a postcode district (e.g. BS1 or SW1A).');
    expect(p.rows[3]!.reason).toBe('Line 5: Pick at least one trade.');
  });

  it('an update names the districts added', () => {
    const p = plan('contractors', HEAD + 'Pat Plumber,,pat@example.com,,plumbing; heating,BS1; BS2; BS3,\n', {
      contractors: [PAT],
    });
    expect(p.rows[0]).toMatchObject({ outcome: 'update', changes: ['coverage “BS1; BS2” → “BS1; BS2; BS3”'] });
  });
});
