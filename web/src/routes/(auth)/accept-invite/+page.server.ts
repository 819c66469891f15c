import { fail, redirect } from '@sveltejs/kit';
import { authAction } from '#lib/server/auth/actions.ts';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { acceptInvitation, findInvitation, InvitationError } from '#lib/server/auth/invitations.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
  const token = url.searchParams.get('token') ?? '';
  const { db } = await getAuthService();
  const invitation = await findInvitation(db, token);
  return {
    token,
    invitation: invitation && {
      email: invitation.email,
      name: invitation.name,
      role: invitation.role,
      agencyName: invitation.agencyName,
    },
  };
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const token = String(data.get('token') ?? '');
    const name = String(data.get('name') ?? '');
    const password = String(data.get('password') ?? '');
    if (password !== String(data.get('confirm') ?? '')) return fail(400, { error: 'The two passwords do not match.' });
    const { db } = await getAuthService();
    let email: string;
    try {
      ({ email } = await acceptInvitation(db, { token, password, name }));
    } catch (e) {
      if (e instanceof InvitationError) return fail(400, { error: e.message });
      throw e;
    }
    const result = await authAction(event, '/sign-in/email', { email, password, rememberMe: true });
    if (!result.ok) redirect(303, `/sign-in?email=${encodeURIComponent(email)}`);
    redirect(303, '/jobs');
  },
};
