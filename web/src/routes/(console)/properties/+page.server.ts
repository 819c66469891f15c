import { api } from '#lib/server/api/caller.ts';
import { isAdmin } from '#lib/server/forms.ts';
import type { PageServerLoad } from './$types';

const PAGE = 50;

export const load: PageServerLoad = async (event) => {
  const q = event.url.searchParams.get('q')?.trim().slice(0, 60) ?? '';
  const offset = Math.max(0, Math.min(100_000, Number(event.url.searchParams.get('offset')) || 0));
  const caller = await api(event);
  const { branches } = await caller.directory.options();
  // Only a branch of this agency filters; anything else in the address bar is ignored.
  const branchId = branches.find((b) => b.id === event.url.searchParams.get('branch'))?.id ?? '';
  const result = await caller.properties.list({
    q: q || undefined,
    branchId: branchId || undefined,
    offset,
    limit: PAGE,
  });
  return { q, branchId, branches, offset, limit: PAGE, ...result, isAdmin: isAdmin(event.locals.user) };
};
