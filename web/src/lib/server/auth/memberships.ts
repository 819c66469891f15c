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

/**
 * The agency a contractor acts for in this session: the one they picked if it still admits them,
 * otherwise their only agency when there is exactly one; null means "go to the Accounts page".
 */
export function effectiveMembership(
  memberships: ContractorMembership[],
  activeAgencyId: string | null | undefined,
): ContractorMembership | null {
  const usable = memberships.filter((m) => m.portalEnabled);
  if (activeAgencyId) {
    const picked = usable.find((m) => m.agencyId === activeAgencyId);
    if (picked) return picked;
  }
  return usable.length === 1 ? (usable[0] ?? null) : null;
}

/**
 * The agencies whose portal being off is why this session's portal changed, by name: the one the contractor had
 * picked (their portal now shows another agency's work, or asks them to choose), or, when no agency admits them
 * any more, every one that holds a record for them. Empty when nothing was switched off under them.
 */
export function portalsSwitchedOff(
  memberships: ContractorMembership[],
  activeAgencyId: string | null | undefined,
): string[] {
  const off = memberships.filter((m) => !m.portalEnabled);
  if (!memberships.some((m) => m.portalEnabled)) return off.map((m) => m.agencyName);
  return off.filter((m) => m.agencyId === activeAgencyId).map((m) => m.agencyName);
}

/** What the portal tells the contractor about `portalsSwitchedOff`, on every portal page; null for none. */
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
    .set({ activeAgencyId: chosen.agencyId, updatedAt: new Date() })
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
