// The fault suite's whole-app case: the built app (web, embedded engine, dispatcher, mail through a real
// SMTP server) is killed with SIGKILL in the middle of a burst of job creations and offers, then started
// again with the same command and data directory. It must start; nothing it acknowledged is lost; no job
// is half-created; every effect ran once (one "offered" email per offer); and the SMTP server received
// every email, each under its own stable Message-ID, a repeat only for a message in flight at the kill.
import { one } from '#db/rows.ts';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { signInOverHttp, spawnApp, type SpawnedApp } from '../../scripts/spawn-app.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const apps: SpawnedApp[] = [];
let smtp: TestSmtpServer | null = null;
let root: string | null = null;
afterAll(async () => {
  for (const app of apps) await app.stop();
  await smtp?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const databaseUrlOf = (app: SpawnedApp) => {
  const url = /psql (postgres:\/\/\S+)/.exec(app.output())?.[1];
  if (!url) throw new Error(`the app did not print its database URL:\n${app.output()}`);
  return url;
};

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('kill -9 in a burst, then the same command again', () => {
  it('starts, keeps what it acknowledged, half-creates nothing, and mails each message once', async () => {
    smtp = await startSmtpServer();
    root = mkdtempSync(join(tmpdir(), 'fettle-burst-'));
    chmodSync(root, 0o777);
    const env = { SMTP_URL: smtp.url, SEED_DEMO: 'true', JOB_ENGINE: 'embedded', DATABASE_URL: '' };
    const first = await spawnApp({ dataDirPrefix: 'unused-', dataDir: root, env });
    apps.push(first);
    const base = first.url;
    const cookie = await signInOverHttp(base, 'staff@harbour.example', 'demo-password-1');
    const lookup = postgres(databaseUrlOf(first), { max: 1, onnotice: () => {} });
    const { propertyId, patId } = one(
      await lookup<{ propertyId: string; patId: string }[]>`
      select p.id as "propertyId", c.id as "patId"
      from users u join properties p on p.agency_id = u.agency_id join contractors c on c.agency_id = u.agency_id
      where u.email = 'staff@harbour.example' and c.email = 'pat@plumbfast.example' limit 1`,
    );
    await lookup.end();

    const call = async (path: string, input: unknown) => {
      const res = await fetch(`${base}/api/trpc/${path}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', origin: base },
        body: JSON.stringify(input),
      });
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
      return ((await res.json()) as { result: { data: { id?: string } } }).result.data;
    };
    // Six clients: create a job, offer it to Pat (an email to Pat), again and again; kill once 30 offers are in.
    const created: string[] = [];
    const offered: string[] = [];
    const failures: string[] = [];
    let dead = false;
    const clients = Array.from({ length: 6 }, async (_, c) => {
      for (let i = 0; !dead; i++) {
        try {
          const { id } = await call('jobs.create', { title: `Burst ${c}-${i}`, priorityCode: 'P3', propertyId });
          created.push(id!);
          await call('jobs.send', { id, command: { type: 'OFFER', contractorId: patId } });
          offered.push(id!);
        } catch (e) {
          if (!dead) failures.push(String(e)); // before the kill, nothing may fail
          return; // the app is gone
        }
      }
    });
    await until(() => offered.length >= 30, 'thirty offers', 60_000);
    process.kill(first.pid, 'SIGKILL');
    dead = true;
    expect(await first.exited).toBe('SIGKILL');
    await Promise.all(clients);
    expect(failures).toEqual([]);

    // The same command on the same data directory (its PostgreSQL was orphaned by the kill).
    const second = await spawnApp({ dataDirPrefix: 'unused-', dataDir: root, env });
    apps.push(second);
    const sql = postgres(databaseUrlOf(second), { max: 1, onnotice: () => {} });
    try {
      // Let the dispatcher and the mail deliverer finish what was pending at the kill.
      await until(
        async () => {
          const { pending } = one(
            await sql<{ pending: number }[]>`
          select ((select count(*) from engine.outbox where done_at is null) + (select count(*) from emails where sent_at is null and failed_at is null))::int as pending`,
          );
          return pending === 0;
        },
        'effects and emails to settle',
        90_000,
      );

      const jobs = await sql<{ id: string; started: boolean; offered: string | null }[]>`
        select j.id, exists (select from engine.jobs e where e.job_id = j.id) as started, j.offered_to_id as offered
        from jobs j where j.title like 'Burst %'`;
      const byId = new Map(jobs.map((j) => [j.id, j]));
      // Nothing acknowledged is lost; nothing is half-created.
      for (const id of created) expect(byId.has(id), `job ${id} was acknowledged`).toBe(true);
      for (const id of offered) expect(byId.get(id)?.offered, `offer of ${id} was acknowledged`).toBe(patId);
      expect(jobs.filter((j) => !j.started)).toEqual([]);

      // Every effect ran once: one "offered" email per offer the engine took.
      const offers = jobs.filter((j) => j.offered === patId).map((j) => j.id);
      const mails = await sql<{ id: number; jobId: string | null; sent: boolean }[]>`
        select id, job_id as "jobId", sent_at is not null as sent from emails where "to" = 'pat@plumbfast.example' and subject like '%offered to you%'`;
      const perJob = new Map<string, number>();
      for (const m of mails) if (m.jobId) perJob.set(m.jobId, (perJob.get(m.jobId) ?? 0) + 1);
      for (const id of offers) expect(perJob.get(id), `offer email for ${id}`).toBe(1);

      // The SMTP server got every stored email, each under its own Message-ID; a repeat only for the one in flight.
      const all = await sql<{ id: string }[]>`select id from emails where sent_at is not null`;
      const receivedIds = smtp.received.map((m) => Number(/<email-(\d+)@/.exec(m.messageId)?.[1]));
      expect(new Set(receivedIds)).toEqual(new Set(all.map((r) => Number(r.id))));
      expect(receivedIds.length - new Set(receivedIds).size).toBeLessThanOrEqual(4); // at most the messages in flight (4 lanes)
    } finally {
      await sql.end();
    }
  });
});
