// `npm start`: one process runs it all: database (embedded unless DATABASE_URL), migrations, the job
// engine (embedded unless Temporal is configured) with its timers and effects, and the web app.
import { existsSync } from 'node:fs';
import { createServer, type RequestListener, type ServerResponse } from 'node:http';
import { readEnv } from '../worker/env.ts';
import { bootRuntime } from '../worker/runtime.ts';
import { provideRuntime } from '../worker/runtime-registry.ts';
import { DEMO_LOGINS, DEMO_PASSWORD } from '../db/seed.ts';
import { leaveSignalsToCaller } from '../db/embedded.ts';

const handlerPath = new URL('../build/handler.js', import.meta.url);
if (!existsSync(handlerPath)) {
  console.error('No build found: run `npm run build` first (or `npm start`, which builds).');
  process.exit(1);
}

// This process stops PostgreSQL itself, last, when signalled (see shutdown below).
leaveSignalsToCaller();
const env = readEnv();
const booting = bootRuntime(env);
provideRuntime(booting);
const runtime = await booting;

// adapter-node reads these when the handler loads. This process serves plain HTTP, so unless ORIGIN or a
// proxy's X-Forwarded-Proto says otherwise the origin is http://<host> (adapter-node would assume https and
// refuse every form post as cross-site). Uploads carry up to 10 photos of 15 MB.
if (!env.ORIGIN) process.env.PROTOCOL_HEADER ??= 'x-forwarded-proto';
process.env.BODY_SIZE_LIMIT ??= '160M';
const { handler } = (await import(handlerPath.href)) as { handler: RequestListener };
/** Responses being handled now: a stop waits for them, and tells their keep-alive clients to go. */
const inFlight = new Set<ServerResponse>();
let idle: (() => void) | null = null;
const server = createServer((req, res) => {
  if (!env.ORIGIN) req.headers['x-forwarded-proto'] ??= 'http';
  inFlight.add(res);
  res.once('close', () => {
    inFlight.delete(res);
    if (inFlight.size === 0) idle?.();
  });
  // Stopping: this response is the connection's last, so keep-alive clients go elsewhere.
  if (stopping) res.setHeader('connection', 'close');
  handler(req, res);
});
server.listen(env.PORT, env.HOST, () => {
  const url = env.ORIGIN ?? `http://localhost:${env.PORT}`;
  const lines = [`\nFixFlow is running at ${url}`];
  if (runtime.temporalUiUrl) lines.push(`Temporal UI: ${runtime.temporalUiUrl}`);
  if (!env.SMTP_URL) lines.push(`Emails are not sent (no SMTP_URL); read them at ${url}/dev/mailbox`);
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
  if (!drained) console.log(`${inFlight.size} request(s) still running after ${DRAIN_MS / 1000} s: cutting their connections`);
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
