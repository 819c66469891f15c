import { fail, redirect } from '@sveltejs/kit';
import { authAction, authMessage } from '#lib/server/auth/actions.ts';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { contractorNameFor } from '#lib/server/auth/memberships.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user) redirect(303, locals.user.kind === 'staff' ? '/jobs' : '/portal');
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const email = String(data.get('email') ?? '')
      .trim()
      .toLowerCase();
    const password = String(data.get('password') ?? '');
    const confirm = String(data.get('confirm') ?? '');
    if (!email || !password) return fail(400, { email, error: 'Enter your email and choose a password.' });
    if (password !== confirm) return fail(400, { email, error: 'The two passwords do not match.' });

    // The name comes from the agency's record; the contractor only types email and password.
    const { db } = await getAuthService();
    const name = (await contractorNameFor(db, email)) ?? email;
    const result = await authAction(event, '/sign-up/email', { email, password, name });
    if (!result.ok)
      return fail(result.status === 429 ? 429 : 400, {
        email,
        error: authMessage(result, 'We could not create the account. Try again.'),
      });
    redirect(303, `/verify?email=${encodeURIComponent(email)}&notice=sent`);
  },
};
