// One event, one round trip (ADR 0067): the embedded engine steps from the snapshot it keeps in process and
// sends every write as one statement, version-checked. These prove it is one message for an ordinary event,
// and that a kept snapshot another writer has moved past costs a retry under the row lock, never a lost or
// doubled event.
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '#db/client.ts';
import { auditLog, engineJobs, jobEvents, jobs } from '#db/schema/index.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency, createJobRow, manualClock } from '../support/fixtures.ts';

let database: TestDatabase;
let fx: Awaited<ReturnType<typeof createAgency>>;

beforeAll(async () => {
  database = await createTestDatabase({ max: 6 });
  fx = await createAgency(database.db);
});
afterAll(() => database?.close());

const staff = () => ({ id: fx.staff.id, role: 'staff' as const });
const note = (text: string) => ({ type: 'ADD_NOTE' as const, text, actor: staff() });

/** The database handle with its driver's calls counted: statements sent alone, and connections reserved. */
function counted(db: Database) {
  const calls = { alone: 0, reserved: 0 };
  const client = new Proxy(db.$client, {
    get(target, key, receiver) {
      if (key === 'unsafe')
        return (...args: Parameters<typeof target.unsafe>) => {
          calls.alone++;
          return target.unsafe(...args);
        };
      if (key === 'reserve')
        return () => {
          calls.reserved++;
          return target.reserve();
        };
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const wrapped = new Proxy(db, {
    get: (target, key, receiver) => (key === '$client' ? client : (Reflect.get(target, key, receiver) as unknown)),
  });
  return { db: wrapped, calls };
}

async function historyOf(jobId: string) {
  const events = await database.db
    .select({ seq: jobEvents.seq, type: jobEvents.type })
    .from(jobEvents)
    .where(eq(jobEvents.jobId, jobId))
    .orderBy(asc(jobEvents.seq));
  const [engine] = await database.db.select().from(engineJobs).where(eq(engineJobs.jobId, jobId));
  const [job] = await database.db.select().from(jobs).where(eq(jobs.id, jobId));
  const audit = await database.db.select().from(auditLog).where(eq(auditLog.jobId, jobId));
  return {
    events,
    version: engine!.version,
    readModel: job!.engineVersion,
    notes: job!.noteCount,
    audit: audit.length,
  };
}

describe('embedded engine: one round trip per event', () => {
  it('sends an ordinary event on a job it has seen as one statement, on no reserved connection', async () => {
    const clock = manualClock();
    const { db, calls } = counted(database.db);
    const engine = createEmbeddedEngine({ db, clock });
    const input = await createJobRow(database.db, fx.agency.id, { createdAt: clock(), propertyId: fx.property.id });
    await engine.start(input);
    calls.alone = calls.reserved = 0;

    const view = await engine.send(input.jobId, note('Tenant rang about access.'));
    expect(view.version).toBe(2);
    expect(calls).toEqual({ alone: 1, reserved: 0 });

    await engine.send(input.jobId, { type: 'OFFER', contractorId: fx.contractors[0].id, actor: staff() });
    expect(calls).toEqual({ alone: 2, reserved: 0 });

    const h = await historyOf(input.jobId);
    expect(h.events.map((e) => e.type)).toEqual(['CREATED', 'ADD_NOTE', 'OFFER']);
    expect(h).toMatchObject({ version: 3, readModel: 3, notes: 1, audit: 3 });
  });

  it('takes the row lock for a job it has no snapshot of, then keeps it', async () => {
    const clock = manualClock();
    const input = await createJobRow(database.db, fx.agency.id, { createdAt: clock(), propertyId: fx.property.id });
    await createEmbeddedEngine({ db: database.db, clock }).start(input);
    // Another process: it has never seen the job.
    const { db, calls } = counted(database.db);
    const other = createEmbeddedEngine({ db, clock });
    await other.send(input.jobId, note('first'));
    expect(calls).toEqual({ alone: 0, reserved: 1 });
    await other.send(input.jobId, note('second'));
    expect(calls).toEqual({ alone: 1, reserved: 1 });
    expect((await historyOf(input.jobId)).version).toBe(3);
  });

  it('re-runs an event under the row lock when another process has moved the job past its snapshot', async () => {
    const clock = manualClock();
    const input = await createJobRow(database.db, fx.agency.id, { createdAt: clock(), propertyId: fx.property.id });
    const a = createEmbeddedEngine({ db: database.db, clock });
    const b = createEmbeddedEngine({ db: database.db, clock });
    await a.start(input);
    await a.send(input.jobId, note('a1'));
    // b moves the job on twice; a's kept snapshot (version 2) is now behind.
    await b.send(input.jobId, note('b1'));
    await b.send(input.jobId, { type: 'OFFER', contractorId: fx.contractors[0].id, actor: staff() });
    // a's event is stepped from the job as b left it: an offered job accepts, which version 2 would refuse.
    const accepted = await a.send(input.jobId, {
      type: 'ACCEPT',
      actor: { id: fx.contractors[0].id, role: 'contractor' },
    });
    expect(accepted).toMatchObject({ version: 5, status: 'assigned' });
    await a.send(input.jobId, note('a2'));
    const h = await historyOf(input.jobId);
    expect(h.events).toEqual(
      ['CREATED', 'ADD_NOTE', 'ADD_NOTE', 'OFFER', 'ACCEPT', 'ADD_NOTE'].map((type, i) => ({ seq: i + 1, type })),
    );
    expect(h).toMatchObject({ version: 6, readModel: 6, notes: 3, audit: 6 });
  });

  it('writes nothing from a stale snapshot: the lost race re-runs, and every event is recorded once', async () => {
    const clock = manualClock();
    const input = await createJobRow(database.db, fx.agency.id, { createdAt: clock(), propertyId: fx.property.id });
    const engines = [0, 1, 2].map(() => createEmbeddedEngine({ db: database.db, clock }));
    await engines[0]!.start(input);
    await Promise.all(engines.map((e) => e.send(input.jobId, note('warm-up'))));
    // Three processes, four events each, all at once on one job: every kept snapshot goes stale in turn.
    await Promise.all(
      engines.flatMap((e, n) => [0, 1, 2, 3].map((i) => e.send(input.jobId, note(`engine ${n} note ${i}`)))),
    );
    const h = await historyOf(input.jobId);
    expect(h.events.map((e) => e.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(h).toMatchObject({ version: 16, readModel: 16, notes: 15, audit: 16 });
  });
});
