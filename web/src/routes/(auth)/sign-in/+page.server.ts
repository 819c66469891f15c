import { redirect } from '@sveltejs/kit';
import { authAction, authFailed, authRefused, landingFor, safeNext } from '#lib/server/auth/actions.ts';
import { forgetCodeTries } from '#lib/server/auth/code-tries.ts';
import { text, trimmed } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  const next = safeNext(url.searchParams.get('next'));
  if (locals.user) redirect(303, locals.user.kind === 'staff' ? (next ?? '/jobs') : '/portal');
  return {
    next,
    email: url.searchParams.get('email') ?? '',
    notice:
      (
        {
          verified: 'Your email is verified. Sign in to continue.',
          reset: 'Your password has been changed. Sign in with the new one.',
          'signed-out': 'You have been signed out.',
        } as Record<string, string>
      )[url.searchParams.get('notice') ?? ''] ?? null,
  };
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const email = trimmed(data, 'email');
    const password = text(data, 'password');
    const next = safeNext(text(data, 'next'));
    if (!email || !password) return authRefused('default', 'Enter your email and password.', { email });

    const result = await authAction<{ user: { id: string; email: string; role?: string } }>(event, '/sign-in/email', {
      email,
      password,
      rememberMe: true,
    });
    if (result.code === 'EMAIL_NOT_VERIFIED') {
      // better-auth has just emailed a fresh code (sendOnSignIn): its tries start again.
      forgetCodeTries(event);
      redirect(303, `/verify?email=${encodeURIComponent(email)}&notice=unverified`);
    }
    if (!result.ok || !result.data)
      return authFailed('default', result, 'That email and password do not match an account.', { email });
    redirect(303, await landingFor(result.data.user, next));
  },
};
