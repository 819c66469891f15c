// A timer row that disagrees with its job's state (due by the row, nothing due by the job; or no job
// state at all) used to stay due for ever: the dispatcher found it, fired nothing, and looked again at
// once, at full CPU, saying nothing, across restarts. It must be corrected or dropped, said once, and
// the loop must go back to sleeping. Spinning is measured in queries, not wall time.
import { eq } from 'drizzle-orm';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineTimers } from '#db/schema/index.ts';
import { createDispatcher } from '#worker/embedded/dispatcher.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency, createJobRow } from '../support/fixtures.ts';

let database: TestDatabase;
let fx: Awaited<ReturnType<typeof createAgency>>;

beforeAll(async () => {
  database = await createTestDatabase({ max: 6 });
  fx = await createAgency(database.db);
});
afterAll(() => database?.close());

/** The dispatcher's client, counting the statements it sends. */
function counting(sql: Sql) {
  const counter = { queries: 0 };
  const proxy = new Proxy(sql, {
    apply(target, self, args: unknown[]): unknown {
      counter.queries++;
      return Reflect.apply(target, self, args);
    },
    get(target, key): unknown {
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { sql: proxy, counter };
}

/** Waits for `check`; fails the test (rather than going on with a dispatcher still starting) when it never holds. */
const until = async (check: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !check();) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const timerOf = async (jobId: string) =>
  (await database.db.select().from(engineTimers).where(eq(engineTimers.jobId, jobId)))[0];

describe('timer rows that disagree with their job', () => {
  it('are corrected or dropped, logged once, and the dispatcher does not spin', async () => {
    const engine = createEmbeddedEngine({ db: database.db });
    const past = new Date(Date.now() - 60_000);

    // A started job whose row says its deadline is due, though by its state it is hours away.
    const started = await createJobRow(database.db, fx.agency.id, { propertyId: fx.property.id });
    const view = await engine.start(started);
    const real = (await timerOf(started.jobId))!;
    expect(real.dueAt.getTime()).toBe(Date.parse(view.nextTimer!.at));
    await database.db
      .update(engineTimers)
      .set({ key: 'stale-key', dueAt: past })
      .where(eq(engineTimers.jobId, started.jobId));

    // A due row for a job with no engine state at all.
    const stateless = await createJobRow(database.db, fx.agency.id, { propertyId: fx.property.id });
    await database.db.insert(engineTimers).values({ jobId: stateless.jobId, key: 'orphan', dueAt: past });

    const logged: string[] = [];
    const { sql, counter } = counting(database.sql);
    const idleMs = 250;
    const dispatcher = createDispatcher({
      sql,
      engine,
      activities: { runEffect: async () => {} },
      idleMs,
      log: (m) => logged.push(m),
    });
    await dispatcher.start();
    try {
      await until(() => logged.length >= 2, 10_000);
      const before = counter.queries;
      // Four idle periods: a sleeping dispatcher polls about four times (three statements each); a
      // spinning one sends thousands.
      await new Promise((r) => setTimeout(r, idleMs * 4));
      expect(counter.queries - before).toBeLessThan(40);
    } finally {
      await dispatcher.stop();
    }

    expect(await timerOf(started.jobId)).toMatchObject({ key: real.key, dueAt: real.dueAt });
    expect(await timerOf(stateless.jobId)).toBeUndefined();
    expect(logged.filter((m) => m.includes(started.jobId))).toEqual([
      `timer for job ${started.jobId} disagreed with the job's state (row: stale-key due ${past.toISOString()}); reset to ${real.key} due ${real.dueAt.toISOString()}`,
    ]);
    expect(logged.filter((m) => m.includes(stateless.jobId))).toEqual([
      `timer for job ${stateless.jobId} disagreed with the job's state (row: orphan due ${past.toISOString()}); dropped (the job has no engine state)`,
    ]);
    expect(logged).toHaveLength(2);
  });

  it('polls instead of spinning, and says so once, when due work cannot be done at all', async () => {
    const real = createEmbeddedEngine({ db: database.db });
    const job = await createJobRow(database.db, fx.agency.id, { propertyId: fx.property.id });
    await real.start(job);
    await database.db
      .update(engineTimers)
      .set({ dueAt: new Date(Date.now() - 60_000) })
      .where(eq(engineTimers.jobId, job.jobId));
    // An engine that can neither fire nor correct it: whatever the cause, the loop must not spin.
    const engine = { ...real, fireDueTimer: () => Promise.resolve(false), reconcileTimer: () => Promise.resolve(null) };
    const logged: string[] = [];
    const { sql, counter } = counting(database.sql);
    const idleMs = 250;
    const dispatcher = createDispatcher({
      sql,
      engine,
      activities: { runEffect: async () => {} },
      idleMs,
      log: (m) => logged.push(m),
    });
    await dispatcher.start();
    try {
      await until(() => logged.length >= 1, 10_000);
      const before = counter.queries;
      await new Promise((r) => setTimeout(r, idleMs * 4));
      expect(counter.queries - before).toBeLessThan(40);
    } finally {
      await dispatcher.stop();
      await database.db.delete(engineTimers).where(eq(engineTimers.jobId, job.jobId));
    }
    expect(logged).toEqual([`dispatcher: work is due that it cannot do; polling every ${idleMs} ms`]);
  });
});
