// Every request: refuse cross-site writes, resolve who is signed in, add security headers.
// Authorization itself lives in the tRPC middlewares and query scoping (lib/server/api/trpc.ts).
import type { Handle } from '@sveltejs/kit/hooks';
import { getSessionUser } from '#lib/server/auth/session.ts';

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

export const handle: Handle = async ({ event, resolve }) => {
  if (crossSite(event.request, event.url)) {
    return new Response('Cross-site request refused', { status: 403, headers: { 'content-type': 'text/plain' } });
  }
  event.locals.sessionId = null;
  event.locals.user = await getSessionUser(event);
  const response = await resolve(event);
  try {
    response.headers.set('x-content-type-options', 'nosniff');
    response.headers.set('x-frame-options', 'DENY');
    response.headers.set('referrer-policy', 'same-origin');
    if (event.locals.user && !response.headers.has('cache-control')) response.headers.set('cache-control', 'private, no-store');
  } catch {
    // Some responses (e.g. proxied fetches) have immutable headers; they keep their own.
  }
  return response;
};
