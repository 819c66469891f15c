// Applying an import: what the file's rows need of the agency's data is read in a few queries (`loadExisting`),
// and a plan's writes go in batches in the caller's transaction, each record audited as its form would audit it
// (with `import: true`), plus one `import.apply` entry with the counts.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '#db/client.ts';
import { auditLog, branches, contractors, landlords, properties, tenants } from '#db/schema/index.ts';
import { normalisePostcode } from '#lib/postcode.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import type { Tx } from '../api/found.ts';
import type { CsvRow } from './csv.ts';
import type { ImportKind } from './kinds.ts';
import type { Existing, ImportPlan, Table } from './plan.ts';

type Staff = Extract<SessionUser, { kind: 'staff' }>;

/** Rows per INSERT: well inside PostgreSQL's 65 535 parameters for the widest table here. */
const BATCH = 1000;

const TABLES: Record<Table, PgTable & { id: PgColumn }> = { landlords, properties, tenants, contractors };
/** The audit actions the forms use for each table. */
const ACTIONS: Record<Table, string> = {
  landlords: 'landlord',
  properties: 'property',
  tenants: 'tenant',
  contractors: 'contractor',
};

const chunks = <T>(xs: T[]) =>
  Array.from({ length: Math.ceil(xs.length / BATCH) }, (_, i) => xs.slice(i * BATCH, (i + 1) * BATCH));

/** What the agency has that the rows could match: one query per table (properties only at the file's postcodes). */
export async function loadExisting(
  db: Database | Tx,
  agencyId: string,
  kind: ImportKind,
  rows: CsvRow[],
): Promise<Existing> {
  const none: Existing = { branches: [], landlords: [], properties: [], tenants: [], contractors: [] };
  const postcodeColumn = kind === 'tenants' ? 'propertypostcode' : 'postcode';
  const postcodes = [
    ...new Set(rows.map((r) => normalisePostcode(r.cells[postcodeColumn] ?? '')).filter((p) => p !== null)),
  ];
  const propertiesAt = async () =>
    postcodes.length
      ? db
          .select({
            id: properties.id,
            line1: properties.line1,
            line2: properties.line2,
            town: properties.town,
            postcode: properties.postcode,
            branchId: properties.branchId,
            accessNotes: properties.accessNotes,
            landlordId: properties.landlordId,
          })
          .from(properties)
          .where(and(eq(properties.agencyId, agencyId), inArray(properties.postcode, postcodes)))
      : [];
  if (kind === 'properties') {
    const [b, l, p] = await Promise.all([
      db.select({ id: branches.id, name: branches.name }).from(branches).where(eq(branches.agencyId, agencyId)),
      db
        .select({
          id: landlords.id,
          name: landlords.name,
          email: landlords.email,
          phone: landlords.phone,
          billingAddress: landlords.billingAddress,
        })
        .from(landlords)
        .where(eq(landlords.agencyId, agencyId)),
      propertiesAt(),
    ]);
    return { ...none, branches: b, landlords: l, properties: p };
  }
  if (kind === 'tenants') {
    const [p, t] = await Promise.all([
      propertiesAt(),
      db
        .select({
          id: tenants.id,
          name: tenants.name,
          email: tenants.email,
          phone: tenants.phone,
          propertyId: tenants.propertyId,
        })
        .from(tenants)
        .where(eq(tenants.agencyId, agencyId)),
    ]);
    return { ...none, properties: p, tenants: t };
  }
  const c = await db
    .select({
      id: contractors.id,
      name: contractors.name,
      company: contractors.company,
      email: contractors.email,
      phone: contractors.phone,
      trades: contractors.trades,
      coverage: contractors.coverage,
      baseOutcode: contractors.baseOutcode,
      baseLat: contractors.baseLat,
      baseLng: contractors.baseLng,
    })
    .from(contractors)
    .where(eq(contractors.agencyId, agencyId));
  return { ...none, contractors: c };
}

/** Serialises imports per agency for the transaction, so two at once cannot both create the same rows. */
export async function lockImports(tx: Tx, agencyId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`fettle.import:${agencyId}`}))`);
}

/** Writes the plan's creates and updates in `tx`, audited; refused and unchanged rows write nothing. */
export async function applyImport(tx: Tx, user: Staff, plan: ImportPlan): Promise<ImportPlan['counts']> {
  const base = { agencyId: user.agencyId, actorId: user.userId, actorRole: user.role };
  const audits: (typeof auditLog.$inferInsert)[] = [];
  const refs = new Map<string, string>();
  const creates = new Map<Table, Record<string, unknown>[]>();
  for (const w of plan.writes) {
    if (w.op !== 'create') continue;
    const id = randomUUID();
    if (w.ref) refs.set(w.ref, id);
    const values = { ...w.values, ...(w.landlordRef ? { landlordId: refs.get(w.landlordRef) } : {}) };
    creates.set(w.table, [...(creates.get(w.table) ?? []), { ...values, id, agencyId: user.agencyId }]);
    audits.push({ ...base, action: `${ACTIONS[w.table]}.create`, detail: { id, values, import: true, line: w.line } });
  }
  // Landlords first: the properties name them.
  for (const table of ['landlords', 'properties', 'tenants', 'contractors'] as const) {
    for (const batch of chunks(creates.get(table) ?? [])) await tx.insert(TABLES[table]).values(batch);
  }
  for (const w of plan.writes) {
    if (w.op !== 'update') continue;
    const values = { ...w.values, ...(w.landlordRef ? { landlordId: refs.get(w.landlordRef) } : {}) };
    const changes = w.landlordRef
      ? { ...w.changes, landlordId: [w.changes.landlordId?.[0] ?? null, values.landlordId] }
      : w.changes;
    const table = TABLES[w.table];
    await tx.update(table).set(values).where(eq(table.id, w.id));
    audits.push({
      ...base,
      action: `${ACTIONS[w.table]}.update`,
      detail: { id: w.id, changes, import: true, line: w.line },
    });
  }
  audits.push({ ...base, action: 'import.apply', detail: { kind: plan.kind, ...plan.counts } });
  for (const batch of chunks(audits)) await tx.insert(auditLog).values(batch);
  return plan.counts;
}
