// Starts the built app (scripts/start.ts) in its own process on a free port, with its own DATA_DIR, and
// resolves once it serves. The e2e tests and the API benchmark both run the real app this way.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../db/embedded.ts';

const ROOT = new URL('../', import.meta.url).pathname;

export interface SpawnedApp {
  url: string;
  pid: number;
  dataDir: string;
  /** What the app printed, for diagnosing a failure. */
  output(): string;
  /** SIGTERM, SIGKILL after 5 s, then removes the data directory. */
  stop(): Promise<void>;
}

/** `env` comes after the defaults (DATA_DIR, PORT, HOST), so a caller may override them. */
export async function spawnApp(options: { env: Record<string, string>; nodeArgs?: string[]; dataDirPrefix: string }): Promise<SpawnedApp> {
  const dataDir = mkdtempSync(join(tmpdir(), options.dataDirPrefix));
  chmodSync(dataDir, 0o777);
  const port = await freePort();
  let log = '';
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), 'scripts/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
