// A fresh database for one test file, cloned from the migrated template.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { connect } from '#db/client.ts';

export async function createTestDatabase(options: { max?: number } = {}) {
  const base = inject('pgUrl');
  const name = `t_${randomUUID().replaceAll('-', '')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${inject('pgTemplate')}`);
  await admin.end();
  const url = base.replace(/\/[^/]+$/, `/${name}`);
  const conn = connect(url, options);
  return { ...conn, url, name };
}

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;
