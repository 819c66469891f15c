// Records are looked up within the caller's agency; a miss (including another agency's id) is NOT_FOUND,
// never "forbidden", so ids of other agencies do not leak.
import { TRPCError } from '@trpc/server';

/** The first row of a lookup, or NOT_FOUND naming what was missing ("Branch" → "Branch not found"). */
export function found<T>(rows: T[], what: string): T {
  const [row] = rows;
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `${what} not found` });
  return row;
}
