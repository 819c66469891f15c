// Staff "needs action" items clear when the action is done: a job taken from offer to close through the API,
// with the engine's effects run as the app runs them, leaves nothing in the list and nothing on the bell.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '#db/schema/index.ts';
import { createActivities } from '#activities/index.ts';
import { notify } from '#activities/notify.ts';
import { createDispatcher } from '#worker/embedded/dispatcher.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { callerFor, contractorOf, staffOf } from '../support/callers.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency } from '../support/fixtures.ts';

let t: TestDatabase;
let a: Awaited<ReturnType<typeof createAgency>>;
let jobId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  a = await createAgency(t.db, 'Agency A');
  ({ id: jobId } = await callerFor(t.db, staffOf(a)).jobs.create({
    title: 'Leaking tap',
    priorityCode: 'P2',
    propertyId: a.property.id,
  }));
});
afterAll(() => t?.close());

const staff = () => callerFor(t.db, staffOf(a));
/** Sends the event as `who`, then runs its effects (the notifications) as the app's dispatcher would. */
type Command = Parameters<ReturnType<typeof staff>['jobs']['send']>[0]['command'];
async function step(who: 'staff' | 0 | 1, command: Command) {
  const caller = who === 'staff' ? staff() : callerFor(t.db, contractorOf(a, who));
  await caller.jobs.send({ id: jobId, command });
  const engine = createEmbeddedEngine({ db: t.db });
  await createDispatcher({ sql: t.sql, engine, activities: createActivities({ db: t.db }) }).drain();
}
/** What the console lists as needing action, and the bell's number. */
async function needs() {
  const list = await staff().notifications.list({});
  return { open: list.items.map((n) => n.template), bell: (await staff().notifications.unreadCount()).count };
}

describe('needs action', () => {
  it('clears each item when the job moves past it', async () => {
    await step('staff', { type: 'OFFER', contractorId: a.contractors[0].id });
    await step(0, { type: 'DECLINE', reason: 'Too far' });
    expect(await needs()).toEqual({ open: ['offerDeclined'], bell: 1 });

    // Offering it again is the action a refusal asked for.
    await step('staff', { type: 'OFFER', contractorId: a.contractors[1].id });
    await step(1, { type: 'ACCEPT' });
    expect(await needs()).toEqual({ open: ['offerAccepted'], bell: 1 });

    await step(1, { type: 'START' });
    expect(await needs()).toEqual({ open: [], bell: 0 });

    await step(1, { type: 'COMPLETE', note: 'Washer replaced' });
    expect(await needs()).toEqual({ open: ['workCompleted'], bell: 1 });

    // Read is not done: a read item still needs someone, though the bell no longer rings for it.
    const [completed] = (await staff().notifications.list({})).items;
    await staff().notifications.markRead({ ids: [completed!.id] });
    expect(await needs()).toEqual({ open: ['workCompleted'], bell: 0 });

    await step('staff', { type: 'CLOSE' });
    expect(await needs()).toEqual({ open: [], bell: 0 });

    // The history keeps them all, each marked done.
    const all = (await staff().notifications.list({ show: 'all' })).items.filter((n) =>
      ['offerDeclined', 'offerAccepted', 'workCompleted'].includes(n.template),
    );
    expect(all.map((n) => [n.template, n.resolvedAt !== null])).toEqual([
      ['workCompleted', true],
      ['offerAccepted', true],
      ['offerDeclined', true],
    ]);
  });

  it('writes a notification that arrives after its job moved on as already done', async () => {
    // An escalation raised by transition 2 whose effect ran late, after the offer was answered (transition 3).
    await notify(t.db, {
      jobId,
      seq: 2,
      key: `${jobId}:2:late`,
      params: { template: 'offerEscalation', contractors: [], staff: true, data: {} },
    });
    const [late] = await t.db
      .select()
      .from(notifications)
      .where(eq(notifications.key, `${jobId}:2:late`));
    expect(late?.resolvedAt).not.toBeNull();
    expect(await needs()).toEqual({ open: [], bell: 0 });
  });
});
