import { fail } from '@sveltejs/kit';
import { authAction, authMessage } from '#lib/server/auth/actions.ts';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { mayReadDevMailbox } from '#lib/server/security/dev-mailbox.ts';
import type { Actions, PageServerLoad } from './$types';

// The mailbox link only where the mailbox would answer this visitor (dev-mailbox.ts), never to a 404.
export const load: PageServerLoad = async ({ getClientAddress, request, locals }) => ({
  devMailbox:
    (await getAuthService()).devMailbox &&
    mayReadDevMailbox({ clientAddress: getClientAddress(), headers: request.headers, user: locals.user }),
});

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const email = String(data.get('email') ?? '')
      .trim()
      .toLowerCase();
    if (!email) return fail(400, { email, error: 'Enter your email.' });
    const result = await authAction(event, '/request-password-reset', { email });
    if (!result.ok && result.status === 429)
      return fail(429, { email, error: authMessage(result, 'Too many requests. Wait a minute and try again.') });
    // The same answer for known and unknown addresses.
    return { email, sent: true };
  },
};
