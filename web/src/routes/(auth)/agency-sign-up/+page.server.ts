import { redirect } from '@sveltejs/kit';
import { describeIssues } from '#lib/server/api/issues.ts';
import { authRefused } from '#lib/server/auth/actions.ts';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { text } from '#lib/server/forms.ts';
import { newAgencySchema } from '#lib/server/onboarding/agency.ts';
import { SignUpError, startAgencySignUp } from '#lib/server/onboarding/sign-up.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user) redirect(303, locals.user.kind === 'staff' ? '/jobs' : '/portal');
};

export const actions: Actions = {
  default: async ({ request, url }) => {
    const data = await request.formData();
    const entered = {
      agencyName: text(data, 'agencyName'),
      adminName: text(data, 'adminName'),
      adminEmail: text(data, 'adminEmail'),
    };
    const parsed = newAgencySchema.safeParse(entered);
    if (!parsed.success) return authRefused('default', describeIssues(parsed.error.issues), entered);
    const { db, mailer, origin } = await getAuthService();
    let id: string;
    try {
      ({ id } = await startAgencySignUp(db, mailer, { ...parsed.data, origin: origin ?? url.origin, now: new Date() }));
    } catch (e) {
      if (e instanceof SignUpError) return authRefused('default', e.message, entered, 'TOO_MANY_REQUESTS');
      throw e;
    }
    redirect(303, `/agency-sign-up/verify?id=${id}`);
  },
};
