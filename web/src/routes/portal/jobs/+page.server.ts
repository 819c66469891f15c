import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { api } from '#lib/server/api/caller.ts';
import { PORTAL_VIEWS } from '#lib/server/api/routers/portal.ts';
import type { PageServerLoad } from './$types';

const query = z.object({ view: z.enum(PORTAL_VIEWS).catch('recent'), cursor: z.string().max(200).optional() });

export const load: PageServerLoad = async (event) => {
  const { view, cursor } = query.parse(Object.fromEntries(event.url.searchParams));
  try {
    return await (await api(event)).portal.jobs({ view, cursor });
  } catch (e) {
    if (e instanceof TRPCError && e.code === 'BAD_REQUEST') error(400, 'That page link is out of date; go back to the first page.');
    throw e;
  }
};
