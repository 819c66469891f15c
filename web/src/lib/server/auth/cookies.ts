// Passes better-auth's Set-Cookie lines to the SvelteKit response. Session cookies are HttpOnly,
// SameSite=Lax, and Secure whenever the request came over https.
import type { Cookies } from '@sveltejs/kit';
import { parseSetCookieHeader, toCookieOptions } from 'better-auth/cookies';

export function applySetCookies(target: { cookies: Cookies; url: URL }, lines: string[]): void {
  for (const line of lines) {
    for (const [name, attributes] of parseSetCookieHeader(line)) {
      const options = toCookieOptions(attributes);
      const sameSite =
        typeof options.sameSite === 'string' ? (options.sameSite.toLowerCase() as 'lax' | 'strict' | 'none') : 'lax';
      target.cookies.set(name, attributes.value, {
        path: options.path || '/',
        httpOnly: options.httpOnly ?? true,
        sameSite,
        maxAge: options.maxAge,
        expires: options.expires,
        secure: target.url.protocol === 'https:',
      });
    }
  }
}
