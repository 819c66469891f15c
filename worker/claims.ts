// Names for the claims a background loop makes on rows it is working on (`locked_by`), so that after a
// crash the next boot of the same instance frees them at once instead of waiting out their lease: that
// process is gone, since this one is its successor. One loop per instance name and table is assumed
// (two live processes with one host name could run a claimed item twice; effects are idempotent).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Sql } from 'postgres';

export interface Claims {
  /** This boot's name on its claims: `<instance>/<boot id>`. */
  claimant: string;
  /** Frees claims an earlier boot of this instance left on `table`'s rows still `pending`; returns how many. */
  releaseStale(sql: Sql, table: 'engine.outbox' | 'emails'): Promise<number>;
}

/** Rows still to be done, per table: only those may be freed. */
const PENDING = { 'engine.outbox': 'done_at is null', emails: 'sent_at is null and failed_at is null' } as const;

export function claimsFor(instance: string = hostname()): Claims {
  const claimant = `${instance}/${randomUUID()}`;
  const prefix = `${instance}/`;
  return {
    claimant,
    async releaseStale(sql, table) {
      const released = await sql.unsafe(
        `update ${table} set locked_until = null, locked_by = null
         where ${PENDING[table]} and locked_by <> $1 and left(locked_by, $2) = $3`,
        [claimant, prefix.length, prefix],
      );
      return released.count;
    },
  };
}
