import { error } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '#db/schema/index.ts';
import { api } from '#lib/server/api/caller.ts';
import { formAction, perField, refuse, text } from '#lib/server/forms.ts';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { InvitationError, inviteStaff, listTeam, revokeInvitation } from '#lib/server/auth/invitations.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import type { Actions, PageServerLoad } from './$types';

/** Server-side guard for every load and action here: agency admins only, scoped to their agency. */
function requireAdmin(user: SessionUser | null) {
  if (!user || user.kind !== 'staff' || user.role !== 'admin') error(403, 'Only agency admins can manage the team.');
  return user;
}

export const load: PageServerLoad = async ({ locals }) => {
  const admin = requireAdmin(locals.user);
  const { db } = await getAuthService();
  const [team, phones] = await Promise.all([
    listTeam(db, admin.agencyId),
    db.select({ id: users.id, phone: users.phone }).from(users).where(eq(users.agencyId, admin.agencyId)),
  ]);
  return {
    members: team.members.map((m) => ({ ...m, phone: phones.find((p) => p.id === m.id)?.phone ?? null })),
    invitations: team.invitations.map((i) => ({
      ...i,
      createdAt: i.createdAt.toISOString(),
      expiresAt: i.expiresAt.toISOString(),
    })),
    me: admin.userId,
    isAdmin: true,
  };
};

export const actions: Actions = {
  invite: async ({ locals, request, url }) => {
    const admin = requireAdmin(locals.user);
    const data = await request.formData();
    const values = { email: text(data, 'email'), name: text(data, 'name'), role: text(data, 'role') || 'staff' };
    const { db, mailer, devMailbox, origin } = await getAuthService();
    try {
      await inviteStaff(db, mailer, {
        agencyId: admin.agencyId,
        invitedBy: { userId: admin.userId, name: admin.name },
        email: values.email,
        name: values.name,
        role: values.role === 'admin' ? 'admin' : 'staff',
        // The configured origin, else this request's (its Host was checked in hooks.server.ts).
        origin: origin ?? url.origin,
      });
    } catch (e) {
      if (e instanceof InvitationError) return refuse('invite', e.message, { values });
      throw e;
    }
    return { action: 'invite', invited: values.email.trim().toLowerCase(), devMailbox };
  },
  /** Job title and direct line: what contractors see on their Contacts page. */
  member: formAction(
    'member',
    async (f, event) => {
      requireAdmin(event.locals.user);
      const member = { userId: text(f, 'userId'), jobTitle: text(f, 'jobTitle'), phone: text(f, 'phone') };
      return (await api(event)).settings.saveMember(member);
    },
    perField((f) => text(f, 'userId')),
  ),
  revoke: async ({ locals, request }) => {
    const admin = requireAdmin(locals.user);
    const id = z.uuid().safeParse(text(await request.formData(), 'id'));
    const { db } = await getAuthService();
    if (!id.success || !(await revokeInvitation(db, admin.agencyId, id.data)))
      return refuse('revoke', 'Invitation not found.', { code: 'NOT_FOUND' });
    return { action: 'revoke', revoked: true };
  },
};
