import { fail, redirect } from '@sveltejs/kit';
import { authAction, authMessage } from '#lib/server/auth/actions.ts';
import { getAuthService } from '#lib/server/auth/instance.ts';
import type { Actions, PageServerLoad } from './$types';

const NOTICES: Record<string, string> = {
  // Sign-up answers every address alike, so this is where a contractor learns what to check.
  sent:
    'We have emailed you. If an agency holds this address for you and its contractor portal is on, the email has a 6-digit code: enter it below. ' +
    'Otherwise it says what to do. No email? Check you used the exact address your agency has on file.',
  unverified: 'Your email is not verified yet. We have emailed you a new code.',
};

export const load: PageServerLoad = async ({ url }) => {
  const { devMailbox } = await getAuthService();
  return {
    email: url.searchParams.get('email') ?? '',
    notice: NOTICES[url.searchParams.get('notice') ?? ''] ?? null,
    devMailbox,
  };
};

export const actions: Actions = {
  verify: async (event) => {
    const data = await event.request.formData();
    const email = String(data.get('email') ?? '')
      .trim()
      .toLowerCase();
    const otp = String(data.get('code') ?? '').replace(/\s+/g, '');
    if (!email || !otp)
      return fail(400, { action: 'verify', email, error: 'Enter your email and the code from the email.' });
    const result = await authAction(event, '/email-otp/verify-email', { email, otp });
    if (!result.ok)
      return fail(result.status === 429 ? 429 : 400, {
        action: 'verify',
        email,
        error: authMessage(result, 'That code is not right. Check the latest email and try again.'),
      });
    redirect(303, `/sign-in?notice=verified&email=${encodeURIComponent(email)}`);
  },
  resend: async (event) => {
    const data = await event.request.formData();
    const email = String(data.get('email') ?? '')
      .trim()
      .toLowerCase();
    if (!email) return fail(400, { action: 'resend', email, error: 'Enter your email first.' });
    const result = await authAction(event, '/email-otp/send-verification-otp', { email, type: 'email-verification' });
    if (!result.ok)
      return fail(result.status === 429 ? 429 : 400, {
        action: 'resend',
        email,
        error: authMessage(result, 'We could not send a code. Try again shortly.'),
      });
    // Same answer whether or not an account is waiting: no account discovery here.
    return { action: 'resend', email, sent: true };
  },
};
