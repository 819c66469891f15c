// Child processes for the parts we measure in isolation (engine, dispatcher, app), and their memory
// as the kernel sees it: VmRSS / VmHWM from /proc/<pid>/status.
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.ts';

interface Rss {
  rssMiB: number;
  hwmMiB: number;
}

export function readRss(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) =>
    Number(/^(\w+):\s+(\d+)/m.exec(status.split('\n').find((l) => l.startsWith(key + ':')) ?? '')?.[2] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak and mean. */
export function sampleRss(pid: number, everyMs = 100) {
  const samples: number[] = [];
  const take = () => {
    try {
      samples.push(readRss(pid).rssMiB);
    } catch {
      /* process gone */
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return {
        peakMiB: Math.max(...samples),
        meanMiB: samples.reduce((a, b) => a + b, 0) / samples.length,
        samples: samples.length,
      };
    },
  };
}

export type ChildMessage = { type: string; [k: string]: unknown };

/** What a bench child does with each message type; the reply (if any) goes back to the parent. */
export type ChildHandlers = Record<string, (m: ChildMessage) => ChildMessage | void | Promise<ChildMessage | void>>;

/** A bench child (bench/child.ts <task>) talking over IPC: send commands, await typed replies. */
export class BenchChild {
  readonly proc: ChildProcess;
  private waiting: { type: string; resolve: (m: ChildMessage) => void }[] = [];
  private inbox: ChildMessage[] = [];
  private exited: Promise<number | null>;

  constructor(task: string, env: Record<string, string> = {}) {
    this.proc = fork(fileURLToPath(new URL('../child.ts', import.meta.url)), [task], {
      env: { ...process.env, ...env },
      // BENCH_CHILD_CPU_PROF=<dir>: a V8 CPU profile of each bench child, written when it exits.
      execArgv: [
        ...process.execArgv,
        '--expose-gc',
        ...(process.env.BENCH_CHILD_CPU_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CHILD_CPU_PROF}`]
          : []),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: ChildMessage) => {
      if (m.type === 'error') {
        for (const w of this.waiting) w.resolve(m);
        this.waiting = [];
        return;
      }
      const i = this.waiting.findIndex((w) => w.type === m.type);
      if (i >= 0) this.waiting.splice(i, 1)[0]!.resolve(m);
      else this.inbox.push(m);
    });
    this.exited = new Promise((r) => this.proc.once('exit', (code) => r(code)));
    // Stopped with the bench on Ctrl-C or a crash (a Temporal worker inside would keep it alive).
    const unregister = onCleanup(
      () => this.close(),
      () => this.proc.kill('SIGKILL'),
    );
    // `exited` only ever resolves: nothing to catch.
    void this.exited.then(() => {
      unregister();
      for (const w of this.waiting) w.resolve({ type: 'error', message: 'child exited' });
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  send(message: ChildMessage): void {
    this.proc.send(message);
  }

  async next<T extends ChildMessage>(type: string): Promise<T> {
    const i = this.inbox.findIndex((m) => m.type === type || m.type === 'error');
    const m =
      i >= 0
        ? this.inbox.splice(i, 1)[0]
        : await new Promise<ChildMessage>((resolve) => this.waiting.push({ type, resolve }));
    if (m!.type === 'error') throw new Error(`bench child: ${String(m!.message)}`);
    return m as T;
  }

  async request<T extends ChildMessage>(message: ChildMessage, reply: string): Promise<T> {
    this.send(message);
    return this.next<T>(reply);
  }

  async close(): Promise<void> {
    if (this.proc.exitCode === null) {
      this.send({ type: 'exit' });
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

/** Share of all CPUs busy (not idle or iowait) over `ms`, from /proc/stat. */
export async function machineBusy(ms: number): Promise<number> {
  const read = () => {
    const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    const idle = v[3]! + v[4]!;
    const total = v.reduce((a, b) => a + b, 0);
    return { idle, total };
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  return 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
}

// CPU accounting from /proc (clock ticks are 100 Hz on Linux).
export const TICK_MS = 10;

/** utime + stime of one process, in ticks (0 once it is gone). */
export function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** CPU ticks of a process and its live children (PostgreSQL backends are the postmaster's children). */
export function treeTicks(rootPid: number): number {
  let total = cpuTicks(rootPid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === rootPid) total += cpuTicks(Number(entry));
    } catch {
      /* gone */
    }
  }
  return total;
}

/** Busy and total ticks of the whole machine. */
export function machineTicks() {
  const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return { busy: v.reduce((a, b) => a + b, 0) - v[3]! - v[4]!, total: v.reduce((a, b) => a + b, 0) };
}
