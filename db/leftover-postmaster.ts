// Before the embedded PostgreSQL starts: deal with a server a previous run left serving the same data
// directory. When the app is killed with SIGKILL (OOM killer, `kill -9`, a container runtime's timeout),
// its postgres child is orphaned and keeps the directory locked (postmaster.pid), so the next start
// would fail. A server an operator started by hand (`pg_ctl start -D …`) is in the same position.
// Either way it is stopped with a fast shutdown (what `pg_ctl stop -m fast` sends: SIGINT, which rolls
// back open transactions and checkpoints) and we start our own, whose output we can read and stop.
// A lock whose process is gone, or is now some other program (pids are reused after a reboot), is stale:
// PostgreSQL would refuse to start over the second, so it is removed.
import { existsSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { basename, join, resolve } from 'node:path';

interface PostmasterLock {
  pid: number;
  dataDir: string;
  port: number;
}

/** postmaster.pid's first lines: pid, data directory, start time, port (see PostgreSQL's miscadmin.h). */
export function readPostmasterLock(dataDir: string): PostmasterLock | null {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n');
  // A file cut short by a crash while it was being written reads as pid 0: stale.
  const number = (line: string | undefined) => Math.max(0, Number.parseInt(line ?? '', 10) || 0);
  return { pid: number(lines[0]), dataDir: lines[1] ?? '', port: number(lines[3]) };
}

/** Alive and not a zombie: an orphan whose new parent never reaps it (PID 1 in many containers) stays a zombie. */
export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to someone we may not signal.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(pid, 0) is all we know
  }
}

const samePath = (a: string, b: string) => {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
};

function commandOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' })
        .trim()
        .split(/\s+/);
    } catch {
      return [];
    }
  }
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10) || 0;
  } catch {
    try {
      return (
        Number.parseInt(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim(), 10) || 0
      );
    } catch {
      return 0;
    }
  }
}

/**
 * The Node process that still runs this postgres as its child (another app instance on the same
 * DATA_DIR, still alive), or null. An orphan's parent is init or a subreaper; one started with pg_ctl
 * has pg_ctl's (gone) shell's place taken the same way. Those may be stopped; a live app's may not.
 */
function nodeOwnerOf(pid: number): { pid: number; command: string } | null {
  const parent = parentOf(pid);
  if (parent <= 1 || !isAlive(parent)) return null;
  const argv = commandOf(parent);
  return argv[0] && /^node/.test(basename(argv[0])) ? { pid: parent, command: argv.join(' ') } : null;
}

/** Whether `pid` is a postgres server serving `dataDir` (its `-D` argument, or its working directory, which postgres sets to it). */
function isPostgresFor(pid: number, dataDir: string): boolean {
  const argv = commandOf(pid);
  if (!argv[0] || !/postgres/.test(basename(argv[0]))) return false;
  const d = argv.indexOf('-D');
  const dir = d >= 0 ? argv[d + 1] : undefined;
  if (dir && samePath(dir, dataDir)) return true;
  try {
    return samePath(readlinkSync(`/proc/${pid}/cwd`), dataDir);
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function exited(pid: number, lockFile: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // The postmaster removes its lock file as the last step of a clean shutdown.
    if (!isAlive(pid) || !existsSync(lockFile)) return true;
    await sleep(100);
  }
  return false;
}

/**
 * Leaves `dataDir` free for a new server: stops a postgres still serving it, removes a stale lock.
 * Returns the port the previous server used (a hint for keeping the same one), or null.
 */
export async function clearLeftoverPostmaster(
  dataDir: string,
  log: (message: string) => void,
  shutdownMs = 60_000,
): Promise<number | null> {
  const lock = readPostmasterLock(dataDir);
  if (!lock) return null;
  const lockFile = join(dataDir, 'postmaster.pid');
  if (!isAlive(lock.pid) || !isPostgresFor(lock.pid, dataDir)) {
    log(`database: removing a stale postmaster.pid (process ${lock.pid || '?'} is gone)`);
    rmSync(lockFile, { force: true });
    return lock.port || null;
  }
  const owner = nodeOwnerOf(lock.pid);
  if (owner) {
    throw new Error(
      `PostgreSQL (pid ${lock.pid}, port ${lock.port}) on ${dataDir} belongs to a running process (pid ${owner.pid}: ${owner.command}); ` +
        'is the app already running on this DATA_DIR? Stop it first, or use another DATA_DIR.',
    );
  }
  log(
    `database: PostgreSQL (pid ${lock.pid}, port ${lock.port}) is still serving ${dataDir} from an earlier run; stopping it (fast shutdown)`,
  );
  process.kill(lock.pid, 'SIGINT');
  let stopped = await exited(lock.pid, lockFile, shutdownMs);
  if (!stopped) {
    // Still there after a fast shutdown's grace: an immediate shutdown (crash recovery runs on the next start).
    log(
      `database: PostgreSQL ${lock.pid} did not stop in ${shutdownMs / 1000} s; sending an immediate shutdown (SIGQUIT)`,
    );
    process.kill(lock.pid, 'SIGQUIT');
    stopped = await exited(lock.pid, lockFile, 10_000);
  }
  if (stopped) {
    // Gone, but possibly as an unreaped zombie, which PostgreSQL's own stale-lock check takes for alive.
    rmSync(lockFile, { force: true });
    return lock.port || null;
  }
  throw new Error(
    `PostgreSQL (pid ${lock.pid}) is still serving ${dataDir} and would not stop; stop it (pg_ctl stop -D ${dataDir} -m immediate) and start again`,
  );
}
