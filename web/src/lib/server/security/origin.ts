// Which hosts this app answers to. Links in emails (password reset, invitations, "you already have an
// account") are built from the request's URL, and without ORIGIN adapter-node builds that URL from the Host
// header: a forged Host would put an attacker's domain in a victim's reset email. So a request is served only
// when its Host is the configured ORIGIN's or a loopback name (localhost, 127.0.0.1, [::1]) on any port:
// a loopback link is useless to an attacker, and it keeps `npm start`, `npm run dev`, health checks and the
// test harness working without configuration. No SvelteKit imports: scripts and tests use it directly.

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** A Host header is a name or IP literal and an optional port; anything else ("a@b", "x/y") is refused. */
const HOST = /^(?<name>[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The hostname of a Host header value ("Example.com:3000" → "example.com"); null when it is not one. */
function hostnameOf(host: string): string | null {
  return HOST.exec(host)?.groups?.name?.toLowerCase() ?? null;
}

/** Whether a request with this Host header may be served. `origin` is ORIGIN when configured. */
export function hostAllowed(host: string | null, origin: string | undefined): boolean {
  if (!host) return false;
  const hostname = hostnameOf(host);
  if (!hostname) return false;
  if (LOOPBACK.test(hostname)) return true;
  if (!origin) return false;
  const configured = new URL(origin);
  // The configured origin's host, with or without its port (a proxy may pass either).
  return host.toLowerCase() === configured.host.toLowerCase() || hostname === configured.hostname.toLowerCase();
}

/** Whether a peer address is this machine (IPv4, IPv6, or IPv4-mapped IPv6 loopback). */
export function isLoopbackAddress(address: string | null | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(address);
}
