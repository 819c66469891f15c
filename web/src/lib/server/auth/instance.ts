// The process's identity service, built once over the shared runtime (database, env).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mailer } from '#activities/mailer.ts';
import type { Database } from '#db/client.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import { devMailboxEnabled } from '../security/dev-mailbox.ts';
import { createAuth, type Auth } from './auth.ts';

export interface AuthService {
  auth: Auth;
  db: Database;
  mailer: Mailer | null;
  /** ORIGIN when configured: links in emails use it rather than the request's host. */
  origin: string | undefined;
  /** True only in local development without SMTP (see security/dev-mailbox.ts): /dev/mailbox shows the outbox. */
  devMailbox: boolean;
}

/** BETTER_AUTH_SECRET when set; otherwise a random secret kept in the data directory (so restarts keep sessions). */
function loadSecret(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv; // validated (≥ 32 characters) by worker/env.ts
  const file = join(dataDir, 'auth-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return readFileSync(file, 'utf8').trim();
  }
}

const KEY = Symbol.for('fettle.auth');
type Holder = { [KEY]?: Promise<AuthService> };

export function getAuthService(): Promise<AuthService> {
  const holder = globalThis as Holder;
  return (holder[KEY] ??= useRuntime().then((runtime) => {
    // The runtime's identity-mail transport (its own, so a code never waits behind notifications in flight);
    // a first try that fails is retried by the runtime's deliverer. Null without SMTP_URL: the dev mailbox.
    const mailer = runtime.mailer ?? null;
    const auth = createAuth({
      db: runtime.db,
      secret: loadSecret(runtime.env.DATA_DIR, runtime.env.BETTER_AUTH_SECRET),
      origin: runtime.env.ORIGIN,
      mailer,
    });
    return { auth, db: runtime.db, mailer, origin: runtime.env.ORIGIN, devMailbox: devMailboxEnabled(runtime.env) };
  }));
}
