import { redirect } from '@sveltejs/kit';
import { authAction, authFailed, authRefused, emailOf, PASSWORDS_DIFFER } from '#lib/server/auth/actions.ts';
import { forgetCodeTries } from '#lib/server/auth/code-tries.ts';
import { text } from '#lib/server/forms.ts';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { contractorNameFor } from '#lib/server/auth/memberships.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user) redirect(303, locals.user.kind === 'staff' ? '/jobs' : '/portal');
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const email = emailOf(data);
    const password = text(data, 'password');
    if (!email || !password) return authRefused('default', 'Enter your email and choose a password.', { email });
    if (password !== text(data, 'confirm')) return authRefused('default', PASSWORDS_DIFFER, { email });

    // The name comes from the agency's record; the contractor only types email and password.
    const { db } = await getAuthService();
    const name = (await contractorNameFor(db, email)) ?? email;
    const result = await authAction(event, '/sign-up/email', { email, password, name });
    if (!result.ok) return authFailed('default', result, 'We could not create the account. Try again.', { email });
    // A code is on its way (or an email saying why not): any tries at an earlier one are behind us.
    forgetCodeTries(event);
    redirect(303, `/verify?email=${encodeURIComponent(email)}&notice=sent`);
  },
};
