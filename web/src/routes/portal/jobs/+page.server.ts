import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { api } from '#lib/server/api/caller.ts';
import { PORTAL_VIEWS } from '#lib/server/api/routers/portal.ts';
import type { PageServerLoad } from './$types';

// A hand-edited link falls back to the first page of the default view rather than an error page.
const query = z.object({
  view: z.enum(PORTAL_VIEWS).catch('recent'),
  cursor: z.string().max(200).optional().catch(undefined),
  declined: z
    .string()
    .regex(/^[A-Z]{2,10}-\d{1,10}$/)
    .optional()
    .catch(undefined),
});

export const load: PageServerLoad = async (event) => {
  const { view, cursor, declined } = query.parse(Object.fromEntries(event.url.searchParams));
  try {
    return { ...(await (await api(event)).portal.jobs({ view, cursor })), declined: declined ?? null };
  } catch (e) {
    if (e instanceof TRPCError && e.code === 'BAD_REQUEST')
      error(400, 'That page link is out of date; go back to the first page.');
    throw e;
  }
};
