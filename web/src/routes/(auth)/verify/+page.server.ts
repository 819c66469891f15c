import { fail, redirect } from '@sveltejs/kit';
import { authAction, authFailed, authRefused, emailOf } from '#lib/server/auth/actions.ts';
import { codeRefused, forgetCodeTries } from '#lib/server/auth/code-tries.ts';
import { text } from '#lib/server/forms.ts';
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
    const email = emailOf(data);
    const otp = text(data, 'code').replace(/\s+/g, '');
    if (!email || !otp) return authRefused('verify', 'Enter your email and the code from the email.', { email });
    const result = await authAction(event, '/email-otp/verify-email', { email, otp });
    if (!result.ok) {
      const refused = codeRefused(event, email, result);
      if (!refused)
        return authFailed('verify', result, 'That code is not right. Check the latest email and try again.', { email });
      const failure = authRefused('verify', refused.message, { email });
      // A spent code: the page offers a new one, first.
      return refused.spent ? fail(failure.status, { ...failure.data, spent: true }) : failure;
    }
    forgetCodeTries(event);
    redirect(303, `/sign-in?notice=verified&email=${encodeURIComponent(email)}`);
  },
  resend: async (event) => {
    const email = emailOf(await event.request.formData());
    if (!email) return authRefused('resend', 'Enter your email first.', { email });
    const result = await authAction(event, '/email-otp/send-verification-otp', { email, type: 'email-verification' });
    if (!result.ok) return authFailed('resend', result, 'We could not send a code. Try again shortly.', { email });
    forgetCodeTries(event);
    // Same answer whether or not an account is waiting: no account discovery here.
    return { action: 'resend', email, sent: true };
  },
};
