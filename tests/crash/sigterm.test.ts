// SIGTERM while the app is busy creating jobs: it stops accepting, finishes what it has in flight, then
// stops the engine, the pool and PostgreSQL, and exits 0. Every request it took either succeeds or was
// never accepted; none gets a 500, and no job is left half-created. Run against the real built app.
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedServer } from '#db/embedded.ts';
import { signInOverHttp, spawnApp, type SpawnedApp } from '../../scripts/spawn-app.ts';

let app: SpawnedApp | null = null;
let pg: EmbeddedServer | null = null;
afterAll(async () => {
  await pg?.stop();
  await app?.stop();
});

type Outcome =
  { kind: 'ok'; id: string } | { kind: 'http'; status: number; body: string } | { kind: 'refused'; error: string };

describe('SIGTERM under load', () => {
  it('drains requests in flight, then stops everything and exits 0', async () => {
    app = await spawnApp({
      dataDirPrefix: 'fettle-sigterm-',
      env: { SEED_DEMO: 'true', JOB_ENGINE: 'embedded', DATABASE_URL: '' },
    });
    const base = app.url;
    const cookie = await signInOverHttp(base, 'staff@harbour.example', 'demo-password-1');
    const listed = await fetch(`${base}/api/trpc/properties.list?input=${encodeURIComponent(JSON.stringify({}))}`, {
      headers: { cookie },
    });
    const propertyId = ((await listed.json()) as { result: { data: { items: { id: string }[] } } }).result.data
      .items[0]!.id;

    const create = async (i: number): Promise<Outcome> => {
      try {
        const res = await fetch(`${base}/api/trpc/jobs.create`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json', origin: base },
          body: JSON.stringify({ title: `Burst job ${i}`, priorityCode: 'P3', propertyId }),
        });
        const body = await res.text();
        if (res.status === 200)
          return { kind: 'ok', id: (JSON.parse(body) as { result: { data: { id: string } } }).result.data.id };
        return { kind: 'http', status: res.status, body: body.slice(0, 300) };
      } catch (e) {
        return { kind: 'refused', error: e instanceof Error ? `${e.message} ${String(e.cause)}` : String(e) };
      }
    };
    // Eight clients creating jobs back to back; SIGTERM once a few have gone through.
    let stop = false;
    let made = 0;
    const outcomes: Outcome[] = [];
    const clients = Array.from({ length: 8 }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        const outcome = await create(c * 1000 + i);
        outcomes.push(outcome);
        if (outcome.kind === 'ok') made++;
        if (outcome.kind === 'refused') return;
      }
    });
    for (const end = Date.now() + 60_000; made < 20; await new Promise((r) => setTimeout(r, 5))) {
      if (Date.now() > end)
        throw new Error(`only ${made} jobs created: ${JSON.stringify(outcomes.slice(-3))}\n${app.output()}`);
    }
    process.kill(app.pid, 'SIGTERM');
    const code = await app.exited;
    stop = true;
    await Promise.all(clients);

    expect(code, app.output()).toBe(0);
    expect(app.output()).toContain('stopped');
    expect(app.output()).not.toMatch(/TypeError|Unhandled/);
    // Accepted requests all succeeded; the rest were never accepted (connection refused or closed).
    expect(outcomes.filter((o) => o.kind === 'http')).toEqual([]);
    const created = outcomes.flatMap((o) => (o.kind === 'ok' ? [o.id] : []));

    // Nothing half-created: every job row has its engine state, and every acknowledged job exists.
    pg = await startEmbeddedPostgres({ dataDir: `${app.dataDir}/pg` });
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ id: string; started: boolean }[]>`
        select j.id, exists (select from engine.jobs e where e.job_id = j.id) as started from jobs j where j.title like 'Burst job %'`;
      expect(rows.filter((r) => !r.started)).toEqual([]);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(created));
    } finally {
      await sql.end();
    }
  });
});
