// What this browser knows of the verification code it is entering: how many wrong tries it has made at it, and
// whether the code is spent (too many wrong tries, or expired). better-auth says "invalid code" for a spent code
// (it deletes the code), as it does for a wrong one and for an address with no code at all, so the page used to
// tell someone whose code was spent to check it and try again, for as long as they kept trying. Kept in the
// browser rather than looked up: whether an address has a live code would tell anyone that an account is
// waiting there (no account discovery). A cookie on /verify only, HttpOnly; it steers messages, never access.
import type { Cookies } from '@sveltejs/kit';
import { z } from 'zod';
import type { AuthResult } from './dispatch.ts';
import { OTP_SECONDS, OTP_TRIES } from './auth.ts';

const COOKIE = 'fettle-code-tries';
const PATH = '/verify';
const Tries = z.object({ email: z.string(), wrong: z.number().int().min(0), spent: z.boolean() });
export type CodeTries = z.infer<typeof Tries>;

type CookieEvent = { cookies: Cookies; url: URL };

/** What this browser has tried against the code for `email` (nothing, for another address). */
export function codeTries({ cookies }: CookieEvent, email: string): CodeTries {
  let stored: unknown = null;
  try {
    stored = JSON.parse(cookies.get(COOKIE) ?? 'null');
  } catch {
    // Not ours, or mangled: start again.
  }
  const parsed = Tries.safeParse(stored);
  return parsed.success && parsed.data.email === email ? parsed.data : { email, wrong: 0, spent: false };
}

function remember({ cookies, url }: CookieEvent, tries: CodeTries) {
  // A day: a spent code is still spent after its ten minutes, and better-auth no longer says so.
  cookies.set(COOKIE, JSON.stringify(tries), {
    path: PATH,
    httpOnly: true,
    sameSite: 'lax',
    secure: url.protocol === 'https:',
    maxAge: 24 * 3600,
  });
}

/** A new code went out (sign-up, signing in unverified, "send me a new code") or the address is verified. */
export function forgetCodeTries({ cookies, url }: CookieEvent) {
  cookies.delete(COOKIE, { path: PATH, secure: url.protocol === 'https:' });
}

/**
 * A refused code, said so people can act on it: a spent code says it can no longer be used and to send a new
 * one; a wrong one says how many tries are left. Remembers the try. Null when the refusal is not about the code
 * (too many requests, a bad address): the caller's usual message stands.
 */
export function codeRefused(
  event: CookieEvent,
  email: string,
  result: AuthResult,
): { message: string; spent: boolean } | null {
  const tries = codeTries(event, email);
  const spent = (message: string) => {
    remember(event, { email, wrong: Math.max(tries.wrong, OTP_TRIES), spent: true });
    return {
      message: `${message} Send yourself a new code with the button below, then enter the new one.`,
      spent: true,
    };
  };
  switch (result.code) {
    case 'TOO_MANY_ATTEMPTS':
      return spent(`This code can no longer be used: it was entered wrongly ${OTP_TRIES} times.`);
    case 'OTP_EXPIRED':
      return spent(`This code can no longer be used: it has expired (codes last ${OTP_SECONDS / 60} minutes).`);
    case 'INVALID_OTP': {
      // better-auth answers this too once the code is spent (it is gone): what this browser saw decides.
      if (tries.spent) return spent('This code can no longer be used.');
      const wrong = tries.wrong + 1;
      if (wrong >= OTP_TRIES)
        return spent('That code is not right, and that was the last try: this code can no longer be used.');
      remember(event, { email, wrong, spent: false });
      const left = OTP_TRIES - wrong;
      return {
        message: `That code is not right. Check the latest email and try again (${left} ${left === 1 ? 'try' : 'tries'} left).`,
        spent: false,
      };
    }
    default:
      return null;
  }
}
