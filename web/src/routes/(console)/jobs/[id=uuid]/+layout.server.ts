import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { api } from '#lib/server/api/caller.ts';
import type { LayoutServerLoad } from './$types';

// The job's header (address, status, priority, SLA, attachments) is shared by the Overview and Financial tabs.
export const load: LayoutServerLoad = async (event) => {
  // An id that is not one names no job: 404 here, before the API refuses it as bad input (a 500). Layout
  // errors win over the tabs' own loads, so /jobs/x/finance is a 404 too.
  if (!z.uuid().safeParse(event.params.id).success) error(404, 'Job not found');
  try {
    return { detail: await (await api(event)).jobs.get({ id: event.params.id }) };
  } catch (e) {
    if (e instanceof TRPCError && e.code === 'NOT_FOUND') error(404, 'Job not found');
    throw e;
  }
};
