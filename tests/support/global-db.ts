// Vitest global setup: one real embedded PostgreSQL per run, with a migrated template database.
// Each test file clones the template (CREATE DATABASE … TEMPLATE), so files never share state.
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { connect } from '#db/client.ts';
import { startEmbeddedPostgres } from '#db/embedded.ts';
import { migrateDatabase } from '#db/migrate.ts';

const TEMPLATE_DB = 'fettle_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    pgTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), 'fettle-test-'));
  chmodSync(root, 0o777);
  const server = await startEmbeddedPostgres({
    dataDir: join(root, 'pg'),
    database: TEMPLATE_DB,
    // A throwaway cluster: durability settings off, so tests spend their time on the code under test.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
  });
  const { db, close } = connect(server.url, { max: 1 });
  await migrateDatabase(db);
  await close();
  project.provide('pgUrl', server.url);
  project.provide('pgTemplate', TEMPLATE_DB);
  return async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  };
}
