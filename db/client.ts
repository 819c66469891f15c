// One connection pool and its drizzle handle. postgres.js: pipelined, prepared statements, small.
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import * as schema from './schema/index.ts';

/**
 * The pool as drizzle sees it, with the query builder's statements prepared. drizzle passes
 * `prepare: false` to postgres.js for every statement not built with `.prepare(name)`, so PostgreSQL
 * parsed and planned each one, and postgres.js sent each one with parameters in two round trips
 * (describe, then execute) that nothing could be pipelined behind. Prepared, each distinct text is
 * parsed once per connection and then bound and run in one message. That is safe here: every value
 * is a bound parameter (no user text is ever inlined, so the number of distinct texts is bounded by
 * the query shapes), postgres.js re-prepares on its own when a migration invalidates a cached plan
 * (`RevalidateCachedQuery`), connections are direct (no transaction-pooling PgBouncer) and are
 * recycled every 30–60 min (`max_lifetime`), which bounds each one's statement cache. Raw statements
 * (`db.execute`, sql``) were already prepared (postgres.js's default) and are unchanged. Transactions
 * and savepoints hand drizzle a connection of their own, so they are wrapped too. Everything else
 * (reserve, options, end, listen; the embedded engine's own prepared handle) passes through.
 */
function preparing<T extends Sql>(client: T): T {
  return new Proxy(client, {
    get(target, key) {
      if (key === 'unsafe') {
        return (query: string, params?: unknown[], options?: object) =>
          target.unsafe(query, params as never, { ...options, prepare: true });
      }
      if (key === 'begin' || key === 'savepoint') {
        // (options?, fn): the callback is last; it gets the transaction's own connection.
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: Sql) => unknown;
          const open = Reflect.get(target, key) as (...a: unknown[]) => unknown;
          return open(...args, (tx: Sql) => fn(preparing(tx)));
        };
      }
      return Reflect.get(target, key);
    },
  });
}

export function connect(url: string, options: { max?: number } = {}) {
  // connect_timeout: a database that is down fails a request in 5 s (postgres.js waits 30 by default), so
  // the app answers 503 promptly; the pool reconnects by itself once PostgreSQL is back.
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connect_timeout: 5,
    connection: { TimeZone: 'UTC' },
  });
  const db = drizzle({ client: preparing(sql), schema, casing: 'snake_case' });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}

export type Database = ReturnType<typeof connect>['db'];
/** A database handle or an open transaction: repositories accept either. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0] | Database;
export { schema };
