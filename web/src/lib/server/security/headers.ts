// Security headers every response carries (pages, the API, files, static assets). The Content-Security-Policy
// itself is SvelteKit's (`kit.csp` in web/vite.config.ts: it needs the per-response nonces); these are the rest.
// No SvelteKit imports: scripts/start.ts sets them on responses SvelteKit never sees (static assets).

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  // Nobody frames the console (clickjacking); the CSP's frame-ancestors 'none' says the same to new browsers.
  'x-frame-options': 'DENY',
  // Reset and invitation tokens travel in URLs: other sites get the origin at most, never the path and query.
  'referrer-policy': 'strict-origin-when-cross-origin',
  // Nothing in the app uses these; an injected script or frame cannot either.
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()',
  'cross-origin-opener-policy': 'same-origin',
};

/** Adds the origin of a tile URL template (e.g. https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png →
 * https://*.tile.openstreetmap.org) to a CSP's img-src, so a configured base map loads and nothing else does. */
export function allowTileHost(csp: string, tileUrl: string | null | undefined): string {
  const origin = tileUrl ? /^(https?:\/\/[^/?#]+)/i.exec(tileUrl)?.[1] : undefined;
  if (!origin) return csp;
  const source = origin.replace(/\{[a-z]\}/gi, '*');
  if (!/^https?:\/\/[a-z0-9.*-]+(:\d+)?$/i.test(source)) return csp;
  return csp.replace(/(^|;\s*)img-src ([^;]*)/, (_, pre: string, list: string) => `${pre}img-src ${list} ${source}`);
}
