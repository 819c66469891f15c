// The job workflow's event loop against an injected fake runtime: no server, no Temporal.
// The same loop runs inside the workflow, where the runtime is @temporalio/workflow.
import { describe, expect, it } from 'vitest';
import type { EffectCall, ProjectionFailure, Transition } from '#workflows/activity-contract.ts';
import {
  createJobLoop,
  type JobLoop,
  type LoopCarry,
  type LoopExit,
  type LoopRuntime,
} from '#workflows/temporal/job-loop.ts';
import type { Actor, JobCommand, JobInput } from '#workflows/model.ts';
import type { JobView } from '#workflows/job-host.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const STAFF: Actor = { id: 'staff-1', role: 'staff' };
const PAT: Actor = { id: 'pat', role: 'contractor' };
const EVE: Actor = { id: 'eve', role: 'contractor' };

const input = (): JobInput => ({
  jobId: 'job-1',
  reference: 'JOB-000001',
  agencyId: 'agency-1',
  createdAt: new Date(T0).toISOString(),
  priority: { code: 'P2', name: 'Urgent', targetHours: 24, warnAtPercent: [75, 90] },
  chase: { offerReminderHours: 4, offerEscalationHours: 24, invoiceReminderHours: 168 },
});

class Refused extends Error {
  override readonly name = 'Refused';
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Polls until `check` holds; fails the test instead of hanging. */
async function until(check: () => boolean, what = 'condition') {
  for (let i = 0; i < 10_000; i++) {
    if (check()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(e: Error): void;
}
const deferred = (): Deferred => {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

/** A runtime with a hand-moved clock, recorded calls and switchable failures. */
function fakeRuntime() {
  let now = T0;
  let handlers = 0;
  const fake = {
    transitions: [] as Transition[],
    effects: [] as EffectCall[],
    published: [] as JobView[],
    logs: [] as { level: string; message: string }[],
    flagged: [] as ProjectionFailure[],
    /** Deadlines the loop asked to wait for, in order. */
    deadlines: [] as (string | null)[],
    continueAsNew: false,
    recordFails: (_t: Transition): Error | null => null,
    effectFails: (_c: EffectCall): Error | null => null,
    /** When set, effects wait for this before finishing. */
    effectGate: null as Deferred | null,
    set(ms: number) {
      now = ms;
    },
    get now() {
      return now;
    },
    get handlers() {
      return handlers;
    },
    runtime: null as unknown as LoopRuntime,
    /** Submits the way the workflow's update handler does: a handler is running until it settles. */
    submit(loop: JobLoop, command: JobCommand) {
      handlers++;
      return loop.submit(command).finally(() => handlers--);
    },
  };
  fake.runtime = {
    now: () => new Date(now),
    async waitFor(ready, deadline) {
      fake.deadlines.push(deadline?.toISOString() ?? null);
      for (;;) {
        if (ready()) return true;
        if (deadline && now >= deadline.getTime()) return false;
        await tick();
      }
    },
    async recordTransition(t) {
      await tick();
      const failure = fake.recordFails(t);
      if (failure) throw failure;
      fake.transitions.push(structuredClone(t));
    },
    async projectionFailed(f) {
      await tick();
      fake.flagged.push(f);
    },
    async runEffect(call) {
      await tick();
      if (fake.effectGate) await fake.effectGate.promise;
      const failure = fake.effectFails(call);
      if (failure) throw failure;
      fake.effects.push(structuredClone(call));
    },
    published: (view) => void fake.published.push(structuredClone(view)),
    shouldContinueAsNew: () => fake.continueAsNew,
    handlersFinished: () => handlers === 0,
    refusal: (reason) => new Refused(reason),
    log: (level, message) => void fake.logs.push({ level, message }),
  };
  return fake;
}

type Fake = ReturnType<typeof fakeRuntime>;

function boot(fake: Fake, start: { input: JobInput } | { carry: LoopCarry } = { input: input() }) {
  const loop = createJobLoop(start, fake.runtime);
  let exit: LoopExit | null = null;
  let failure: { reason: unknown } | null = null;
  const running = loop.run().then(
    (e) => void (exit = e),
    (reason: unknown) => void (failure = { reason }),
  );
  return {
    loop,
    running,
    get exit() {
      if (failure) throw failure.reason;
      return exit;
    },
  };
}

const types = (fake: Fake) => fake.transitions.map((t) => t.event?.type ?? 'CREATED');

describe('job loop: events', () => {
  it('records the start as seq 1 at the job’s creation time, and sync answers after it', async () => {
    const fake = fakeRuntime();
    const { loop } = boot(fake);
    expect(loop.view()).toMatchObject({ jobId: 'job-1', version: 1, status: 'new' });
    const view = await loop.sync();
    expect(view.version).toBe(1);
    expect(fake.transitions).toEqual([
      expect.objectContaining({ jobId: 'job-1', seq: 1, event: null, from: null, at: new Date(T0).toISOString() }),
    ]);
    expect(fake.transitions[0]!.state.status).toBe('new');
    expect(view.nextTimer).toMatchObject({ kind: 'slaWarning', at: new Date(T0 + 18 * HOUR).toISOString() });
    expect(fake.published.at(-1)?.version).toBe(1);
  });

  it('applies an accepted event: stamps `at` with the runtime clock, records it, then runs its effects', async () => {
    const fake = fakeRuntime();
    const { loop } = boot(fake);
    await loop.sync();
    fake.set(T0 + 60_000);
    const view = await fake.submit(loop, { type: 'OFFER', contractorId: PAT.id, actor: STAFF });
    expect(view).toMatchObject({ version: 2, status: 'new' });
    expect(view.context.offeredTo).toBe(PAT.id);
    // The update's answer comes after the transition is recorded (read-your-writes for the read model).
    expect(fake.transitions.at(-1)).toMatchObject({ seq: 2, from: 'new', at: new Date(T0 + 60_000).toISOString() });
    expect(fake.transitions.at(-1)?.event).toMatchObject({ type: 'OFFER', at: new Date(T0 + 60_000).toISOString() });
    await until(() => fake.effects.length === 1, 'the offer notification');
    expect(fake.effects[0]).toMatchObject({
      jobId: 'job-1',
      seq: 2,
      idx: 0,
      effect: { type: 'notify', params: { template: 'jobOffered', contractors: [PAT.id] } },
    });
  });

  it('refuses what the machine refuses, with its reason, in the validator and in the handler, changing nothing', async () => {
    const fake = fakeRuntime();
    const { loop } = boot(fake);
    await loop.sync();
    expect(loop.validate({ type: 'ACCEPT', actor: PAT })).toMatch(/not been offered to you/);
    expect(loop.validate({ type: 'CLOSE', actor: STAFF })).toMatch(/Cannot close the job while the job is New/);
    expect(loop.validate({ type: 'OFFER', contractorId: PAT.id, actor: STAFF })).toBeNull();
    await expect(fake.submit(loop, { type: 'OFFER', contractorId: PAT.id, actor: PAT })).rejects.toThrow(
      /Only agency staff/,
    );
    await expect(fake.submit(loop, { type: 'CLOSE', actor: STAFF })).rejects.toBeInstanceOf(Refused);
    expect(loop.view().version).toBe(1);
    expect(fake.transitions).toHaveLength(1);
  });

  it('turns a malformed command into a refusal, not a crash', async () => {
    const fake = fakeRuntime();
    const { loop } = boot(fake);
    await loop.sync();
    const bogus = { type: 'NOPE', actor: STAFF } as unknown as JobCommand;
    expect(loop.validate(bogus)).toMatch(/NOPE/);
    await expect(fake.submit(loop, bogus)).rejects.toBeInstanceOf(Refused);
    expect(loop.view().version).toBe(1);
  });

  it('serializes concurrent events: consecutive versions, recorded in order', async () => {
    const fake = fakeRuntime();
    const { loop } = boot(fake);
    const views = await Promise.all(
      Array.from({ length: 12 }, (_, i) => fake.submit(loop, { type: 'ADD_NOTE', text: `note ${i}`, actor: STAFF })),
    );
    expect(views.map((v) => v.version)).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
    expect(loop.view().context.noteCount).toBe(12);
    expect(fake.transitions.map((t) => t.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
  });

  it('lets exactly one of two racing answers win, though both passed validation', async () => {
    const fake = fakeRuntime();
    const { loop } = boot(fake);
    await fake.submit(loop, { type: 'OFFER', contractorId: PAT.id, actor: STAFF });
    expect(loop.validate({ type: 'ACCEPT', actor: PAT })).toBeNull();
    expect(loop.validate({ type: 'DECLINE', reason: 'busy', actor: PAT })).toBeNull();
    const results = await Promise.allSettled([
      fake.submit(loop, { type: 'ACCEPT', actor: PAT }),
      fake.submit(loop, { type: 'DECLINE', reason: 'busy', actor: PAT }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(loop.view().status).toBe('assigned');
  });
});

describe('job loop: deadlines', () => {
  it('waits for the next deadline and fires SLA warnings and the breach exactly when due', async () => {
    const fake = fakeRuntime();
    const { loop } = boot(fake);
    await loop.sync();
    await until(() => fake.deadlines.length > 0, 'the loop to wait');
    expect(fake.deadlines.at(-1)).toBe(new Date(T0 + 18 * HOUR).toISOString());

    fake.set(T0 + 18 * HOUR - 1);
    for (let i = 0; i < 50; i++) await tick();
    expect(types(fake)).toEqual(['CREATED']);

    fake.set(T0 + 18 * HOUR);
    await until(() => fake.transitions.length === 2, 'the 75 % warning');
    expect(fake.transitions[1]!.event).toMatchObject({
      type: 'SLA_WARNING',
      at: new Date(T0 + 18 * HOUR).toISOString(),
      actor: { role: 'system' },
    });
    expect(loop.view().context.sla.warnedPercent).toBe(75);
    await until(() => fake.deadlines.at(-1) === new Date(T0 + 21.6 * HOUR).toISOString(), 'the 90 % deadline');

    // The worker was away: both remaining deadlines are past; they fire in order, stamped with the clock.
    fake.set(T0 + 30 * HOUR);
    await until(() => fake.transitions.length === 4, 'the warning and the breach');
    expect(types(fake)).toEqual(['CREATED', 'SLA_WARNING', 'SLA_WARNING', 'SLA_BREACHED']);
    expect(fake.transitions[3]!.at).toBe(new Date(T0 + 30 * HOUR).toISOString());
    expect(loop.view().context.sla).toMatchObject({ breached: true, warnedPercent: 90 });
    await until(() => fake.effects.some((e) => e.effect.params.template === 'slaBreached'), 'the breach notification');
  });

  it('fires a deadline that has passed before an event queued at the same moment', async () => {
    const fake = fakeRuntime();
    const { loop } = boot(fake);
    await loop.sync();
    fake.set(T0 + 19 * HOUR);
    const note = fake.submit(loop, { type: 'ADD_NOTE', text: 'late note', actor: STAFF });
    await note;
    expect(types(fake)).toEqual(['CREATED', 'SLA_WARNING', 'ADD_NOTE']);
  });

  it('chases an unanswered offer, and an answer clears the chasers', async () => {
    const fake = fakeRuntime();
    const { loop } = boot(fake);
    fake.set(T0 + HOUR);
    await fake.submit(loop, { type: 'OFFER', contractorId: EVE.id, actor: STAFF });
    fake.set(T0 + 5 * HOUR);
    await until(() => types(fake).includes('OFFER_REMINDER'), 'the reminder');
    await fake.submit(loop, { type: 'ACCEPT', actor: EVE });
    expect(loop.view().context.timers.map((t) => t.kind)).toEqual(['slaWarning', 'slaWarning', 'slaBreach']);
  });

  it('skips a deadline the machine refuses instead of spinning on it', async () => {
    const fake = fakeRuntime();
    const first = boot(fake);
    await first.loop.sync();
    const state = first.loop.view();
    // A final state that still lists a deadline (cannot happen through the machine): it is refused once.
    const carry: LoopCarry = { state: { status: 'cancelled', context: state.context }, version: 5, refusedTimers: [] };
    fake.set(T0 + 48 * HOUR);
    const second = boot(fake, { carry });
    await until(() => second.exit !== null, 'the run to end');
    expect(second.exit).toMatchObject({ kind: 'completed', view: { status: 'cancelled', version: 5 } });
    expect(fake.logs.filter((l) => l.level === 'warn' && /refused/.test(l.message))).toHaveLength(3);
  });
});

describe('job loop: continue-as-new and completion', () => {
  it('hands over the persisted snapshot when asked, and the next run carries on from it', async () => {
    const fake = fakeRuntime();
    const first = boot(fake);
    fake.set(T0 + HOUR);
    await fake.submit(first.loop, { type: 'OFFER', contractorId: PAT.id, actor: STAFF });
    await fake.submit(first.loop, { type: 'ACCEPT', actor: PAT });
    await until(() => fake.effects.length === 2, 'effects');
    fake.continueAsNew = true;
    await until(() => first.exit !== null, 'continue-as-new');
    const exit = first.exit!;
    if (exit.kind !== 'continueAsNew') throw new Error(`expected continue-as-new, got ${exit.kind}`);
    // Through JSON, as Temporal carries workflow arguments.
    const carry = JSON.parse(JSON.stringify(exit.carry)) as LoopCarry;
    expect(carry).toMatchObject({ version: 3, state: { status: 'assigned' }, refusedTimers: [] });

    fake.continueAsNew = false;
    const recordedBefore = fake.transitions.length;
    const second = boot(fake, { carry });
    expect(second.loop.view()).toMatchObject({ version: 3, status: 'assigned' });
    const started = await fake.submit(second.loop, { type: 'START', actor: PAT });
    expect(started).toMatchObject({ version: 4, status: 'inProgress' });
    // No second start is recorded; sequence numbers continue.
    expect(fake.transitions.slice(recordedBefore).map((t) => t.seq)).toEqual([4]);
    // Deadlines come across too.
    fake.set(T0 + 25 * HOUR);
    await until(() => types(fake).includes('SLA_BREACHED'), 'the breach after continue-as-new');
    expect(second.loop.view().context.sla.breached).toBe(true);
    expect(fake.transitions.at(-1)).toMatchObject({ seq: 7, event: { type: 'SLA_BREACHED' } });
  });

  it('does not continue as new while effects, events or handlers are still in flight', async () => {
    const fake = fakeRuntime();
    const run = boot(fake);
    await run.loop.sync();
    fake.effectGate = deferred();
    await fake.submit(run.loop, { type: 'OFFER', contractorId: PAT.id, actor: STAFF });
    fake.continueAsNew = true;
    for (let i = 0; i < 50; i++) await tick();
    expect(run.exit).toBeNull();
    // An event arriving meanwhile is still taken by this run.
    const accepted = fake.submit(run.loop, { type: 'ACCEPT', actor: PAT });
    expect((await accepted).version).toBe(3);
    expect(run.exit).toBeNull();
    fake.effectGate.resolve();
    await until(() => run.exit !== null, 'continue-as-new');
    expect(run.exit).toMatchObject({ kind: 'continueAsNew', carry: { version: 3 } });
    expect(fake.effects).toHaveLength(2);
  });

  it('completes when the job reaches a final state, after its effects have run', async () => {
    const fake = fakeRuntime();
    const run = boot(fake);
    await fake.submit(run.loop, { type: 'OFFER', contractorId: PAT.id, actor: STAFF });
    fake.effectGate = deferred();
    const cancelled = await fake.submit(run.loop, { type: 'CANCEL', reason: 'Tenant fixed it', actor: STAFF });
    expect(cancelled).toMatchObject({ status: 'cancelled', nextTimer: null });
    for (let i = 0; i < 20; i++) await tick();
    expect(run.exit).toBeNull();
    fake.effectGate.resolve();
    await until(() => run.exit !== null, 'completion');
    expect(run.exit).toMatchObject({ kind: 'completed', view: { status: 'cancelled', version: 3 } });
    expect(fake.effects.map((e) => e.effect.params.template)).toEqual(['jobOffered', 'jobCancelled']);
  });
});

describe('job loop: failures', () => {
  it('keeps the job moving when an effect gives up for good, and says so', async () => {
    const fake = fakeRuntime();
    const { loop } = boot(fake);
    fake.effectFails = (c) => (c.seq === 2 ? new Error('SMTP down for a week') : null);
    await fake.submit(loop, { type: 'OFFER', contractorId: PAT.id, actor: STAFF });
    await until(() => fake.logs.some((l) => l.level === 'error'), 'the error log');
    expect(fake.logs.find((l) => l.level === 'error')?.message).toMatch(
      /effect job-1:2:0 \(notify\) gave up: SMTP down/,
    );
    const accepted = await fake.submit(loop, { type: 'ACCEPT', actor: PAT });
    expect(accepted.status).toBe('assigned');
    await until(() => fake.effects.length === 1, 'the next effect');
    expect(loop.progress()).toMatchObject({ version: 3, recorded: 3, effectsPending: 0, queued: 0 });
  });

  it('answers an accepted event even when recording it gives up, and records the next one', async () => {
    const fake = fakeRuntime();
    const { loop } = boot(fake);
    fake.recordFails = (t) => (t.seq === 2 ? new Error('read model unreachable') : null);
    const view = await fake.submit(loop, { type: 'ADD_NOTE', text: 'first', actor: STAFF });
    expect(view.version).toBe(2);
    expect(fake.logs.some((l) => l.level === 'error' && /recordTransition job-1:2 gave up/.test(l.message))).toBe(true);
    await fake.submit(loop, { type: 'ADD_NOTE', text: 'second', actor: STAFF });
    expect(fake.transitions.map((t) => t.seq)).toEqual([1, 3]);
    expect(fake.transitions.at(-1)?.state.context.noteCount).toBe(2);
    // The job is flagged for an operator: which step is missing, and why.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers as any
    expect(fake.flagged).toEqual([{ jobId: 'job-1', seq: 2, error: 'read model unreachable', at: expect.any(String) }]);
  });
});
