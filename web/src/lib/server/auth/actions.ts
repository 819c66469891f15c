// Shared plumbing for the sign-in, sign-up, verification and reset pages' form actions.
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { refuse, trimmed } from '../forms.ts';
import type { SessionUser } from './user.ts';
import { callAuth, type AuthCallContext, type AuthResult } from './dispatch.ts';
import { applySetCookies } from './cookies.ts';
import { getAuthService } from './instance.ts';
import { contractorMemberships } from './memberships.ts';

export function authCallContext(event: RequestEvent): AuthCallContext {
  return {
    origin: event.url.origin,
    clientIp: event.getClientAddress(),
    cookie: event.request.headers.get('cookie'),
    userAgent: event.request.headers.get('user-agent'),
  };
}

/** Calls an auth endpoint for this request and passes any cookies it sets back to the browser. */
export async function authAction<T = unknown>(
  event: RequestEvent,
  path: string,
  body?: Record<string, unknown>,
): Promise<AuthResult<T>> {
  const { auth } = await getAuthService();
  const result = await callAuth<T>(auth, path, authCallContext(event), { method: 'POST', body: body ?? {} });
  applySetCookies(event, result.setCookies);
  return result;
}

/** Signs in someone who has just chosen their password (an accepted invitation, a new agency) and sends them
 * to `to`; should signing in fail, to the sign-in page with their email filled in. */
export async function signInAndGo(event: RequestEvent, email: string, password: string, to: string): Promise<never> {
  const result = await authAction(event, '/sign-in/email', { email, password, rememberMe: true });
  if (!result.ok) redirect(303, `/sign-in?email=${encodeURIComponent(email)}`);
  redirect(303, to);
}

/** A same-site path to return to after signing in; anything else is ignored. */
export function safeNext(value: string | null | undefined): string | null {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  return value;
}

/** Where a user lands after signing in: staff → the console; contractors → the portal, or the Accounts page when several agencies. */
export async function landingFor(
  user: { id: string; email: string; role?: string | null },
  next: string | null,
): Promise<string> {
  if (user.role === 'admin' || user.role === 'staff') return next && !next.startsWith('/portal') ? next : '/jobs';
  const { db } = await getAuthService();
  const usable = (await contractorMemberships(db, user)).filter((m) => m.portalEnabled);
  const toPortal = next && next.startsWith('/portal/') && !next.startsWith('/portal/accounts') ? next : null;
  // Several agencies: the portal sends them to choose first (or a link's `?agency=` chooses), then on to `next`.
  if (usable.length !== 1) return toPortal ?? '/portal/accounts';
  return toPortal ?? '/portal';
}

export const isStaff = (user: SessionUser | null): user is Extract<SessionUser, { kind: 'staff' }> =>
  user?.kind === 'staff';

/** Messages people can act on, by better-auth error code. */
export function authMessage(result: AuthResult, fallback: string): string {
  switch (result.code) {
    case 'TOO_MANY_REQUESTS':
      return result.message && !result.message.startsWith('Too many requests')
        ? result.message
        : 'Too many attempts. Wait a minute and try again.';
    case 'INVALID_EMAIL_OR_PASSWORD':
      return 'That email and password do not match an account.';
    case 'PASSWORD_TOO_SHORT':
      return 'Choose a password of at least 10 characters.';
    case 'PASSWORD_TOO_LONG':
      return 'Passwords can be at most 128 characters.';
    case 'INVALID_EMAIL':
      return 'Enter a valid email address.';
    // A refused verification code (INVALID_OTP, OTP_EXPIRED, TOO_MANY_ATTEMPTS) is said by code-tries.ts.
    case 'INVALID_TOKEN':
      return 'This reset link is invalid or has expired. Ask for a new one.';
    default:
      return fallback;
  }
}

export const PASSWORDS_DIFFER = 'The two passwords do not match.';

/** The email typed into a sign-up, reset or verification form, as accounts store it. */
export const emailOf = (f: FormData) => trimmed(f, 'email').toLowerCase();

/**
 * A refusal on a sign-in, sign-up, verification or reset form, in the shape every form fails with (forms.ts):
 * too many requests stays a 429, anything else is the form's to correct (400). `values` (never a password) go
 * back as typed, and also at the top level, where these pages read the email today (`form.email`).
 */
export function authRefused<V extends Record<string, string>>(
  action: string,
  message: string,
  values: V,
  code: 'BAD_REQUEST' | 'TOO_MANY_REQUESTS' = 'BAD_REQUEST',
) {
  const { status, data } = refuse(action, message, { code, values });
  return fail(status, { ...values, ...data });
}

/** An auth endpoint's refusal on its form: its own words where people can act on them (`authMessage`). */
export const authFailed = <V extends Record<string, string>>(
  action: string,
  result: AuthResult,
  fallback: string,
  values: V,
) =>
  authRefused(
    action,
    authMessage(result, fallback),
    values,
    result.status === 429 ? 'TOO_MANY_REQUESTS' : 'BAD_REQUEST',
  );
