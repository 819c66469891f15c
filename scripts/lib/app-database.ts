// The app's database for an operator command: DATABASE_URL when set; otherwise the embedded PostgreSQL in
// DATA_DIR, reached where the running app serves it, or started (and migrated) for the command when the
// app is not running.
import { join } from 'node:path';
import { connect, type Database } from '#db/client.ts';
import { runningEmbeddedUrl, startEmbeddedPostgres } from '#db/embedded.ts';
import { migrateDatabase } from '#db/migrate.ts';
import type { Env } from '#worker/env.ts';

export async function openAppDatabase(env: Env): Promise<{ db: Database; close: () => Promise<void> }> {
  if (env.DATABASE_URL) return connect(env.DATABASE_URL, { max: 2 });
  const dataDir = join(env.DATA_DIR, 'pg');
  const running = await runningEmbeddedUrl(dataDir);
  if (running) return connect(running, { max: 2 });
  const pg = await startEmbeddedPostgres({ dataDir });
  const { db, close } = connect(pg.url, { max: 2 });
  await migrateDatabase(db);
  return {
    db,
    close: async () => {
      await close();
      await pg.stop();
    },
  };
}
