import { redirect } from '@sveltejs/kit';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { safeNext } from '#lib/server/auth/actions.ts';
import { refuse, text } from '#lib/server/forms.ts';
import { contractorMemberships, setActiveAgency } from '#lib/server/auth/memberships.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const user = locals.user;
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  if (user.kind !== 'contractor') redirect(303, '/jobs');
  const { db } = await getAuthService();
  const memberships = await contractorMemberships(db, { id: user.userId, email: user.email });
  const next = safeNext(url.searchParams.get('next'));
  return { memberships, activeAgencyId: user.agencyId, next: next?.startsWith('/portal/') ? next : null };
};

export const actions: Actions = {
  /** One click: the chosen agency is stored on this session and scopes everything after it. */
  choose: async ({ locals, request }) => {
    const user = locals.user;
    if (!user || user.kind !== 'contractor' || !locals.sessionId) redirect(303, '/sign-in');
    const data = await request.formData();
    const agencyId = text(data, 'agencyId');
    const next = safeNext(text(data, 'next'));
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
    // Where the person was going (a job's link), else the portal's front page.
    redirect(303, next?.startsWith('/portal/') && !next.startsWith('/portal/accounts') ? next : '/portal');
  },
};
