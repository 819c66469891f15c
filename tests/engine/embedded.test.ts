// Durability of the embedded engine: crashes around effects, abandoned claims, retries, the live loop.
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '#activities/index.ts';
import type { EffectCall } from '#workflows/activity-contract.ts';
import { emails, outbox } from '#db/schema/index.ts';
import { createDispatcher } from '#worker/embedded/dispatcher.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency, createJobRow, manualClock } from '../support/fixtures.ts';

let database: TestDatabase;
let fx: Awaited<ReturnType<typeof createAgency>>;

beforeAll(async () => {
  database = await createTestDatabase({ max: 10 });
  fx = await createAgency(database.db);
});
afterAll(() => database?.close());

async function offeredJob(clock = manualClock()) {
  const engine = createEmbeddedEngine({ db: database.db, clock });
  const input = await createJobRow(database.db, fx.agency.id, { createdAt: clock(), propertyId: fx.property.id });
  await engine.start(input);
  await engine.send(input.jobId, {
    type: 'OFFER',
    contractorId: fx.contractors[0].id,
    actor: { id: fx.staff.id, role: 'staff' },
  });
  return { engine, input, clock };
}

const offerEmails = (reference: string) =>
  database.db
    .select()
    .from(emails)
    .where(and(eq(emails.to, fx.contractors[0].email), like(emails.body, `%${reference}%`)));

describe('embedded engine durability', () => {
  it('re-runs an effect cut off between running and being marked done, and the world sees it once', async () => {
    const { engine, input, clock } = await offeredJob();
    const real = createActivities({ db: database.db });
    // First process: the effect reaches the outside world, then the process dies before recording it.
    const dying = createDispatcher({
      sql: database.sql,
      engine,
      clock,
      activities: {
        async runEffect(call: EffectCall) {
          await real.runEffect(call);
          throw new Error('process killed');
        },
      },
    });
    await dying.runOutbox();
    expect(await offerEmails(input.reference)).toHaveLength(1);
    const [pending] = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.jobId, input.jobId), eq(outbox.seq, 2)));
    expect(pending!.doneAt).toBeNull();

    // After restart, once the retry is due, the effect runs again: idempotent, still one email.
    clock.advance(2_000);
    const restarted = createDispatcher({
      sql: database.sql,
      engine: createEmbeddedEngine({ db: database.db, clock }),
      activities: real,
      clock,
    });
    await restarted.drain();
    expect(await offerEmails(input.reference)).toHaveLength(1);
    const [done] = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.jobId, input.jobId), eq(outbox.seq, 2)));
    expect(done!.doneAt).not.toBeNull();
    expect(done!.attempts).toBe(2);
  });

  it('leaves a claim held by a dead dispatcher alone until its lease expires', async () => {
    const { engine, input, clock } = await offeredJob();
    // A dispatcher claimed the row (lease 30 s) and was killed before running it.
    await database.sql`update engine.outbox set locked_until = ${new Date(clock().getTime() + 30_000).toISOString()}, attempts = 1
                       where job_id = ${input.jobId}`;
    const next = createDispatcher({
      sql: database.sql,
      engine,
      activities: createActivities({ db: database.db }),
      clock,
      leaseMs: 30_000,
    });
    await next.drain();
    expect(await offerEmails(input.reference)).toHaveLength(0);
    clock.advance(31_000);
    await next.drain();
    expect(await offerEmails(input.reference)).toHaveLength(1);
  });

  it('at start, runs at once the effects an earlier boot of the same instance had claimed', async () => {
    const { engine, input, clock } = await offeredJob();
    const other = await offeredJob(clock);
    // This instance's previous boot claimed the offer's effects (lease 30 s) and died; so did another instance's.
    const lease = new Date(clock().getTime() + 30_000).toISOString();
    await database.sql`update engine.outbox set locked_until = ${lease}, locked_by = 'box-1/previous-boot', attempts = 1
                       where job_id = ${input.jobId} and done_at is null`;
    await database.sql`update engine.outbox set locked_until = ${lease}, locked_by = 'box-2/its-boot', attempts = 1
                       where job_id = ${other.input.jobId} and done_at is null`;
    const next = createDispatcher({
      sql: database.sql,
      engine,
      activities: createActivities({ db: database.db }),
      clock,
      instance: 'box-1',
      idleMs: 50,
    });
    await next.start();
    try {
      // The clock stands still: only the released claims can explain the email.
      await expect
        .poll(async () => (await offerEmails(input.reference)).length, { timeout: 5000, interval: 50 })
        .toBe(1);
      const [row] = await database.db
        .select()
        .from(outbox)
        .where(and(eq(outbox.jobId, input.jobId), eq(outbox.seq, 2)));
      expect(row).toMatchObject({ lockedBy: null, attempts: 2 });
      expect(row!.doneAt).not.toBeNull();
    } finally {
      await next.stop();
    }
    // Another instance's claim may belong to a live process: it waits out its lease.
    expect(await offerEmails(other.input.reference)).toHaveLength(0);
    const [held] = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.jobId, other.input.jobId), eq(outbox.seq, 2)));
    expect(held).toMatchObject({ lockedBy: 'box-2/its-boot', doneAt: null });
  });

  it('retries a failing effect with backoff and records the error', async () => {
    const { engine, input, clock } = await offeredJob();
    const real = createActivities({ db: database.db });
    let failures = 2;
    const flaky = {
      async runEffect(call: EffectCall) {
        if (failures-- > 0) throw new Error('SMTP unavailable');
        await real.runEffect(call);
      },
    };
    const dispatcher = createDispatcher({ sql: database.sql, engine, activities: flaky, clock });
    await dispatcher.drain();
    const row = async () =>
      (
        await database.db
          .select()
          .from(outbox)
          .where(and(eq(outbox.jobId, input.jobId), eq(outbox.seq, 2)))
      )[0];
    expect((await row())!.lastError).toMatch(/SMTP unavailable/);
    expect((await row())!.availableAt.getTime()).toBe(clock().getTime() + 1000);
    clock.advance(1000);
    await dispatcher.drain();
    expect((await row())!.availableAt.getTime()).toBe(clock().getTime() + 2000); // doubled
    clock.advance(2000);
    await dispatcher.drain();
    expect((await row())!.doneAt).not.toBeNull();
    expect((await row())!.attempts).toBe(3);
    expect(await offerEmails(input.reference)).toHaveLength(1);
  });

  it('wakes at once on NOTIFY when running live', async () => {
    // Its own database: nothing else is due there, so only the notification can wake the dispatcher.
    const live = await createTestDatabase({ max: 5 });
    const liveFx = await createAgency(live.db);
    const engine = createEmbeddedEngine({ db: live.db });
    const dispatcher = createDispatcher({
      sql: live.sql,
      engine,
      activities: createActivities({ db: live.db }),
      idleMs: 60_000,
    });
    await dispatcher.start();
    try {
      const input = await createJobRow(live.db, liveFx.agency.id, { propertyId: liveFx.property.id });
      await engine.start(input);
      await new Promise((r) => setTimeout(r, 200)); // the dispatcher is now asleep for up to a minute
      await engine.send(input.jobId, {
        type: 'OFFER',
        contractorId: liveFx.contractors[0].id,
        actor: { id: liveFx.staff.id, role: 'staff' },
      });
      const sent = () =>
        live.db
          .select()
          .from(emails)
          .where(and(eq(emails.to, liveFx.contractors[0].email), like(emails.body, `%${input.reference}%`)));
      await expect.poll(async () => (await sent()).length, { timeout: 5000, interval: 50 }).toBe(1);
    } finally {
      await dispatcher.stop();
      await live.close();
    }
  });
});
