import { redirect } from '@sveltejs/kit';
import { authAction, authFailed, authRefused, PASSWORDS_DIFFER } from '#lib/server/auth/actions.ts';
import { text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const token = text(data, 'token');
    const password = text(data, 'password');
    if (!token) return authRefused('default', 'This reset link is incomplete. Ask for a new one.', {});
    if (password !== text(data, 'confirm')) return authRefused('default', PASSWORDS_DIFFER, {});
    const result = await authAction(event, '/reset-password', { token, newPassword: password });
    if (!result.ok) return authFailed('default', result, 'We could not change the password. Ask for a new link.', {});
    // revokeSessionsOnPasswordReset: every session of this user is gone; sign in again.
    redirect(303, '/sign-in?notice=reset');
  },
};
