// One connection pool and its drizzle handle. postgres.js: pipelined, prepared statements, small.
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema/index.ts';

export function connect(url: string, options: { max?: number } = {}) {
  const sql = postgres(url, { max: options.max ?? 10, onnotice: () => {}, connection: { TimeZone: 'UTC' } });
  const db = drizzle({ client: sql, schema, casing: 'snake_case' });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}

export type Database = ReturnType<typeof connect>['db'];
/** A database handle or an open transaction: repositories accept either. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0] | Database;
export { schema };
