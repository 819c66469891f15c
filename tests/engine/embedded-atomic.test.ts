// The embedded engine pipelines an event's writes with its COMMIT. These prove the event is still all or
// nothing: when any one write fails, none of the others (snapshot, history, audit, read model, outbox,
// deadline) is kept, the caller gets the write's error, and the job takes the same event afterwards.
import { one } from '#db/rows.ts';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, engineJobs, engineTimers, jobEvents, jobs, outbox } from '#db/schema/index.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency, createJobRow, manualClock } from '../support/fixtures.ts';

let database: TestDatabase;
let fx: Awaited<ReturnType<typeof createAgency>>;

beforeAll(async () => {
  database = await createTestDatabase({ max: 4 });
  fx = await createAgency(database.db);
});
afterAll(() => database?.close());

/** The error's message with its causes' (drizzle wraps the driver's error). */
const messages = (e: unknown): string => (e instanceof Error ? `${e.message} ${messages(e.cause)}` : '');
const failureOf = (p: Promise<unknown>) => p.then(() => 'no failure', messages);

async function snapshotOf(jobId: string) {
  const db = database.db;
  const [engine] = await db.select().from(engineJobs).where(eq(engineJobs.jobId, jobId));
  const [job] = await db.select().from(jobs).where(eq(jobs.id, jobId));
  const [timer] = await db.select().from(engineTimers).where(eq(engineTimers.jobId, jobId));
  return {
    version: engine!.version,
    state: engine!.state,
    status: job!.status,
    readModelVersion: job!.engineVersion,
    timer: timer ? { key: timer.key, dueAt: timer.dueAt } : null,
    events: (await db.select().from(jobEvents).where(eq(jobEvents.jobId, jobId))).length,
    audit: (await db.select().from(auditLog).where(eq(auditLog.jobId, jobId))).length,
    outbox: (await db.select().from(outbox).where(eq(outbox.jobId, jobId))).length,
  };
}

describe('embedded engine: one event, one transaction', () => {
  const staff = () => ({ id: fx.staff.id, role: 'staff' as const });

  // A constraint that refuses one table's row for the event: the failing write is the last one queued
  // (history/audit, via recordTransition) or the first (the engine's own snapshot/outbox/deadline).
  const failures = [
    { name: 'the audit row (written by recordTransition)', table: 'audit_log', check: "action <> 'job.offer'" },
    {
      name: 'the outbox row (written with the snapshot)',
      table: 'engine.outbox',
      check: "effect->'params'->>'template' is distinct from 'jobOffered'",
    },
  ];

  for (const failure of failures) {
    it(`keeps nothing of an event when ${failure.name} fails, and takes the event once the fault is gone`, async () => {
      const clock = manualClock();
      const engine = createEmbeddedEngine({ db: database.db, clock });
      const input = await createJobRow(database.db, fx.agency.id, { createdAt: clock(), propertyId: fx.property.id });
      await engine.start(input);
      const before = await snapshotOf(input.jobId);

      await database.sql.unsafe(
        `alter table ${failure.table} add constraint bench_fault check (${failure.check}) not valid`,
      );
      try {
        expect(
          await failureOf(
            engine.send(input.jobId, { type: 'OFFER', contractorId: fx.contractors[0].id, actor: staff() }),
          ),
        ).toMatch(/bench_fault/);
      } finally {
        await database.sql.unsafe(`alter table ${failure.table} drop constraint bench_fault`);
      }
      expect(await snapshotOf(input.jobId)).toEqual(before);

      const view = await engine.send(input.jobId, {
        type: 'OFFER',
        contractorId: fx.contractors[0].id,
        actor: staff(),
      });
      expect(view.version).toBe(before.version + 1);
      const after = await snapshotOf(input.jobId);
      expect(after).toMatchObject({
        version: before.version + 1,
        readModelVersion: before.version + 1,
        events: before.events + 1,
        audit: before.audit + 1,
      });
      expect(after.outbox).toBeGreaterThan(before.outbox);
      expect(after.timer?.key).not.toBe(before.timer?.key);
    });
  }

  it('leaves the connection usable after a failed event (no transaction left open on it)', async () => {
    const clock = manualClock();
    const engine = createEmbeddedEngine({ db: database.db, clock });
    const input = await createJobRow(database.db, fx.agency.id, { createdAt: clock(), propertyId: fx.property.id });
    await engine.start(input);
    await database.sql.unsafe(
      `alter table audit_log add constraint bench_fault check (action <> 'job.add_note') not valid`,
    );
    try {
      // More failures than the pool has connections: each must come back clean.
      for (let i = 0; i < 6; i++) {
        expect(
          await failureOf(engine.send(input.jobId, { type: 'ADD_NOTE', text: `note ${i}`, actor: staff() })),
        ).toMatch(/bench_fault/);
      }
    } finally {
      await database.sql.unsafe(`alter table audit_log drop constraint bench_fault`);
    }
    const { open } = one(
      await database.sql<{ open: number }[]>`
      select count(*)::int as open from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`,
    );
    expect(open).toBe(0);
    const views = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        engine.send(input.jobId, { type: 'ADD_NOTE', text: `again ${i}`, actor: staff() }),
      ),
    );
    expect(Math.max(...views.map((v) => v.version))).toBe(7);
  });
});
