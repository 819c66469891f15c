import { api } from '#lib/server/api/caller.ts';
import { isAdmin } from '#lib/server/forms.ts';
import type { PageServerLoad } from './$types';

const PAGE = 50;

export const load: PageServerLoad = async (event) => {
  const q = event.url.searchParams.get('q')?.trim().slice(0, 60) ?? '';
  const offset = Math.max(0, Math.min(100_000, Number(event.url.searchParams.get('offset')) || 0));
  const result = await (await api(event)).tenants.list({ q: q || undefined, offset, limit: PAGE });
  return { q, offset, limit: PAGE, ...result, isAdmin: isAdmin(event.locals.user) };
};
