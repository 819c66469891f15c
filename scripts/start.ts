// `npm start`: one process runs it all: database (embedded unless DATABASE_URL), migrations, the job
// engine (embedded unless Temporal is configured) with its timers and effects, and the web app.
import { existsSync } from 'node:fs';
import { createServer, type RequestListener, type ServerResponse } from 'node:http';
import { readEnv } from '#worker/env.ts';
import { bootRuntime } from '#worker/runtime.ts';
import { provideRuntime } from '#worker/runtime-registry.ts';
import { DEMO_LOGINS, DEMO_PASSWORD } from '#worker/seed/demo.ts';
import { leaveSignalsToCaller } from '#db/embedded.ts';
import { devMailboxEnabled } from '#lib/server/security/dev-mailbox.ts';
import { SECURITY_HEADERS } from '#lib/server/security/headers.ts';

const handlerPath = new URL('../build/handler.js', import.meta.url);
if (!existsSync(handlerPath)) {
  console.error('No build found: run `npm run build` first (or `npm start`, which builds).');
  process.exit(1);
}

// This process stops PostgreSQL itself, last, when signalled (see shutdown below).
leaveSignalsToCaller();
// A local `npm start` without SMTP keeps its emails readable at /dev/mailbox (loopback only); production never
// does (security/dev-mailbox.ts), whatever DEV_MAILBOX says.
const production = process.env.NODE_ENV === 'production';
if (!production && !process.env.SMTP_URL) process.env.DEV_MAILBOX ??= '1';
const env = readEnv();
const booting = bootRuntime(env);
provideRuntime(booting);
const runtime = await booting;

// adapter-node reads these when the handler loads. It takes the request's origin from the build (kit's
// paths.origin, unset here), not from ORIGIN at run time: the host comes from the Host header (checked in
// hooks.server.ts against ORIGIN and loopback names) and the scheme from PROTOCOL_HEADER, which it would
// otherwise assume is https and refuse every form post from http as cross-site. So this process says the
// scheme: ORIGIN's when set (whatever a client claims), else a proxy's X-Forwarded-Proto, else http.
// Uploads carry up to 10 photos of 15 MB.
const protocolHeader = (process.env.PROTOCOL_HEADER ??= 'x-forwarded-proto').toLowerCase();
const scheme = env.ORIGIN ? new URL(env.ORIGIN).protocol.replace(/:$/, '') : null;
process.env.BODY_SIZE_LIMIT ??= '160M';
const { handler } = (await import(handlerPath.href)) as { handler: RequestListener };
/** Responses being handled now: a stop waits for them, and tells their keep-alive clients to go. */
const inFlight = new Set<ServerResponse>();
let idle: (() => void) | null = null;
const server = createServer((req, res) => {
  inFlight.add(res);
  res.once('close', () => {
    inFlight.delete(res);
    if (inFlight.size === 0) idle?.();
  });
  // Stopping: this response is the connection's last, so keep-alive clients go elsewhere.
  if (stopping) res.setHeader('connection', 'close');
  // Here, not only in hooks.server.ts: static assets are served before SvelteKit's hooks run.
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  if (scheme) req.headers[protocolHeader] = scheme;
  else req.headers[protocolHeader] ??= 'http';
  handler(req, res);
});
server.listen(env.PORT, env.HOST, () => {
  const url = env.ORIGIN ?? `http://localhost:${env.PORT}`;
  const lines = [`\nFettle is running at ${url}`];
  if (runtime.temporalUiUrl) lines.push(`Temporal UI: ${runtime.temporalUiUrl}`);
  // Without ORIGIN the app answers only to localhost names (security/origin.ts), so links in emails are local.
  if (!env.ORIGIN)
    lines.push(
      `ORIGIN is unset: answering only http://localhost:${env.PORT} (and 127.0.0.1); set ORIGIN to the public URL to serve it elsewhere`,
    );
  if (devMailboxEnabled(env))
    lines.push(`Emails are not sent (no SMTP_URL); read them at ${url}/dev/mailbox (from this machine only)`);
  else if (!env.SMTP_URL) {
    // Loud on purpose: nobody can verify an email address, reset a password or accept an invitation.
    console.error(
      [
        '',
        '!!! SMTP_URL is not set: emails (verification codes, password resets, invitations, notifications) are NOT delivered.',
        `!!! ${production ? 'The dev mailbox is never available in production.' : 'The dev mailbox is off (DEV_MAILBOX).'} Set SMTP_URL (docs/operations.md).`,
        '',
      ].join('\n'),
    );
  }
  if (env.SEED_DEMO) {
    lines.push(`\nDemo logins (password: ${DEMO_PASSWORD}):`);
    for (const l of DEMO_LOGINS) lines.push(`  ${l.email.padEnd(28)} ${l.note}`);
  }
  // One write, so whoever waits for the banner sees all of it.
  console.log(lines.join('\n'));
});

/** How long a stop waits for requests in flight before cutting their connections. */
const DRAIN_MS = 10_000;

let stopping = false;
/**
 * A graceful stop: stop accepting connections, let requests in flight finish (up to DRAIN_MS; idle
 * keep-alive connections close at once), then stop the engine's work, the pool and PostgreSQL, in that
 * order, and exit 0. Cutting connections first (as this did) closed the pool under running requests:
 * 500s, half-created jobs and a TypeError on exit. A second signal exits at once.
 */
async function shutdown(signal: string) {
  if (stopping) {
    console.log(`${signal} again: exiting now`);
    process.exit(1);
  }
  stopping = true;
  console.log(`\n${signal}: shutting down (finishing requests in flight, up to ${DRAIN_MS / 1000} s)`);
  server.close();
  server.closeIdleConnections();
  for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
  const drained = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), DRAIN_MS);
    idle = () => (clearTimeout(timer), resolve(true));
    if (inFlight.size === 0) idle();
  });
  if (!drained)
    console.log(`${inFlight.size} request(s) still running after ${DRAIN_MS / 1000} s: cutting their connections`);
  // Now, before anything else runs: no keep-alive connection may bring a request in while the engine stops.
  server.closeAllConnections();
  try {
    await runtime.close();
  } catch (e) {
    console.error('error while stopping:', e);
    process.exit(1);
  }
  console.log('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));
