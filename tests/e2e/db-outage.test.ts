// PostgreSQL going away under the running app: pages and the API answer 503 "temporarily unavailable,
// nothing was changed" with the session kept (not "sign in", not 401, not a bare 500), and everything
// works again by itself once the database is back. The outage is real: the app reaches its database
// through a TCP relay in this test, which is stopped (connections cut, new ones refused) and restarted.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '#db/embedded.ts';
import { signInOverHttp, spawnApp, type SpawnedApp } from '../../scripts/spawn-app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { DEMO_PASSWORD } from './support/app.ts';

/** A TCP relay to PostgreSQL that can be taken down and brought back on the same port. */
async function relay(target: { host: string; port: number }) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const up = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target);
        sockets.add(client).add(upstream);
        const drop = () => (client.destroy(), upstream.destroy(), sockets.delete(client), sockets.delete(upstream));
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', resolve);
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  await up();
  return { port, up, down };
}

let database: TestDatabase;
let app: SpawnedApp;
let link: Awaited<ReturnType<typeof relay>>;

beforeAll(async () => {
  database = await createTestDatabase({ max: 2 });
  const target = new URL(database.url);
  link = await relay({
    host: target.hostname === 'localhost' ? '127.0.0.1' : target.hostname,
    port: Number(target.port),
  });
  const proxied = new URL(database.url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(link.port);
  app = await spawnApp({
    dataDirPrefix: 'fettle-outage-',
    env: { DATABASE_URL: proxied.toString(), JOB_ENGINE: 'embedded', SEED_DEMO: 'true', NODE_ENV: 'production' },
  });
});
afterAll(async () => {
  await app?.stop();
  await link?.down();
  await database?.close();
});

describe('the database goes away and comes back', () => {
  it('answers 503 with the session kept while it is down, and recovers by itself', async () => {
    const cookie = await signInOverHttp(app.url, 'staff@harbour.example', DEMO_PASSWORD);
    const page = () => fetch(`${app.url}/jobs`, { headers: { cookie }, redirect: 'manual' });
    const api = () => fetch(`${app.url}/api/trpc/jobs.list?input=${encodeURIComponent('{}')}`, { headers: { cookie } });
    expect((await page()).status).toBe(200);

    await link.down();
    const during = await page();
    expect(during.status).toBe(503);
    expect(await during.text()).toMatch(/temporarily unavailable: nothing was changed/);
    expect(during.headers.get('location')).toBeNull();
    // The session cookie is not cleared (no "sign in again" after an outage).
    expect(during.headers.getSetCookie().filter((c) => /session/i.test(c))).toEqual([]);
    const apiDuring = await api();
    expect(apiDuring.status).toBe(503);
    expect(((await apiDuring.json()) as { error: { message: string } }).error.message).toMatch(
      /temporarily unavailable/,
    );

    await link.up();
    const end = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < end && (status = (await page()).status) !== 200) await new Promise((r) => setTimeout(r, 250));
    expect(status).toBe(200);
    expect((await api()).status).toBe(200);
  });
});
