import { authAction, authFailed, authRefused, emailOf } from '#lib/server/auth/actions.ts';
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
    const email = emailOf(await event.request.formData());
    if (!email) return authRefused('default', 'Enter your email.', { email });
    const result = await authAction(event, '/request-password-reset', { email });
    if (!result.ok && result.status === 429)
      return authFailed('default', result, 'Too many requests. Wait a minute and try again.', { email });
    // The same answer for known and unknown addresses.
    return { email, sent: true };
  },
};
