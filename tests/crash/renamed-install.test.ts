// An embedded data directory made before the rename to Fettle keeps working: its data stayed in the
// `fixflow` database and its port was remembered in `fixflow.port`.
import { chmodSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '#db/embedded.ts';

const root = mkdtempSync(join(tmpdir(), 'fettle-renamed-'));
chmodSync(root, 0o777);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('an install from before the rename', () => {
  it('keeps using its fixflow database and its remembered port', async () => {
    const dataDir = join(root, 'pg');
    // As the old release left it: data in `fixflow`, the port in fixflow.port.
    const old = await startEmbeddedPostgres({ dataDir, database: 'fixflow' });
    const db = postgres(old.url, { max: 1, onnotice: () => {} });
    await db`create table kept (note text)`;
    await db`insert into kept values ('made by FixFlow')`;
    await db.end();
    await old.stop();
    renameSync(join(dataDir, 'fettle.port'), join(dataDir, 'fixflow.port'));

    const again = await startEmbeddedPostgres({ dataDir });
    try {
      expect(new URL(again.url).pathname).toBe('/fixflow');
      expect(again.port).toBe(old.port);
      const db2 = postgres(again.url, { max: 1, onnotice: () => {} });
      expect(await db2`select note from kept`).toEqual([{ note: 'made by FixFlow' }]);
      // No empty `fettle` database is made beside it.
      expect(await db2`select count(*)::int as n from pg_database where datname = 'fettle'`).toEqual([{ n: 0 }]);
      await db2.end();
      expect(existsSync(join(dataDir, 'fettle.port'))).toBe(true);
    } finally {
      await again.stop();
    }
  });

  it('a new data directory gets the fettle database', async () => {
    const fresh = await startEmbeddedPostgres({ dataDir: join(root, 'fresh') });
    try {
      expect(new URL(fresh.url).pathname).toBe('/fettle');
    } finally {
      await fresh.stop();
    }
  });
});
