// Staff invitations: an agency admin invites by email; the link (a random token, stored only as its
// SHA-256) lets the invitee choose a password once, within INVITE_DAYS. Accepting creates the users row
// (role and agency from the invitation, email verified: the link proves the address) and a credential
// hashed by better-auth's own hasher.
import { createHash, randomBytes } from 'node:crypto';
import { hashPassword } from 'better-auth/crypto';
import { and, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { one } from '#db/rows.ts';
import { agencies, authAccounts, staffInvitations, users } from '#db/schema/index.ts';
import { sendEmail, type Mailer } from '#activities/mailer.ts';
import { addDays } from '#workflows/time.ts';
import { isEmailAddress } from '../email-address.ts';
import { invitationEmail } from './messages.ts';

export const INVITE_DAYS = 7;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

export class InvitationError extends Error {}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const normalise = (email: string) => email.trim().toLowerCase();

export interface InviteInput {
  agencyId: string;
  /** Null when an operator opened the agency (scripts/agency-create.ts): its first admin has nobody to invite them. */
  invitedBy: { userId: string; name: string } | null;
  email: string;
  name: string;
  role: 'admin' | 'staff';
  /** The app origin for the link. */
  origin: string;
  now?: Date;
}

export async function inviteStaff(
  db: Database,
  mailer: Mailer | null,
  input: InviteInput,
): Promise<{ id: string; token: string }> {
  const email = normalise(input.email);
  const name = input.name.trim();
  if (!isEmailAddress(email)) throw new InvitationError('Enter a valid email address of at most 254 characters.');
  if (!name) throw new InvitationError('Enter the person’s name.');
  if (input.role !== 'admin' && input.role !== 'staff') throw new InvitationError('Choose a role.');
  const [existing] = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = ${email}`);
  if (existing) throw new InvitationError('Someone already has an account with this email.');
  const [agency] = await db.select({ name: agencies.name }).from(agencies).where(eq(agencies.id, input.agencyId));
  if (!agency) throw new InvitationError('Agency not found.');

  const now = input.now ?? new Date();
  const token = randomBytes(32).toString('base64url');
  const row = await db.transaction(async (tx) => {
    // A new invitation replaces any earlier pending one for the same person at this agency.
    await tx
      .update(staffInvitations)
      .set({ revokedAt: now })
      .where(
        and(
          eq(staffInvitations.agencyId, input.agencyId),
          eq(staffInvitations.email, email),
          isNull(staffInvitations.acceptedAt),
          isNull(staffInvitations.revokedAt),
        ),
      );
    const created = one(
      await tx
        .insert(staffInvitations)
        .values({
          agencyId: input.agencyId,
          email,
          name,
          role: input.role,
          tokenHash: hashToken(token),
          invitedBy: input.invitedBy?.userId ?? null,
          createdAt: now,
          expiresAt: addDays(now, INVITE_DAYS),
        })
        .returning({ id: staffInvitations.id }),
    );
    return created;
  });
  const url = `${input.origin}/accept-invite?token=${token}`;
  await sendEmail(db, mailer, {
    key: `invite:${row.id}`,
    to: email,
    // Sent in the agency's name: From shows its sender name, as its jobs' emails do (mail-delivery.ts).
    agencyId: input.agencyId,
    ...invitationEmail({
      url,
      agencyName: agency.name,
      inviterName: input.invitedBy?.name ?? null,
      role: input.role,
      days: INVITE_DAYS,
    }),
  });
  return { id: row.id, token };
}

export interface PendingInvitation {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'staff';
  agencyName: string;
  expiresAt: Date;
}

/** The invitation behind a link, if it can still be accepted. */
export async function findInvitation(db: Database, token: string, now = new Date()): Promise<PendingInvitation | null> {
  if (!token) return null;
  const [row] = await db
    .select({
      id: staffInvitations.id,
      email: staffInvitations.email,
      name: staffInvitations.name,
      role: staffInvitations.role,
      agencyName: agencies.name,
      expiresAt: staffInvitations.expiresAt,
    })
    .from(staffInvitations)
    .innerJoin(agencies, eq(agencies.id, staffInvitations.agencyId))
    .where(
      and(
        eq(staffInvitations.tokenHash, hashToken(token)),
        isNull(staffInvitations.acceptedAt),
        isNull(staffInvitations.revokedAt),
        gt(staffInvitations.expiresAt, now),
      ),
    );
  return row ?? null;
}

/** Creates the staff login. Single use: the invitation row is locked and stamped in the same transaction. */
export async function acceptInvitation(
  db: Database,
  input: { token: string; password: string; name?: string; now?: Date },
): Promise<{ userId: string; email: string }> {
  const now = input.now ?? new Date();
  if (input.password.length < PASSWORD_MIN)
    throw new InvitationError(`Choose a password of at least ${PASSWORD_MIN} characters.`);
  if (input.password.length > PASSWORD_MAX)
    throw new InvitationError(`Passwords can be at most ${PASSWORD_MAX} characters.`);
  const hash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [invite] = await tx
      .select()
      .from(staffInvitations)
      .where(eq(staffInvitations.tokenHash, hashToken(input.token)))
      .for('update');
    if (!invite || invite.acceptedAt || invite.revokedAt || invite.expiresAt <= now) {
      throw new InvitationError('This invitation link is no longer valid. Ask your agency admin to send a new one.');
    }
    const [existing] = await tx
      .select({ id: users.id })
      .from(users)
      .where(sql`lower(${users.email}) = ${invite.email}`);
    if (existing) throw new InvitationError('An account with this email already exists. Sign in instead.');
    const user = one(
      await tx
        .insert(users)
        .values({
          agencyId: invite.agencyId,
          name: input.name?.trim() || invite.name,
          email: invite.email,
          role: invite.role,
          emailVerified: true,
        })
        .returning({ id: users.id, email: users.email }),
    );
    await tx
      .insert(authAccounts)
      .values({ userId: user.id, accountId: user.id, providerId: 'credential', password: hash });
    await tx.update(staffInvitations).set({ acceptedAt: now }).where(eq(staffInvitations.id, invite.id));
    return { userId: user.id, email: user.email };
  });
}

export async function listTeam(db: Database, agencyId: string, now = new Date()) {
  const members = await db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role, jobTitle: users.jobTitle })
    .from(users)
    .where(and(eq(users.agencyId, agencyId), inArray(users.role, ['admin', 'staff'])))
    .orderBy(users.name);
  const invitations = await db
    .select({
      id: staffInvitations.id,
      email: staffInvitations.email,
      name: staffInvitations.name,
      role: staffInvitations.role,
      createdAt: staffInvitations.createdAt,
      expiresAt: staffInvitations.expiresAt,
    })
    .from(staffInvitations)
    .where(
      and(
        eq(staffInvitations.agencyId, agencyId),
        isNull(staffInvitations.acceptedAt),
        isNull(staffInvitations.revokedAt),
        gt(staffInvitations.expiresAt, now),
      ),
    )
    .orderBy(desc(staffInvitations.createdAt));
  return { members, invitations };
}

export async function revokeInvitation(
  db: Database,
  agencyId: string,
  invitationId: string,
  now = new Date(),
): Promise<boolean> {
  const rows = await db
    .update(staffInvitations)
    .set({ revokedAt: now })
    .where(
      and(
        eq(staffInvitations.id, invitationId),
        eq(staffInvitations.agencyId, agencyId),
        isNull(staffInvitations.acceptedAt),
        isNull(staffInvitations.revokedAt),
      ),
    )
    .returning({ id: staffInvitations.id });
  return rows.length > 0;
}
