import { fail, redirect } from '@sveltejs/kit';
import { authAction, authMessage } from '#lib/server/auth/actions.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const token = String(data.get('token') ?? '');
    const password = String(data.get('password') ?? '');
    const confirm = String(data.get('confirm') ?? '');
    if (!token) return fail(400, { error: 'This reset link is incomplete. Ask for a new one.' });
    if (password !== confirm) return fail(400, { error: 'The two passwords do not match.' });
    const result = await authAction(event, '/reset-password', { token, newPassword: password });
    if (!result.ok)
      return fail(result.status === 429 ? 429 : 400, {
        error: authMessage(result, 'We could not change the password. Ask for a new link.'),
      });
    // revokeSessionsOnPasswordReset: every session of this user is gone; sign in again.
    redirect(303, '/sign-in?notice=reset');
  },
};
