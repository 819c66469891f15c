import { authRefused, PASSWORDS_DIFFER, signInAndGo } from '#lib/server/auth/actions.ts';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { text } from '#lib/server/forms.ts';
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
    const token = text(data, 'token');
    const name = text(data, 'name');
    const password = text(data, 'password');
    if (password !== text(data, 'confirm')) return authRefused('default', PASSWORDS_DIFFER, {});
    const { db } = await getAuthService();
    let email: string;
    try {
      ({ email } = await acceptInvitation(db, { token, password, name }));
    } catch (e) {
      if (e instanceof InvitationError) return authRefused('default', e.message, {});
      throw e;
    }
    return signInAndGo(event, email, password, '/jobs');
  },
};
