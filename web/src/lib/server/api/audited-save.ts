// Directory and settings changes are audited in the transaction that makes them: a row saved without its
// audit entry (or an entry for a save that rolled back) cannot happen. One helper does "insert or update, and
// say what it was and what it became", so every form that saves a row leaves the same trail.
import { TRPCError } from '@trpc/server';
import { and, eq, getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '#db/client.ts';
import { one } from '#db/rows.ts';
import { auditLog } from '#db/schema/index.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { found, type Tx } from './found.ts';

export type { Tx };

type Staff = Extract<SessionUser, { kind: 'staff' }>;

/** One append-only audit row for a directory or settings change (no job). */
export async function audit(db: Database | Tx, user: Staff, action: string, detail: Record<string, unknown>) {
  await db
    .insert(auditLog)
    .values({ agencyId: user.agencyId, actorId: user.userId, actorRole: user.role, action, detail });
}

/** The fields that changed, as { field: [before, after] }, so the audit row says exactly what moved. */
export function changes<T extends Record<string, unknown>>(
  before: T | null,
  after: Partial<T>,
): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(after)) {
    const was = before ? before[k] : null;
    if (JSON.stringify(was) !== JSON.stringify(v)) out[k] = [was ?? null, v ?? null];
  }
  return out;
}

/** A unique violation (PostgreSQL 23505: a code or email already taken) said as `message`, a 409; anything else rethrown. */
export function conflictOnDuplicate(e: unknown, message: string): never {
  const pgCode = (e as { code?: string; cause?: { code?: string } })?.cause?.code ?? (e as { code?: string })?.code;
  if (pgCode === '23505') throw new TRPCError({ code: 'CONFLICT', message });
  throw e;
}

type Keyed = PgTable & { id: PgColumn };
type Row<T extends Keyed> = T['$inferSelect'];

/**
 * Columns naming whose a row is (the agency's, or a contractor's): a new row takes them, and only rows that
 * have them may change, so another agency's id is "not found". Besides the agency (the audit row has its own
 * column for it), the owner is said in the audit detail: `{ contractorId, id, … }`.
 */
type Owner<T extends Keyed> = Partial<T['$inferInsert']>;

/** Refuses a change given the row as it was; it runs before anything is written. */
type Check<T extends Keyed> = (before: Row<T>) => Promise<void>;

/**
 * A table whose rows staff save and remove with an audit trail, each change audited in the transaction that
 * makes it: `what` names the row in "<what> not found", `actions` are the audit actions (`settings.branch.create`).
 */
export function auditedRows<T extends Keyed>(
  table: T,
  what: string,
  actions: { create: string; update: string; remove?: string },
) {
  const columns = getTableColumns(table);
  const owned = (owner: Owner<T>, id: string) =>
    and(
      eq(table.id, id),
      ...Object.entries(owner).map(([name, value]) => {
        const column = columns[name];
        if (!column) throw new Error(`${what}: the owner column ${name} is not a column of its table`);
        return eq(column, value);
      }),
    );
  const ownerDetail = ({ agencyId: _agencyId, ...rest }: Record<string, unknown>) => rest;
  const before = async (tx: Tx, owner: Owner<T>, id: string) =>
    found(
      (await tx
        .select()
        .from(table as PgTable)
        .where(owned(owner, id))) as Row<T>[],
      what,
    );

  return {
    /**
     * Inserts (no id) or updates one of `owner`'s rows, as the signed-in staff member, audited `{ id, values }`
     * for a new row and `{ id, changes }` (field by field, before and after) for an update.
     */
    async save(
      tx: Tx,
      user: Staff,
      owner: Owner<T>,
      row: Partial<T['$inferInsert']> & { id?: string },
      check?: Check<T>,
    ): Promise<Row<T>> {
      const { id, ...rest } = row;
      const values = rest as Partial<T['$inferInsert']>;
      const detail = ownerDetail(owner);
      if (!id) {
        const created = one(
          (await tx
            .insert(table)
            .values({ ...values, ...owner } as T['$inferInsert'])
            .returning()) as Row<T>[],
          what,
        );
        await audit(tx, user, actions.create, { ...detail, id: created.id, values });
        return created;
      }
      const was = await before(tx, owner, id);
      await check?.(was);
      const updated = found((await tx.update(table).set(values).where(eq(table.id, id)).returning()) as Row<T>[], what);
      await audit(tx, user, actions.update, { ...detail, id, changes: changes(was, values) });
      return updated;
    },

    /** Deletes one of `owner`'s rows, audited with everything it held (`{ id, was }`). */
    async remove(tx: Tx, user: Staff, owner: Owner<T>, id: string, check?: Check<T>): Promise<Row<T>> {
      if (!actions.remove) throw new Error(`${what} rows are not removed`);
      await check?.(await before(tx, owner, id));
      const gone = found((await tx.delete(table).where(owned(owner, id)).returning()) as Row<T>[], what);
      await audit(tx, user, actions.remove, { ...ownerDetail(owner), id, was: gone });
      return gone;
    },
  };
}
