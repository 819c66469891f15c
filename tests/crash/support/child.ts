// Runs tests/crash/support/boot.ts (or another script) as a child process that the test can kill -9.
import { spawn, type ChildProcess } from 'node:child_process';

const ROOT = new URL('../../..', import.meta.url).pathname;

export interface Child {
  process: ChildProcess;
  output(): string;
  /** Resolves with the text after `READY ` once the child prints it; rejects if it exits first. */
  ready: Promise<string>;
  exited: Promise<number | null>;
}

export function startChild(script: string, env: Record<string, string>, timeoutMs = 60_000): Child {
  let log = '';
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not get ready in ${timeoutMs / 1000} s:\n${log}`)),
      timeoutMs,
    );
    child.stdout.on('data', (d) => {
      log += d;
      const m = /^READY (.*)$/m.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr.on('data', (d) => (log += d));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready:\n${log}`));
    });
  });
  ready.catch(() => {});
  return { process: child, output: () => log, ready, exited };
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: Child, graceMs = 15_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}
