// Tenancy for contractors: which agencies hold a contractor record for a login, and which of them let
// the contractor into the portal. One place decides; the session resolver and the Accounts page use it.
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { agencies, authSessions, contractors } from '#db/schema/index.ts';

export interface ContractorMembership {
  agencyId: string;
  agencyName: string;
  contractorId: string;
  /** False when the agency has turned its contractor portal off: listed, not selectable. */
  portalEnabled: boolean;
}

const sameEmail = (email: string) => sql`lower(${contractors.email}) = lower(${email})`;

/** Every active contractor record for this login: linked by user id, or held under the login's (verified) email. */
export async function contractorMemberships(
  db: Database,
  user: { id: string; email: string },
): Promise<ContractorMembership[]> {
  return db
    .select({
      agencyId: agencies.id,
      agencyName: agencies.name,
      contractorId: contractors.id,
      portalEnabled: agencies.portalEnabled,
    })
    .from(contractors)
    .innerJoin(agencies, eq(agencies.id, contractors.agencyId))
    .where(
      and(
        eq(contractors.active, true),
        or(eq(contractors.userId, user.id), and(isNull(contractors.userId), sameEmail(user.email))),
      ),
    )
    .orderBy(agencies.name);
}

/** The agencies that would accept a contractor sign-up for this email (record exists and portal is on). */
export async function signUpEligibility(db: Database, email: string): Promise<'ok' | 'unknown' | 'portal-off'> {
  const rows = await db
    .select({ portalEnabled: agencies.portalEnabled })
    .from(contractors)
    .innerJoin(agencies, eq(agencies.id, contractors.agencyId))
    .where(and(eq(contractors.active, true), sameEmail(email)));
  if (rows.length === 0) return 'unknown';
  return rows.some((r) => r.portalEnabled) ? 'ok' : 'portal-off';
}

/** Links the agencies' contractor records held under this verified email to the login. */
export async function linkContractorRecords(db: Database, user: { id: string; email: string }): Promise<void> {
  await db
    .update(contractors)
    .set({ userId: user.id })
    .where(and(isNull(contractors.userId), sameEmail(user.email)));
}

/** What a session holds about the contractor's agency (auth_sessions): the one they work for, and the one moved off. */
export interface AgencyChoice {
  activeAgencyId?: string | null;
  switchedOffAgencyId?: string | null;
}

export interface SessionAgency {
  /** The agency the contractor acts for in this session; null means "go to the Accounts page". */
  membership: ContractorMembership | null;
  /** Agencies whose portal being off is why this session's portal changed, by name (see `portalOffMessage`). */
  portalOff: string[];
  /** What the session should hold from now on, when it differs from what it holds (null: nothing to write). */
  store: { activeAgencyId: string | null; switchedOffAgencyId: string | null } | null;
}

/**
 * The agency a contractor acts for in this session, and what the session must remember so that it stays theirs.
 *
 * - The agency they work for stays theirs while it admits them, however many other agencies turn their portal on
 *   or off: a second agency re-enabling its portal never unseats it (nor asks them to choose).
 * - A session with no agency yet takes the only agency that admits them, and keeps it from then on.
 * - When the agency they work for stops admitting them, they move to the only other agency that does (and the
 *   portal names the one that switched off), or, with several, they choose on the Accounts page; with none, the
 *   portal names every agency that holds a record for them.
 */
export function sessionAgency(memberships: ContractorMembership[], choice: AgencyChoice): SessionAgency {
  const usable = memberships.filter((m) => m.portalEnabled);
  const active = choice.activeAgencyId ?? null;
  const switchedOff = choice.switchedOffAgencyId ?? null;
  const isUsable = (id: string | null) => id !== null && usable.some((m) => m.agencyId === id);
  const onlyOne = usable.length === 1 ? (usable[0] ?? null) : null;

  let membership = usable.find((m) => m.agencyId === active) ?? null;
  let next = { activeAgencyId: active, switchedOffAgencyId: switchedOff };
  if (!membership && onlyOne) {
    membership = onlyOne;
    // Moved off an agency that turned its portal off: remember it, so every portal page can say why.
    const movedOff = active !== null && memberships.some((m) => m.agencyId === active && !m.portalEnabled);
    next = { activeAgencyId: onlyOne.agencyId, switchedOffAgencyId: movedOff ? active : switchedOff };
  }
  // The agency moved off is named only while its portal stays off (and is not the one worked for).
  if (
    next.switchedOffAgencyId !== null &&
    (isUsable(next.switchedOffAgencyId) || !memberships.some((m) => m.agencyId === next.switchedOffAgencyId))
  )
    next = { ...next, switchedOffAgencyId: null };

  const off = memberships.filter((m) => !m.portalEnabled);
  const portalOff =
    usable.length === 0
      ? off.map((m) => m.agencyName)
      : off
          .filter((m) => m.agencyId === next.activeAgencyId || m.agencyId === next.switchedOffAgencyId)
          .map((m) => m.agencyName);
  const changed = next.activeAgencyId !== active || next.switchedOffAgencyId !== switchedOff;
  return { membership, portalOff, store: changed ? next : null };
}

/** What the portal tells the contractor about `sessionAgency`'s `portalOff`, on every portal page; null for none. */
export function portalOffMessage(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  const [has, its, portal, them] =
    names.length === 1 ? ['has', 'its', 'portal', names[0]] : ['have', 'their', 'portals', 'each agency'];
  return `${who} ${has} turned ${its} contractor ${portal} off, so ${its} jobs, invoices and statements no longer show here. For anything about work for them, contact ${them} directly.`;
}

/** Records the contractor's choice on their session. Refuses an agency that does not admit them. */
export async function setActiveAgency(
  db: Database,
  input: { sessionId: string; user: { id: string; email: string }; agencyId: string },
): Promise<ContractorMembership> {
  const memberships = await contractorMemberships(db, input.user);
  const chosen = memberships.find((m) => m.agencyId === input.agencyId && m.portalEnabled);
  if (!chosen) throw new Error('You do not have portal access at that agency.');
  const updated = await db
    .update(authSessions)
    .set({ activeAgencyId: chosen.agencyId, switchedOffAgencyId: null, updatedAt: new Date() })
    .where(and(eq(authSessions.id, input.sessionId), eq(authSessions.userId, input.user.id)))
    .returning({ id: authSessions.id });
  if (updated.length === 0) throw new Error('Session not found.');
  return chosen;
}

/** The name an agency holds for a contractor email (used as the login's display name at sign-up). */
export async function contractorNameFor(db: Database, email: string): Promise<string | null> {
  const [row] = await db.select({ name: contractors.name }).from(contractors).where(sameEmail(email)).limit(1);
  return row?.name ?? null;
}

/** Writes what `sessionAgency` says the session should now hold (the agency it works for stays put after this). */
export async function storeSessionAgency(
  db: Database,
  input: { sessionId: string; userId: string; store: NonNullable<SessionAgency['store']> },
): Promise<void> {
  await db
    .update(authSessions)
    .set({ ...input.store, updatedAt: new Date() })
    .where(and(eq(authSessions.id, input.sessionId), eq(authSessions.userId, input.userId)));
}
