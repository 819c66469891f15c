import { z } from 'zod';
import { authRefused, PASSWORDS_DIFFER, signInAndGo } from '#lib/server/auth/actions.ts';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { text } from '#lib/server/forms.ts';
import { queryId } from '#lib/server/query.ts';
import { completeAgencySignUp, findAgencySignUp, SignUpError } from '#lib/server/onboarding/sign-up.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
  const id = queryId(url, 'id');
  const { db, devMailbox } = await getAuthService();
  const signUp = id ? await findAgencySignUp(db, id, new Date()) : null;
  return { id: id ?? '', signUp, devMailbox };
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const id = z.uuid().safeParse(text(data, 'id'));
    const code = text(data, 'code');
    const password = text(data, 'password');
    if (!id.success) return authRefused('default', 'This sign-up link is not valid. Start again.', {});
    if (password !== text(data, 'confirm')) return authRefused('default', PASSWORDS_DIFFER, {});
    const { db } = await getAuthService();
    let email: string;
    try {
      ({ email } = await completeAgencySignUp(db, { id: id.data, code, password, now: new Date() }));
    } catch (e) {
      if (e instanceof SignUpError) return authRefused('default', e.message, {});
      throw e;
    }
    return signInAndGo(event, email, password, '/settings');
  },
};
