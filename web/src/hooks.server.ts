// Every request: refuse unknown hosts and cross-site writes, resolve who is signed in, add security headers.
// Authorization itself lives in the tRPC middlewares and query scoping (lib/server/api/trpc.ts).
import type { Handle, HandleServerError } from '@sveltejs/kit/hooks';
import { getSessionUser } from '#lib/server/auth/session.ts';
import { allowTileHost, SECURITY_HEADERS } from '#lib/server/security/headers.ts';
import { reportInternalError } from '#lib/server/security/internal-error.ts';
import { hostAllowed } from '#lib/server/security/origin.ts';
import { isDatabaseUnavailable, UNAVAILABLE_MESSAGE } from '#lib/server/security/unavailable.ts';
import { useRuntime } from '#worker/runtime-registry.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * SvelteKit checks the Origin of form posts; this extends the same rule to every unsafe request
 * (tRPC's JSON posts, uploads): a browser request from another site is refused.
 */
function crossSite(request: Request, url: URL): boolean {
  if (SAFE.has(request.method)) return false;
  const origin = request.headers.get('origin');
  if (origin) return origin !== url.origin;
  return request.headers.get('sec-fetch-site') === 'cross-site';
}

const refuse = (status: number, text: string) =>
  new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS } });

function unavailable(api: boolean): Response {
  const headers = { ...SECURITY_HEADERS, 'retry-after': '10', 'cache-control': 'no-store' };
  if (!api)
    return new Response(UNAVAILABLE_MESSAGE, {
      status: 503,
      headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
    });
  const body = {
    error: { message: UNAVAILABLE_MESSAGE, code: -32603, data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 } },
  };
  return new Response(JSON.stringify(body), {
    status: 503,
    headers: { ...headers, 'content-type': 'application/json' },
  });
}

export const handle: Handle = async ({ event, resolve }) => {
  const { env } = await useRuntime();
  // Links in emails are built from the request's URL: a Host this app does not answer to is refused before
  // anything can use it (security/origin.ts). 421: the request reached a server that is not that host.
  if (!hostAllowed(event.request.headers.get('host'), env.ORIGIN)) {
    return refuse(
      421,
      'This server does not answer to that host name. (Operators: set ORIGIN to the public URL; see docs/operations.md.)',
    );
  }
  if (crossSite(event.request, event.url)) return refuse(403, 'Cross-site request refused');
  event.locals.sessionId = null;
  try {
    event.locals.user = await getSessionUser(event);
  } catch (e) {
    if (!isDatabaseUnavailable(e)) throw e;
    // The database is down: 503, the session cookie untouched (never "sign in again"). API callers get
    // tRPC's error shape; pages a sentence. Retry-After: PostgreSQL restarts take seconds.
    console.error(`[unavailable] ${event.request.method} ${event.url.pathname}: the database is not answering`);
    return unavailable(event.url.pathname.startsWith('/api/'));
  }
  const response = await resolve(event);
  try {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
    // kit.csp cannot know the runtime tile host: a configured base map's images are allowed here.
    const csp = response.headers.get('content-security-policy');
    if (csp && env.MAP_TILE_URL) response.headers.set('content-security-policy', allowTileHost(csp, env.MAP_TILE_URL));
    if (event.locals.user && !response.headers.has('cache-control'))
      response.headers.set('cache-control', 'private, no-store');
  } catch {
    // Some responses (e.g. proxied fetches) have immutable headers; they keep their own.
  }
  return response;
};

/** Unexpected errors in loads and actions: the error page shows a reference, never the error's own text.
 * App errors (`error(404, …)`) and SvelteKit's own (unknown routes) keep their status and words. */
export const handleError: HandleServerError = ({ kind, error, event }) => {
  if (kind !== 'unknown') return;
  if (isDatabaseUnavailable(error)) return { message: UNAVAILABLE_MESSAGE };
  return { message: reportInternalError(error, `${event.request.method} ${event.url.pathname}`).message };
};
