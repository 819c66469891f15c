import { redirect } from '@sveltejs/kit';
import { api } from '#lib/server/api/caller.ts';
import { agencyBranding } from '#lib/server/files/logo.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import type { LayoutServerLoad } from './$types';

// A convenience for pages; the API enforces access on its own. The unread count feeds the bell in the
// top navigation (the root layout reads it from page.data), so it is fresh after every navigation.
export const load: LayoutServerLoad = async (event) => {
  const { locals, url } = event;
  if (!locals.user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  if (locals.user.kind !== 'staff') redirect(303, '/portal');
  event.depends('app:notifications');
  const { agencyId } = locals.user;
  const caller = await api(event);
  const [{ count }, reports, agencyBrand] = await Promise.all([
    caller.notifications.unreadCount(),
    caller.reports.newCount(),
    // The agency's logo leads the header (the root layout reads it from page.data).
    useRuntime().then(({ db }) => agencyBranding(db, agencyId)),
  ]);
  return { unreadNotifications: count, newReports: reports.count, isAdmin: locals.user.role === 'admin', agencyBrand };
};
