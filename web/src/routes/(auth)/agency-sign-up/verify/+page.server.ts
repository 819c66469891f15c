import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { authAction } from '#lib/server/auth/actions.ts';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { completeAgencySignUp, findAgencySignUp, SignUpError } from '#lib/server/onboarding/sign-up.ts';
import type { Actions, PageServerLoad } from './$types';

const signUpId = z.uuid();

export const load: PageServerLoad = async ({ url }) => {
  const id = signUpId.safeParse(url.searchParams.get('id'));
  const { db, devMailbox } = await getAuthService();
  const signUp = id.success ? await findAgencySignUp(db, id.data, new Date()) : null;
  return { id: id.success ? id.data : '', signUp, devMailbox };
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const id = signUpId.safeParse(data.get('id'));
    const code = String(data.get('code') ?? '');
    const password = String(data.get('password') ?? '');
    if (!id.success) return fail(400, { error: 'This sign-up link is not valid. Start again.' });
    if (password !== String(data.get('confirm') ?? '')) return fail(400, { error: 'The two passwords do not match.' });
    const { db } = await getAuthService();
    let email: string;
    try {
      ({ email } = await completeAgencySignUp(db, { id: id.data, code, password, now: new Date() }));
    } catch (e) {
      if (e instanceof SignUpError) return fail(400, { error: e.message });
      throw e;
    }
    const result = await authAction(event, '/sign-in/email', { email, password, rememberMe: true });
    if (!result.ok) redirect(303, `/sign-in?email=${encodeURIComponent(email)}`);
    redirect(303, '/settings');
  },
};
