// `npm start`: one process runs it all: database (embedded unless DATABASE_URL), migrations, the job
// engine (embedded unless Temporal is configured) with its timers and effects, and the web app.
import { existsSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { readEnv } from '../worker/env.ts';
import { bootRuntime } from '../worker/runtime.ts';
import { provideRuntime } from '../worker/runtime-registry.ts';
import { DEMO_LOGINS, DEMO_PASSWORD } from '../db/seed.ts';

const handlerPath = new URL('../build/handler.js', import.meta.url);
if (!existsSync(handlerPath)) {
  console.error('No build found: run `npm run build` first (or `npm start`, which builds).');
  process.exit(1);
}

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
const server = createServer((req, res) => {
  if (!env.ORIGIN) req.headers['x-forwarded-proto'] ??= 'http';
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

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: shutting down`);
  server.close();
  server.closeAllConnections();
  await runtime.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
