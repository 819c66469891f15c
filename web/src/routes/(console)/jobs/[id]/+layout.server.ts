import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { api } from '#lib/server/api/caller.ts';
import type { LayoutServerLoad } from './$types';

// The job's header (address, status, priority, SLA, attachments) is shared by the Overview and Financial tabs.
export const load: LayoutServerLoad = async (event) => {
  try {
    return { detail: await (await api(event)).jobs.get({ id: event.params.id }) };
  } catch (e) {
    if (e instanceof TRPCError && e.code === 'NOT_FOUND') error(404, 'Job not found');
    throw e;
  }
};
