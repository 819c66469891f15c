import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

// A convenience for pages; the API enforces access on its own.
export const load: LayoutServerLoad = ({ locals, url }) => {
  if (!locals.user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  if (locals.user.kind !== 'staff') redirect(303, '/portal');
};
