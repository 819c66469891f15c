// A statement period the API refused (not two real dates, or the first after the second), said in the
// same sentence on the Statements page and by its CSV and PDF downloads.
import { TRPCError } from '@trpc/server';

export const BAD_PERIOD = 'Choose a valid period: two dates, the first not after the second.';

/** For `.catch` on portal.statement: a refused period stays a 400, in words instead of zod's issue list. */
export function periodRefused(e: unknown): never {
  if (e instanceof TRPCError && e.code === 'BAD_REQUEST')
    throw new TRPCError({ code: 'BAD_REQUEST', message: BAD_PERIOD, cause: e });
  throw e;
}
