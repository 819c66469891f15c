// A `temporal server start-dev` of the bench's own: free ports, no Web UI, SQLite in a temporary
// file (durable writes, like `npm run start:temporal`, not an in-memory store that would flatter it),
// the job search attributes registered at start (registered later, they are unusable until the
// namespace cache refreshes). Its PID is the Go server itself, so /proc gives its own CPU and memory.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reachable } from '#worker/engines/reachable.ts';
import { JOB_SEARCH_ATTRIBUTES } from '#workflows/temporal/search-attributes.ts';
import { onCleanup } from './cleanup.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The attribute types as the CLI's --search-attribute flag spells them (as scripts/start-temporal.ts). */
const CLI_TYPE = {
  KEYWORD: 'Keyword',
  DATETIME: 'Datetime',
  BOOL: 'Bool',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  KEYWORD_LIST: 'KeywordList',
} as const;

/** The CLI as scripts/start-temporal.ts finds it: TEMPORAL_CLI_PATH, .cache/temporal/bin/temporal, PATH. */
export function findTemporalCli(): { path: string } | { missing: string } {
  const candidates = [process.env.TEMPORAL_CLI_PATH, join(ROOT, '.cache/temporal/bin/temporal')].filter(
    (p): p is string => !!p,
  );
  for (const path of candidates) if (existsSync(path)) return { path };
  if (spawnSync('temporal', ['--version'], { stdio: 'ignore' }).status === 0) return { path: 'temporal' };
  return {
    missing:
      `no Temporal CLI (TEMPORAL_CLI_PATH ${process.env.TEMPORAL_CLI_PATH ? `${process.env.TEMPORAL_CLI_PATH} does not exist` : 'unset'}, ` +
      'no .cache/temporal/bin/temporal, none on PATH)',
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface DevServer {
  pid: number;
  address: string;
  version: string;
  /** Stops the server (SIGINT, then SIGKILL after 10 s) and removes its temporary directory. */
  stop(): Promise<void>;
}

export async function startDevServer(
  cli: string,
  { startWithinMs = 90_000 }: { startWithinMs?: number } = {},
): Promise<DevServer> {
  const version = spawnSync(cli, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '?';
  const dir = mkdtempSync(join(tmpdir(), 'fettle-bench-temporal-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--headless',
    '--db-filename',
    join(dir, 'temporal.db'),
    '--log-level',
    'error',
    ...JOB_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`]),
  ];
  // Its own process group: Ctrl-C reaches the bench only, which stops its worker before the server.
  const server = spawn(cli, args, { stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  const exited = new Promise<void>((r) => server.once('exit', () => r()));
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGINT');
        const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
      // Only now: an exit in the middle of stopping still kills the server and removes the directory.
      unregister();
    })());
  const unregister = onCleanup(stop, () => {
    // Synchronous last resort when the bench exits without awaiting cleanup.
    if (server.exitCode === null) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    const deadline = Date.now() + startWithinMs;
    while (!(await reachable(address, 500))) {
      if (server.exitCode !== null || server.signalCode !== null)
        throw new Error(`temporal server start-dev exited (${server.exitCode ?? server.signalCode}) before listening`);
      if (Date.now() > deadline)
        throw new Error(`temporal server start-dev did not listen on ${address} within ${startWithinMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { pid: server.pid!, address, version: version.split('\n')[0]!, stop };
}
