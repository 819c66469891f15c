// Resolves who is signed in for one request (called once, from hooks.server.ts).
import type { RequestEvent } from '@sveltejs/kit';
import { applySetCookies } from './cookies.ts';
import { getAuthService } from './instance.ts';
import { resolveSession } from './resolve.ts';
import type { SessionUser } from './user.ts';

/** The signed-in user, or null. Also records the session id on `event.locals.sessionId`. */
export async function getSessionUser(event: RequestEvent): Promise<SessionUser | null> {
  const { auth, db } = await getAuthService();
  const resolved = await resolveSession(auth, db, event.request.headers);
  applySetCookies(event, resolved.setCookies);
  event.locals.sessionId = resolved.sessionId;
  return resolved.user;
}
