import { api } from '#lib/server/api/caller.ts';
import { isAdmin } from '#lib/server/forms.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const q = params.get('q')?.trim().slice(0, 60) ?? '';
  const trade = params.get('trade')?.trim().slice(0, 40) ?? '';
  const includeInactive = params.get('inactive') === 'on';
  const caller = await api(event);
  const [{ items }, options] = await Promise.all([
    caller.contractors.list({ q: q || undefined, trade: trade || undefined, includeInactive }),
    caller.directory.options(),
  ]);
  const trades = [...new Set([...options.jobTypes.map((t) => t.trade), ...items.flatMap((c) => c.trades)])].sort();
  return { q, trade, includeInactive, items, trades, isAdmin: isAdmin(event.locals.user) };
};
