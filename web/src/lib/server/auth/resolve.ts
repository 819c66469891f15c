// From a request's cookies to the `SessionUser` the API trusts. Staff carry their agency and role from
// the users row; contractors carry the agency they work for (memberships.ts, `sessionAgency`) only while that
// agency still holds an active contractor record for them and has its portal on. No SvelteKit imports (tests use it).
import { eq } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { agencies } from '#db/schema/index.ts';
import { DatabaseUnavailable } from '../security/unavailable.ts';
import type { Auth } from './auth.ts';
import { contractorMemberships, sessionAgency, storeSessionAgency } from './memberships.ts';
import type { SessionUser } from './user.ts';

export interface ResolvedSession {
  user: SessionUser | null;
  /** The better-auth session row id (for the agency choice and sign-out). */
  sessionId: string | null;
  /** Refreshed session cookies to pass back to the browser, if the library rolled the expiry. */
  setCookies: string[];
}

interface AuthSessionPayload {
  session: {
    id: string;
    userId: string;
    expiresAt: string;
    activeAgencyId?: string | null;
    switchedOffAgencyId?: string | null;
  };
  user: {
    id: string;
    name: string;
    email: string;
    emailVerified: boolean;
    role?: string | null;
    agencyId?: string | null;
  };
}

const NONE: ResolvedSession = { user: null, sessionId: null, setCookies: [] };

/**
 * The session behind a request's cookies. When the session store cannot be read (better-auth answers 5xx:
 * it swallows the database's error) this throws DatabaseUnavailable rather than answering "signed out",
 * and passes back no cookies: an outage must not sign anyone out.
 */
export async function resolveSession(auth: Auth, db: Database, headers: Headers): Promise<ResolvedSession> {
  if (!headers.get('cookie')) return NONE;
  // A driver error thrown here reaches hooks.server.ts as it is (isDatabaseUnavailable reads its causes);
  // better-auth swallows its own into a 5xx answer, which is said here.
  const response = await auth.api.getSession({ headers, asResponse: true });
  if (response.status >= 500) throw new DatabaseUnavailable(new Error(`session lookup answered ${response.status}`));
  const setCookies = response.headers.getSetCookie();
  const payload = response.ok ? ((await response.json()) as AuthSessionPayload | null) : null;
  if (!payload?.session || !payload.user) return { ...NONE, setCookies };
  const user = await sessionUserOf(db, payload);
  return { user, sessionId: user ? payload.session.id : null, setCookies };
}

export async function sessionUserOf(db: Database, { session, user }: AuthSessionPayload): Promise<SessionUser | null> {
  if (!user.emailVerified) return null;
  if (user.role === 'admin' || user.role === 'staff') {
    if (!user.agencyId) return null;
    const [agency] = await db.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, user.agencyId));
    if (!agency) return null;
    return {
      kind: 'staff',
      userId: user.id,
      name: user.name,
      email: user.email,
      agencyId: user.agencyId,
      role: user.role,
    };
  }
  if (user.role !== 'contractor') return null;
  const memberships = await contractorMemberships(db, user);
  const { membership: picked, portalOff, store } = sessionAgency(memberships, session);
  // The agency worked for is kept on the session, so another agency turning its portal on later never unseats it.
  if (store) await storeSessionAgency(db, { sessionId: session.id, userId: user.id, store });
  return {
    kind: 'contractor',
    userId: user.id,
    name: user.name,
    email: user.email,
    agencyId: picked?.agencyId ?? null,
    contractorId: picked?.contractorId ?? null,
    // Only when there is something to say, so the usual session reads as before.
    ...(portalOff.length ? { portalOff } : {}),
  };
}
