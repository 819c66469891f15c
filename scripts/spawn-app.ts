// Starts the built app (scripts/start.ts) in its own process on a free port, with its own DATA_DIR, and
// resolves once it serves. The e2e tests and the API benchmark both run the real app this way.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '#db/embedded.ts';

const ROOT = new URL('../', import.meta.url).pathname;

export interface SpawnedApp {
  url: string;
  pid: number;
  dataDir: string;
  /** What the app printed, for diagnosing a failure. A plain function, like `stop`: callers pass it on. */
  output: () => string;
  /** Settles with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /** SIGTERM, SIGKILL after 5 s, then removes the data directory. */
  stop: () => Promise<void>;
}

/** `env` comes after the defaults (DATA_DIR, PORT, HOST), so a caller may override them. */
/**
 * `dataDir`: an existing DATA_DIR to start on again (as after a crash), kept by stop(); otherwise a new
 * one under the system's temp directory, removed by stop(). `port`: the same port again, else a free one.
 */
export async function spawnApp(options: {
  env: Record<string, string>;
  nodeArgs?: string[];
  dataDirPrefix: string;
  dataDir?: string;
  port?: number;
}): Promise<SpawnedApp> {
  if (!existsSync(new URL('../build/handler.js', import.meta.url)))
    throw new Error('No build: run `npm run build` first (npm test does)');
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), options.dataDirPrefix));
  chmodSync(dataDir, 0o777);
  const port = options.port ?? (await freePort());
  let log = '';
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), 'scripts/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start in 60 s:\n${log}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`app exited with ${code}:\n${log}`)));
    child.stdout!.on('data', () => {
      if (log.includes('is running at')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    dataDir,
    output: () => log,
    exited,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in by posting the sign-in page's form, as a browser does; returns the Cookie header. */
export async function signInOverHttp(base: string, email: string, password: string): Promise<string> {
  const body = new URLSearchParams({ email, password }).toString();
  const url = new URL('/sign-in', base);
  const res = await new Promise<{
    status: number;
    headers: { 'set-cookie'?: string[]; location?: string };
    text: string;
  }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
          origin: base,
          'content-length': Buffer.byteLength(body),
        },
      },
      (r) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => (text += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  if (res.status !== 303) throw new Error(`sign-in failed: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  const cookie = (res.headers['set-cookie'] ?? [])
    .map((line) => line.split(';', 1)[0] ?? '')
    // A cookie set to nothing is a deletion (base64 values may themselves end in '=').
    .filter((pair) => pair.indexOf('=') < pair.length - 1)
    .join('; ');
  if (!cookie) throw new Error(`sign-in returned no session cookie (redirected to ${String(res.headers.location)})`);
  return cookie;
}
