// Calls better-auth's HTTP handler in-process, so every page action gets the library's full request
// pipeline: origin check, rate limits (keyed on the real client address), disabled paths, hooks.
// /api/auth is not exposed publicly; the pages are the only way in.
import { AUTH_BASE_PATH, CLIENT_IP_HEADER, type Auth } from './auth.ts';

export interface AuthCallContext {
  /** The app origin the browser used (SvelteKit has already checked the form post's Origin). */
  origin: string;
  /** The client's address, for rate limiting. */
  clientIp: string;
  /** The browser's Cookie header, when the call acts on a session. */
  cookie?: string | null;
  userAgent?: string | null;
}

export interface AuthResult<T = unknown> {
  ok: boolean;
  status: number;
  data: T | null;
  /** better-auth's error code (e.g. INVALID_EMAIL_OR_PASSWORD, EMAIL_NOT_VERIFIED, INVALID_OTP). */
  code: string | null;
  message: string | null;
  /** Set-Cookie lines to pass to the browser. */
  setCookies: string[];
}

export async function callAuth<T = unknown>(
  auth: Auth,
  path: string,
  ctx: AuthCallContext,
  init: { method?: 'GET' | 'POST'; body?: Record<string, unknown>; query?: Record<string, string> } = {},
): Promise<AuthResult<T>> {
  const url = new URL(`${AUTH_BASE_PATH}${path}`, ctx.origin);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const headers = new Headers({ origin: ctx.origin, [CLIENT_IP_HEADER]: ctx.clientIp });
  if (ctx.cookie) headers.set('cookie', ctx.cookie);
  if (ctx.userAgent) headers.set('user-agent', ctx.userAgent);
  const method = init.method ?? (init.body ? 'POST' : 'GET');
  if (method === 'POST') headers.set('content-type', 'application/json');
  const response = await auth.handler(
    new Request(url, { method, headers, body: method === 'POST' ? JSON.stringify(init.body ?? {}) : undefined }),
  );
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  const err = (json ?? {}) as { code?: string; message?: string };
  const ok = response.status >= 200 && response.status < 300;
  return {
    ok,
    status: response.status,
    data: ok ? (json as T) : null,
    code: ok ? null : (err.code ?? (response.status === 429 ? 'TOO_MANY_REQUESTS' : null)),
    message: ok ? null : (err.message ?? (text || response.statusText)),
    setCookies: response.headers.getSetCookie(),
  };
}
