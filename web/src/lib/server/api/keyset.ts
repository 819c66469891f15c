// Keyset pagination over jobs, newest first, shared by jobs.list and portal.jobs. The cursor is the last
// row's `createdAt|id` (base64url); the condition and ordering below match the (agency, created, id)
// indexes, which is what keeps a later page as cheap as the first.
import { TRPCError } from '@trpc/server';
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { jobs, properties } from '#db/schema/index.ts';

export const cursorOf = (row: { createdAt: Date; id: string }) =>
  Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');

/** A page of a list read with `limit + 1` rows: the first `limit`, and the last one's cursor when more follow. */
export function pageOf<T extends { createdAt: Date; id: string }>(rows: T[], limit: number) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}

const cursorSchema = z.tuple([z.iso.datetime(), z.uuid()]);
export function parseCursor(cursor: string): [Date, string] {
  const parsed = cursorSchema.safeParse(Buffer.from(cursor, 'base64url').toString().split('|'));
  if (!parsed.success) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid cursor' });
  return [new Date(parsed.data[0]), parsed.data[1]];
}

/** Jobs after the cursor's row. A row comparison is an index range; the equivalent OR is not, and made
 *  each later page scan every newer job (80 ms a page at 100 000 jobs). */
export function afterCursor(cursor: string): SQL {
  const [createdAt, id] = parseCursor(cursor);
  return sql`(${jobs.createdAt}, ${jobs.id}) < (${createdAt.toISOString()}::timestamptz, ${id}::uuid)`;
}

/** NULLS LAST as the (agency, created, id) indexes are built: plain DESC means NULLS FIRST, which no
 *  index matches, so PostgreSQL sorted every job of the agency for each page (97 ms at 20 000 jobs). */
export const newestFirst: SQL[] = [sql`${jobs.createdAt} desc nulls last`, sql`${jobs.id} desc nulls last`];

/** The columns both lists show for a job (each adds its own), the cursor's among them; the property is left-joined. */
export const listedJob = {
  id: jobs.id,
  reference: jobs.reference,
  title: jobs.title,
  status: jobs.status,
  priorityCode: jobs.priorityCode,
  slaDueAt: jobs.slaDueAt,
  slaBreached: jobs.slaBreached,
  slaWarnedPercent: jobs.slaWarnedPercent,
  createdAt: jobs.createdAt,
  updatedAt: jobs.updatedAt,
  address: properties.line1,
  postcode: properties.postcode,
  contractorId: jobs.contractorId,
  offeredToId: jobs.offeredToId,
};
