import { fail, redirect } from '@sveltejs/kit';
import { describeIssues } from '#lib/server/api/issues.ts';
import { getAuthService } from '#lib/server/auth/instance.ts';
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
      agencyName: String(data.get('agencyName') ?? ''),
      adminName: String(data.get('adminName') ?? ''),
      adminEmail: String(data.get('adminEmail') ?? ''),
    };
    const parsed = newAgencySchema.safeParse(entered);
    if (!parsed.success) return fail(400, { ...entered, error: describeIssues(parsed.error.issues) });
    const { db, mailer, origin } = await getAuthService();
    let id: string;
    try {
      ({ id } = await startAgencySignUp(db, mailer, { ...parsed.data, origin: origin ?? url.origin, now: new Date() }));
    } catch (e) {
      if (e instanceof SignUpError) return fail(429, { ...entered, error: e.message });
      throw e;
    }
    redirect(303, `/agency-sign-up/verify?id=${id}`);
  },
};
