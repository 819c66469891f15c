// Records are looked up within the caller's agency; a miss (including another agency's id) is NOT_FOUND,
// never "forbidden", so ids of other agencies do not leak.
import { TRPCError } from '@trpc/server';
import { and, eq } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '#db/client.ts';

export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/** The first row of a lookup, or NOT_FOUND naming what was missing ("Branch" → "Branch not found"). */
export function found<T>(rows: T[], what: string): T {
  const [row] = rows;
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `${what} not found` });
  return row;
}

/** The row `id` of `table` if it is the agency's (none for another agency's id): for `found`, or a refusal of its own. */
export async function inAgency<T extends PgTable & { id: PgColumn; agencyId: PgColumn }>(
  db: Database | Tx,
  table: T,
  agencyId: string,
  id: string,
): Promise<T['$inferSelect'][]> {
  const rows: PgTable = table; // drizzle's select() cannot see a generic table as a table
  return await db
    .select()
    .from(rows)
    .where(and(eq(table.id, id), eq(table.agencyId, agencyId)));
}
