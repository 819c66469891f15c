import { redirect } from '@sveltejs/kit';
import { authAction } from '#lib/server/auth/actions.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (!locals.user) redirect(303, '/sign-in');
  return { name: locals.user.name };
};

// Named actions only: SvelteKit refuses a `default` action beside named ones (every POST was a 500).
export const actions: Actions = {
  /** This device only. */
  here: async (event) => {
    if (event.locals.user) await authAction(event, '/sign-out');
    redirect(303, '/sign-in?notice=signed-out');
  },
  /** Every device: all of this user's sessions are deleted, then this browser's cookie. */
  everywhere: async (event) => {
    if (event.locals.user) {
      await authAction(event, '/revoke-sessions');
      await authAction(event, '/sign-out');
    }
    redirect(303, '/sign-in?notice=signed-out');
  },
};
