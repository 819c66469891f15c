// The import planner: a CSV's rows and what the agency already has → per row "create", "update" (with what
// changes), "unchanged" or "refused" (why, in a sentence, with the line), and the writes that do it. Pure: the
// preview shows a plan, and the import applies a fresh plan made the same way inside its transaction
// (apply.ts), so what is written is what the preview said unless the data moved in between.
//
// Match keys (ADR 0063): properties by normalised postcode + first line; landlords by email, or by name when the
// row gives no email; tenants by email, or by name at the same property; contractors by email. Each row is
// checked with the same zod rules as the forms; a blank optional cell leaves what is stored as it is.
import type { z } from 'zod';
import { normalisePostcode, outcodeOf } from '#lib/postcode.ts';
import { describeIssues } from '../api/issues.ts';
import { contractorInput } from '../api/routers/contractors.ts';
import { landlordFields } from '../api/routers/landlords.ts';
import { propertyAddress } from '../api/routers/properties.ts';
import { tenantInput } from '../api/routers/tenants.ts';
import { optionalText } from '../api/text-input.ts';
import { columnKey, type CsvRow } from './csv.ts';
import { IMPORT_COLUMNS, type ImportKind } from './kinds.ts';

export type Outcome = 'create' | 'update' | 'unchanged' | 'refused';

export interface RowPlan {
  line: number;
  /** The row in a few words: an address, a name. */
  label: string;
  outcome: Outcome;
  /** Why it is refused, a sentence starting "Line N:"; else null. */
  reason: string | null;
  /** What an update changes, in words ("town “Bristl” → “Bristol”"). */
  changes: string[];
}

export interface ExistingProperty {
  id: string;
  line1: string;
  line2: string | null;
  town: string;
  postcode: string;
  branchId: string | null;
  accessNotes: string | null;
  landlordId: string | null;
}
export interface ExistingLandlord {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  billingAddress: string | null;
}
export interface ExistingTenant {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  propertyId: string | null;
}
export interface ExistingContractor {
  id: string;
  name: string;
  company: string | null;
  email: string;
  phone: string | null;
  trades: string[];
  coverage: string[];
  baseOutcode: string | null;
  baseLat: number | null;
  baseLng: number | null;
}

/** What the agency already has, as far as the file's rows need it (apply.ts `loadExisting`). */
export interface Existing {
  branches: { id: string; name: string }[];
  landlords: ExistingLandlord[];
  properties: ExistingProperty[];
  tenants: ExistingTenant[];
  contractors: ExistingContractor[];
}

export type Table = 'landlords' | 'properties' | 'tenants' | 'contractors';

/** One row to write. A new landlord is named by `ref` until it has an id; a property refers to it by `landlordRef`. */
export type Write =
  | { table: Table; op: 'create'; line: number; ref?: string; landlordRef?: string; values: Record<string, unknown> }
  | {
      table: Table;
      op: 'update';
      line: number;
      id: string;
      landlordRef?: string;
      values: Record<string, unknown>;
      changes: Record<string, [unknown, unknown]>;
    };

export interface ImportPlan {
  kind: ImportKind;
  rows: RowPlan[];
  counts: Record<Outcome, number>;
  /** In order: landlords before the properties that name them. */
  writes: Write[];
}

/** "12, Harbour  Lane." → "12 harbour lane": the first line as the match key compares it. */
export const lineKey = (line1: string) => line1.toLowerCase().replace(/[.,]/g, ' ').replace(/\s+/g, ' ').trim();
export const propertyKey = (postcode: string, line1: string) =>
  `${normalisePostcode(postcode) ?? postcode.trim().toUpperCase()}|${lineKey(line1)}`;
const nameKey = (name: string) => name.toLowerCase().replace(/\s+/g, ' ').trim();
export const landlordKey = (l: { name: string; email: string | null }) =>
  l.email ? `e:${l.email.toLowerCase()}` : `n:${nameKey(l.name)}`;

/** The words an update or refusal uses for each stored field. */
const FIELD_WORDS: Record<string, string> = {
  line1: 'first line',
  line2: 'line 2',
  town: 'town',
  postcode: 'postcode',
  branchId: 'branch',
  accessNotes: 'access notes',
  landlordId: 'landlord',
  name: 'name',
  email: 'email',
  phone: 'phone',
  billingAddress: 'billing address',
  company: 'company',
  trades: 'trades',
  coverage: 'coverage',
  baseOutcode: 'base',
  propertyId: 'property',
};

/** The schema's sentences for a refused row ("“XX1” is not a UK postcode (e.g. BS1 5LJ)"). */
const sentences = (error: z.ZodError) => describeIssues(error.issues, FIELD_WORDS);

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const sameSet = (a: string[], b: string[]) => same([...a].sort(), [...b].sort());

/** The given (non-null) fields of `after` that differ from `before`. */
function diff(before: object, after: Record<string, unknown>, sets: string[] = []) {
  const out: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(after)) {
    if (v === null || v === undefined) continue;
    const was = (before as Record<string, unknown>)[k];
    const equal = sets.includes(k) ? sameSet((was as string[]) ?? [], v as string[]) : same(was, v);
    if (!equal) out[k] = [was ?? null, v];
  }
  return out;
}

const shown = (v: unknown): string =>
  v === null || v === undefined || v === ''
    ? '(blank)'
    : Array.isArray(v)
      ? v.join('; ')
      : typeof v === 'string'
        ? v
        : JSON.stringify(v);

function words(
  changes: Record<string, [unknown, unknown]>,
  prefix = '',
  name: (k: string, v: unknown) => unknown = (_k, v) => v,
) {
  return Object.entries(changes).map(
    ([k, [was, now]]) => `${prefix}${FIELD_WORDS[k] ?? k} “${shown(name(k, was))}” → “${shown(name(k, now))}”`,
  );
}

/** A `;`-separated cell as its entries ("plumbing; heating" → ["plumbing", "heating"]). */
export const listCell = (v: string | undefined) =>
  (v ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);

/** The file's columns this kind requires but the file lacks, as a refusal (same for every row). */
function missingColumns(kind: ImportKind, columns: string[]): string | null {
  const missing = IMPORT_COLUMNS[kind].filter((c) => c.required && !columns.includes(columnKey(c.header)));
  if (!missing.length) return null;
  const names = missing.map((c) => `“${c.header}”`).join(', ');
  return missing.length === 1 ? `The file has no ${names} column` : `The file has no ${names} columns`;
}

const propertyRow = propertyAddress.omit({ branchId: true }).extend({ accessNotes: optionalText(1000) });

class Planner {
  rows: RowPlan[] = [];
  writes: Write[] = [];
  readonly kind: ImportKind;
  constructor(kind: ImportKind) {
    this.kind = kind;
  }

  refuse(row: CsvRow, label: string, why: string) {
    this.rows.push({
      line: row.line,
      label,
      outcome: 'refused',
      reason: `Line ${row.line}: ${why.replace(/\.?$/, '.')}`,
      changes: [],
    });
  }

  done(row: CsvRow, label: string, outcome: Exclude<Outcome, 'refused'>, changes: string[] = []) {
    this.rows.push({ line: row.line, label, outcome, reason: null, changes });
  }

  plan(): ImportPlan {
    const counts: Record<Outcome, number> = { create: 0, update: 0, unchanged: 0, refused: 0 };
    for (const r of this.rows) counts[r.outcome]++;
    return { kind: this.kind, rows: this.rows, counts, writes: this.writes };
  }
}

/** The plan for importing `rows` (read by csv.ts from a file with `columns`) of `kind` into what `existing` holds. */
export function planImport(kind: ImportKind, columns: string[], rows: CsvRow[], existing: Existing): ImportPlan {
  const planner = new Planner(kind);
  const missing = missingColumns(kind, columns);
  if (kind === 'properties') planProperties(planner, rows, existing, missing);
  else if (kind === 'tenants') planTenants(planner, rows, existing, missing);
  else planContractors(planner, rows, existing, missing);
  return planner.plan();
}

function planProperties(p: Planner, rows: CsvRow[], existing: Existing, missing: string | null) {
  const branchByName = new Map(existing.branches.map((b) => [nameKey(b.name), b]));
  const branchName = new Map(existing.branches.map((b) => [b.id, b.name]));
  const landlordByEmail = new Map<string, ExistingLandlord>();
  const landlordByName = new Map<string, ExistingLandlord>();
  for (const l of existing.landlords) {
    if (l.email && !landlordByEmail.has(l.email.toLowerCase())) landlordByEmail.set(l.email.toLowerCase(), l);
    if (!landlordByName.has(nameKey(l.name))) landlordByName.set(nameKey(l.name), l);
  }
  const landlordName = new Map(existing.landlords.map((l) => [l.id, l.name]));
  const propertyByKey = new Map<string, ExistingProperty>();
  for (const e of existing.properties) {
    const key = propertyKey(e.postcode, e.line1);
    if (!propertyByKey.has(key)) propertyByKey.set(key, e);
  }
  /** Landlords this file has already settled: key → an existing id, or the ref of one it creates. */
  const landlordsSeen = new Map<string, { id: string } | { ref: string; name: string; line: number }>();
  const propertiesSeen = new Map<string, number>();

  for (const row of rows) {
    const c = row.cells;
    const label = [c.line1, c.postcode].filter(Boolean).join(', ') || '(no address)';
    if (row.problem) {
      p.refuse(row, label, row.problem);
      continue;
    }
    if (missing) {
      p.refuse(row, label, missing);
      continue;
    }
    const parsed = propertyRow.safeParse({
      line1: c.line1,
      line2: c.line2,
      town: c.town,
      postcode: c.postcode,
      accessNotes: c.accessnotes,
    });
    if (!parsed.success) {
      p.refuse(row, label, sentences(parsed.error));
      continue;
    }
    const address = parsed.data;
    let branchId: string | null = null;
    if (c.branch) {
      const branch = branchByName.get(nameKey(c.branch));
      if (!branch) {
        p.refuse(row, label, `No branch is called “${c.branch}”: use a branch name from Settings, or leave it blank`);
        continue;
      }
      branchId = branch.id;
    }

    const key = propertyKey(address.postcode, address.line1);
    const earlier = propertiesSeen.get(key);
    if (earlier !== undefined) {
      p.refuse(row, label, `It repeats the property on line ${earlier}; give each property once`);
      continue;
    }
    // The landlord, if the row names one: matched, or created once however many rows name them.
    const landlordCells = {
      name: c.landlordname ?? '',
      email: c.landlordemail,
      phone: c.landlordphone,
      billingAddress: c.landlordaddress,
    };
    const namesLandlord = Object.values(landlordCells).some((v) => v?.trim());
    let landlord: { id: string } | { ref: string; name: string; line: number } | null = null;
    let landlordWrite: Write | null = null;
    const landlordChanges: string[] = [];
    if (namesLandlord) {
      const l = landlordFields.safeParse(landlordCells);
      if (!l.success) {
        p.refuse(row, label, `The landlord: ${sentences(l.error)}`);
        continue;
      }
      const owner = landlordKey(l.data);
      const seen = landlordsSeen.get(owner);
      if (seen) landlord = seen;
      else {
        const match = l.data.email ? landlordByEmail.get(l.data.email) : landlordByName.get(nameKey(l.data.name));
        if (match) {
          landlord = { id: match.id };
          const { name, phone, billingAddress } = l.data;
          const changes = diff(match, { name, phone, billingAddress });
          if (Object.keys(changes).length) {
            const values = Object.fromEntries(Object.entries(changes).map(([k, [, v]]) => [k, v]));
            landlordWrite = { table: 'landlords', op: 'update', line: row.line, id: match.id, values, changes };
            landlordChanges.push(...words(changes, "landlord's "));
          }
        } else {
          landlord = { ref: owner, name: l.data.name, line: row.line };
          landlordWrite = { table: 'landlords', op: 'create', line: row.line, ref: owner, values: l.data };
        }
        landlordsSeen.set(owner, landlord);
      }
    }

    propertiesSeen.set(key, row.line);
    if (landlordWrite) p.writes.push(landlordWrite);
    const landlordRef = landlord && 'ref' in landlord ? landlord.ref : undefined;
    const landlordId = landlord && 'id' in landlord ? landlord.id : null;
    const match = propertyByKey.get(key);
    const label2 = `${address.line1}, ${address.postcode}`;
    if (!match) {
      p.writes.push({
        table: 'properties',
        op: 'create',
        line: row.line,
        landlordRef,
        values: { ...address, branchId, landlordId, outcode: outcodeOf(address.postcode) },
      });
      p.done(row, label2, 'create', landlord && 'ref' in landlord ? [newLandlord(landlord, row.line)] : []);
      continue;
    }
    const { line2, town, accessNotes } = address;
    const changes = diff(match, { line2, town, accessNotes, branchId, landlordId });
    const described = words(changes, '', (k, v) =>
      k === 'branchId' ? branchName.get(v as string) : k === 'landlordId' ? landlordName.get(v as string) : v,
    );
    // A landlord this file creates is new to the property too.
    if (landlordRef && landlord && 'ref' in landlord) {
      changes.landlordId = [match.landlordId, null];
      described.push(
        `landlord “${shown(landlordName.get(match.landlordId ?? ''))}” → ${newLandlord(landlord, row.line)}`,
      );
    }
    described.push(...landlordChanges);
    if (!described.length) {
      p.done(row, label2, 'unchanged');
      continue;
    }
    const values = Object.fromEntries(Object.entries(changes).map(([k, [, v]]) => [k, v]));
    if (Object.keys(changes).length)
      p.writes.push({ table: 'properties', op: 'update', line: row.line, id: match.id, landlordRef, values, changes });
    p.done(row, label2, 'update', described);
  }
}

/** A landlord this file adds, said once where it is added and as "added on line N" on later rows. */
const newLandlord = (l: { name: string; line: number }, line: number) =>
  l.line === line ? `new landlord “${l.name}”` : `new landlord “${l.name}” (added on line ${l.line})`;

function planTenants(p: Planner, rows: CsvRow[], existing: Existing, missing: string | null) {
  const propertyByKey = new Map<string, ExistingProperty>();
  for (const e of existing.properties) {
    const key = propertyKey(e.postcode, e.line1);
    if (!propertyByKey.has(key)) propertyByKey.set(key, e);
  }
  const propertyLabel = new Map(existing.properties.map((e) => [e.id, `${e.line1}, ${e.postcode}`]));
  const byKey = new Map<string, ExistingTenant>();
  for (const t of existing.tenants) {
    const key = tenantKey(t);
    if (!byKey.has(key)) byKey.set(key, t);
  }
  const seen = new Map<string, number>();
  for (const row of rows) {
    const c = row.cells;
    const label = c.name || '(no name)';
    if (row.problem) {
      p.refuse(row, label, row.problem);
      continue;
    }
    if (missing) {
      p.refuse(row, label, missing);
      continue;
    }
    const parsed = tenantInput.safeParse({ name: c.name, email: c.email, phone: c.phone });
    if (!parsed.success) {
      p.refuse(row, label, sentences(parsed.error));
      continue;
    }
    const postcode = normalisePostcode(c.propertypostcode ?? '');
    if (!postcode) {
      p.refuse(row, label, `The property's postcode “${c.propertypostcode ?? ''}” is not a UK postcode (e.g. BS1 5LJ)`);
      continue;
    }
    const property = propertyByKey.get(propertyKey(postcode, c.propertyline1 ?? ''));
    if (!property) {
      p.refuse(
        row,
        label,
        `No property at “${c.propertyline1 ?? ''}, ${postcode}”: import the properties first, or add it on the Properties page`,
      );
      continue;
    }
    const { name, email, phone } = parsed.data;
    const key = tenantKey({ name, email, propertyId: property.id });
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      p.refuse(row, label, `It repeats the tenant on line ${earlier}; give each tenant once`);
      continue;
    }
    seen.set(key, row.line);
    const match = byKey.get(key);
    if (!match) {
      p.writes.push({
        table: 'tenants',
        op: 'create',
        line: row.line,
        values: { name, email, phone, propertyId: property.id },
      });
      p.done(row, label, 'create');
      continue;
    }
    const changes = diff(match, { name, phone, propertyId: property.id });
    if (!Object.keys(changes).length) {
      p.done(row, label, 'unchanged');
      continue;
    }
    const values = Object.fromEntries(Object.entries(changes).map(([k, [, v]]) => [k, v]));
    p.writes.push({ table: 'tenants', op: 'update', line: row.line, id: match.id, values, changes });
    p.done(
      row,
      label,
      'update',
      words(changes, '', (k, v) => (k === 'propertyId' ? propertyLabel.get(v as string) : v)),
    );
  }
}

const tenantKey = (t: { name: string; email: string | null; propertyId: string | null }) =>
  t.email ? `e:${t.email.toLowerCase()}` : `n:${nameKey(t.name)}|${t.propertyId ?? ''}`;

function planContractors(p: Planner, rows: CsvRow[], existing: Existing, missing: string | null) {
  const byEmail = new Map(existing.contractors.map((c) => [c.email.toLowerCase(), c]));
  const seen = new Map<string, number>();
  for (const row of rows) {
    const c = row.cells;
    const label = [c.name, c.email].filter(Boolean).join(', ') || '(no name)';
    if (row.problem) {
      p.refuse(row, label, row.problem);
      continue;
    }
    if (missing) {
      p.refuse(row, label, missing);
      continue;
    }
    const parsed = contractorInput.safeParse({
      name: c.name,
      company: c.company,
      email: c.email,
      phone: c.phone,
      trades: listCell(c.trades),
      coverage: listCell(c.coverage),
      basePostcode: c.basepostcode,
    });
    if (!parsed.success) {
      p.refuse(row, label, sentences(parsed.error));
      continue;
    }
    const { id: _id, active: _active, ...values } = parsed.data;
    const earlier = seen.get(values.email);
    if (earlier !== undefined) {
      p.refuse(row, label, `It repeats the contractor on line ${earlier} (the same email); give each contractor once`);
      continue;
    }
    seen.set(values.email, row.line);
    const match = byEmail.get(values.email);
    if (!match) {
      p.writes.push({ table: 'contractors', op: 'create', line: row.line, values });
      p.done(row, label, 'create');
      continue;
    }
    const { name, company, phone, trades, coverage, baseOutcode } = values;
    const changes = diff(
      match,
      { name, company, phone, trades, coverage: coverage.length ? coverage : null, baseOutcode },
      ['trades', 'coverage'],
    );
    if (!Object.keys(changes).length) {
      p.done(row, label, 'unchanged');
      continue;
    }
    const update = Object.fromEntries(Object.entries(changes).map(([k, [, v]]) => [k, v]));
    // A new base moves the map pin with it (its district's centre), as the form does.
    if (changes.baseOutcode) Object.assign(update, { baseLat: values.baseLat, baseLng: values.baseLng });
    p.writes.push({ table: 'contractors', op: 'update', line: row.line, id: match.id, values: update, changes });
    p.done(row, label, 'update', words(changes));
  }
}
