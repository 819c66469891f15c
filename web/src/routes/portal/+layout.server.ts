// Portal pages: contractors only. Until they pick an agency, the Accounts page is the only stop.
import { redirect } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { agencies } from '#db/schema/index.ts';
import { z } from 'zod';
import { logoUrl } from '#lib/server/files/logo.ts';
import { contractorMemberships, portalOffMessage, setActiveAgency } from '#lib/server/auth/memberships.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, url }) => {
  const user = locals.user;
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  if (user.kind !== 'contractor') redirect(303, '/jobs');
  const onAccounts = url.pathname.startsWith('/portal/accounts');
  const { db } = await useRuntime();
  // A link from an email names the job's agency (`?agency=`): it becomes this session's agency, so the link
  // opens the job whichever agency the contractor picked last. An agency that is not theirs changes nothing.
  const wanted = url.searchParams.get('agency');
  if (wanted !== null) {
    if (z.uuid().safeParse(wanted).success && wanted !== user.agencyId && locals.sessionId) {
      await setActiveAgency(db, {
        sessionId: locals.sessionId,
        user: { id: user.userId, email: user.email },
        agencyId: wanted,
      }).catch(() => null);
    }
    const rest = new URLSearchParams([...url.searchParams].filter(([key]) => key !== 'agency')).toString();
    redirect(303, `${url.pathname}${rest ? `?${rest}` : ''}`);
  }
  // No agency picked yet: the Accounts page first, then on to where the person was going.
  if (!user.agencyId && !onAccounts)
    redirect(303, `/portal/accounts?next=${encodeURIComponent(url.pathname + url.search)}`);
  const [memberships, agency] = await Promise.all([
    contractorMemberships(db, { id: user.userId, email: user.email }),
    user.agencyId
      ? db
          .select({ name: agencies.name, logoKey: agencies.logoStorageKey, logoUpdatedAt: agencies.logoUpdatedAt })
          .from(agencies)
          .where(eq(agencies.id, user.agencyId))
          .then((r) => r[0] ?? null)
      : null,
  ]);
  const usable = memberships.filter((m) => m.portalEnabled);
  // An agency switching its portal off changes what the contractor sees: every portal page says why.
  return {
    agencyName: agency?.name ?? null,
    /** The agency's logo in the agency bar (null: none). */
    agencyLogoUrl: agency?.logoKey && user.agencyId ? logoUrl(user.agencyId, agency.logoUpdatedAt) : null,
    canSwitch: usable.length > 1,
    /** The contractor's other agencies that admit them: the agency bar switches to each in one click. */
    switchTo: usable
      .filter((m) => m.agencyId !== user.agencyId)
      .map((m) => ({ agencyId: m.agencyId, agencyName: m.agencyName })),
    portalOff: portalOffMessage(user.portalOff ?? []),
  };
};
