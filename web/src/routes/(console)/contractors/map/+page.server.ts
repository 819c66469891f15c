import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { api } from '#lib/server/api/caller.ts';
import { queryId } from '#lib/server/query.ts';
import { outcodeOf } from '#lib/postcode.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import type { PageServerLoad } from './$types';

const minutes = z.coerce.number().int().min(5).max(60).catch(20);

export const load: PageServerLoad = async (event) => {
  const p = event.url.searchParams;
  const postcode = p.get('postcode')?.trim().slice(0, 10) ?? '';
  const jobTypeId = queryId(event.url, 'jobTypeId');
  const travelMinutes = minutes.parse(p.get('minutes') ?? 20);
  const caller = await api(event);
  const runtime = await useRuntime();
  let error: string | null = null;
  const map = await caller.coverage
    .map({ postcode: postcode || undefined, travelMinutes })
    .catch(async (e: unknown) => {
      if (!(e instanceof TRPCError) || e.code !== 'BAD_REQUEST') throw e;
      error = e.message;
      return caller.coverage.map({ travelMinutes });
    });
  // The same ranking the assignment field uses, so the map and the job page agree on who fits.
  const outcode = postcode ? (outcodeOf(postcode) ?? undefined) : undefined;
  const [ranked, options] = await Promise.all([
    caller.contractors.candidates({ outcode, jobTypeId }),
    caller.directory.options(),
  ]);
  return {
    map,
    ranked,
    jobTypes: options.jobTypes.map((t) => ({ id: t.id, name: t.name })),
    query: { postcode, jobTypeId: jobTypeId ?? '', minutes: travelMinutes, contractor: p.get('contractor') ?? '' },
    error,
    tiles: { url: runtime.env.MAP_TILE_URL ?? null, attribution: runtime.env.MAP_TILE_ATTRIBUTION ?? null },
  };
};
