import { redirect } from '@sveltejs/kit';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { refuse, text } from '#lib/server/forms.ts';
import { contractorMemberships, setActiveAgency } from '#lib/server/auth/memberships.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const user = locals.user;
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  if (user.kind !== 'contractor') redirect(303, '/jobs');
  const { db } = await getAuthService();
  const memberships = await contractorMemberships(db, { id: user.userId, email: user.email });
  return { memberships, activeAgencyId: user.agencyId };
};

export const actions: Actions = {
  /** One click: the chosen agency is stored on this session and scopes everything after it. */
  choose: async ({ locals, request }) => {
    const user = locals.user;
    if (!user || user.kind !== 'contractor' || !locals.sessionId) redirect(303, '/sign-in');
    const agencyId = text(await request.formData(), 'agencyId');
    const { db } = await getAuthService();
    try {
      await setActiveAgency(db, {
        sessionId: locals.sessionId,
        user: { id: user.userId, email: user.email },
        agencyId,
      });
    } catch (e) {
      return refuse('choose', (e as Error).message, { code: 'FORBIDDEN' });
    }
    redirect(303, '/portal');
  },
};
