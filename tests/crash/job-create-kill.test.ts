// A job's creation killed with SIGKILL halfway: after the restart the job is either whole (started,
// with its SLA) or absent, never a row with no workflow.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, readPostmasterLock } from '#db/leftover-postmaster.ts';
import { startChild, stopChild, type Child } from './support/child.ts';

const roots: string[] = [];
const children: Child[] = [];
afterAll(async () => {
  for (const c of children) await stopChild(c);
  for (const root of roots) {
    const lock = readPostmasterLock(join(root, 'pg'));
    if (lock && isAlive(lock.pid)) process.kill(lock.pid, 'SIGINT');
    rmSync(root, { recursive: true, force: true });
  }
});

async function killMidCreate(mode: 'after-row' | 'in-transaction') {
  const root = mkdtempSync(join(tmpdir(), 'fettle-create-'));
  chmodSync(root, 0o777);
  roots.push(root);
  const env = { DATA_DIR: root, SEED_DEMO: 'false', JOB_ENGINE: 'embedded', DATABASE_URL: '', MODE: mode };
  const dying = startChild('tests/crash/support/create-and-hang.ts', env);
  children.push(dying);
  const title = await dying.ready;
  dying.process.kill('SIGKILL');
  await dying.exited;

  const restarted = startChild('tests/crash/support/boot.ts', env);
  children.push(restarted);
  const url = await restarted.ready;
  const db = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await db<{ status: string; engine_version: number; sla_due_at: Date | null; started: boolean }[]>`
      select status, engine_version, sla_due_at, exists (select from engine.jobs e where e.job_id = j.id) as started
      from jobs j where title = ${title}`;
    return { rows, output: restarted.output() };
  } finally {
    await db.end();
    await stopChild(restarted);
  }
}

describe('a job creation killed halfway', () => {
  it('on the embedded engine, leaves no trace when killed inside its transaction', async () => {
    const { rows } = await killMidCreate('in-transaction');
    expect(rows).toEqual([]);
  });

  it('is started at the next boot when killed after its row committed (as on Temporal)', async () => {
    const { rows, output } = await killMidCreate('after-row');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'new', engine_version: 1, started: true });
    expect(rows[0]!.sla_due_at).not.toBeNull();
    expect(output).toMatch(/job JOB-\d+ had no workflow \(the app stopped while creating it\); started it/);
  });
});
