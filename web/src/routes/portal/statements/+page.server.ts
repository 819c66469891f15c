import { TRPCError } from '@trpc/server';
import { api } from '#lib/server/api/caller.ts';
import { periodOf } from '#lib/server/finance/period.ts';
import { BAD_PERIOD } from '#lib/server/statement-period.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const period = periodOf(event.url);
  try {
    return { period, result: await (await api(event)).portal.statement(period), error: null };
  } catch (e) {
    // A bad period is the form's problem, not an error page.
    if (e instanceof TRPCError && e.code === 'BAD_REQUEST') return { period, result: null, error: BAD_PERIOD };
    throw e;
  }
};
