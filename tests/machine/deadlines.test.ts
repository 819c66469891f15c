// Deadlines as data: SLA warnings and breach, chasers, and how events move or clear them.
import { describe, expect, test } from 'vitest';
import { pendingTimer, stepJob, timerEvent, type JobState } from '#workflows/job-host.ts';
import type { ChasePolicy, JobEvent, PriorityPolicy, Timer, TimerKind } from '#workflows/model.ts';
import {
  ADMIN,
  CHASE,
  EMERGENCY,
  EVE,
  ROUTINE,
  STAFF,
  T0,
  URGENT,
  drive,
  ev,
  historyOf,
  hoursIn,
  notifications,
  plusMs,
  reach,
  refused,
  start,
  step,
} from './support.ts';

const HOUR = 3_600_000;
const kinds = (state: JobState) => state.context.timers.map((t) => t.kind);
const ofKind = (state: JobState, kind: TimerKind) => state.context.timers.filter((t) => t.kind === kind);
/** Instants as hours after `from`, to compare with policies written in hours. */
const hoursAfter = (from: string, timers: readonly Timer[]) =>
  timers.map((t) => (Date.parse(t.at) - Date.parse(from)) / HOUR);

/** Fires the next pending deadline exactly when it falls due. */
function fireNext(state: JobState) {
  const timer = pendingTimer(state);
  if (!timer) throw new Error('no pending deadline');
  return { timer, ...step(state, timerEvent(timer, timer.at)) };
}

describe('SLA timers', () => {
  const ODD: PriorityPolicy = { code: 'PX', name: 'Odd', targetHours: 7, warnAtPercent: [75, 90] };

  test.each([URGENT, ROUTINE, ODD])(
    '$code: warnings at exactly 75 % and 90 %, breach at 100 % of $targetHours h',
    (priority) => {
      const state = start({ priority });
      const due = Date.parse(T0) + priority.targetHours * HOUR;
      expect(state.context.sla).toMatchObject({
        kind: 'initial',
        startedAt: T0,
        dueAt: new Date(due).toISOString(),
        breached: false,
        warnedPercent: 0,
      });
      expect(state.context.timers.map((t) => [t.kind, t.percent, t.at])).toEqual([
        ['slaWarning', 75, new Date(Date.parse(T0) + priority.targetHours * 0.75 * HOUR).toISOString()],
        ['slaWarning', 90, new Date(Date.parse(T0) + priority.targetHours * 0.9 * HOUR).toISOString()],
        ['slaBreach', undefined, new Date(due).toISOString()],
      ]);
    },
  );

  test('a warning event carries its percentage (the timeline shows it); the breach has none', () => {
    let state = start({ priority: URGENT });
    const warnings: unknown[] = [];
    while (pendingTimer(state)) {
      const timer = pendingTimer(state)!;
      const event = timerEvent(timer, timer.at);
      warnings.push(event.type === 'SLA_WARNING' ? event.percent : 'percent' in event ? 'unexpected' : event.type);
      state = step(state, event).state;
    }
    expect(warnings).toEqual([75, 90, 'SLA_BREACHED']);
  });

  test('the priority decides the thresholds', () => {
    expect(hoursAfter(T0, start({ priority: EMERGENCY }).context.timers)).toEqual([2, 3, 3.6, 4]);
  });

  test('warnings fire in order, then the breach is recorded and the job flagged', () => {
    let state = step(start(), ev.offer(hoursIn(1))).state;
    state = step(state, ev.accept(hoursIn(2))).state;
    const fired: (string | number | null)[][] = [];
    while (pendingTimer(state)) {
      const next = fireNext(state);
      fired.push(notifications(next.effects).map((n) => n.data.percent ?? n.template));
      state = next.state;
    }
    expect(fired).toEqual([[75], [90], ['slaBreached']]);
    expect(state.context.sla).toMatchObject({ breached: true, breachedAt: hoursIn(24), warnedPercent: 90 });
    expect(state.status).toBe('assigned');
  });

  test('warnings and breaches go to staff and the contractor holding the job', () => {
    const { state } = reach('inProgress');
    const { effects } = fireNext(state);
    expect(notifications(effects)).toEqual([
      { template: 'slaWarning', contractors: ['pat'], staff: true, data: { dueAt: hoursIn(24), percent: 75 } },
    ]);
  });

  test('a timer event before its instant is refused as not due yet; at the instant it fires', () => {
    const state = start();
    const timer = pendingTimer(state)!;
    expect(refused(state, timerEvent(timer, plusMs(timer.at, -1)))).toBe('That deadline is not due yet');
    expect(stepJob(state, timerEvent(timer, timer.at)).ok).toBe(true);
  });

  test('a key already fired, or never armed, is refused as stale', () => {
    const { timer, state } = fireNext(start());
    expect(refused(state, timerEvent(timer, hoursIn(30)))).toBe('That deadline is no longer pending');
    expect(refused(state, timerEvent({ ...timer, key: 'initial:1999-01-01T00:00:00.000Z:warn75' }, hoursIn(30)))).toBe(
      'That deadline is no longer pending',
    );
  });
});

describe('an admin bringing the next deadline forward (ADVANCE_DEADLINE)', () => {
  const advance = (at: string, key?: string): JobEvent => ({
    type: 'ADVANCE_DEADLINE',
    ...(key ? { key } : {}),
    actor: ADMIN,
    at,
  });

  test('moves only the earliest pending deadline to now, so it is due at once; the others keep their instants', () => {
    const state = start();
    const [warn75, ...rest] = state.context.timers;
    const now = hoursIn(1);
    const { state: next, effects } = step(state, advance(now, warn75!.key));
    expect(effects).toEqual([]); // the deadline's own event tells people, when it fires
    expect(next.status).toBe('new');
    expect(next.context.timers).toEqual([{ ...warn75, at: now }, ...rest]);
    expect(pendingTimer(next)).toEqual({ ...warn75, at: now });
  });

  test('the deadline then fires through the ordinary timer event, with its usual effects, once', () => {
    const { state, now } = reach('inProgress');
    const advanced = step(state, advance(now)).state;
    const timer = pendingTimer(advanced)!;
    expect(timer).toMatchObject({ kind: 'slaWarning', percent: 75, at: now });
    const fired = step(advanced, timerEvent(timer, now));
    expect(notifications(fired.effects)).toEqual([
      { template: 'slaWarning', contractors: ['pat'], staff: true, data: { dueAt: hoursIn(24), percent: 75 } },
    ]);
    expect(fired.state.context.sla.warnedPercent).toBe(75);
    expect(refused(fired.state, timerEvent(timer, now))).toBe('That deadline is no longer pending');
    // The next one keeps its own instant and is not due yet.
    expect(pendingTimer(fired.state)).toMatchObject({ kind: 'slaWarning', percent: 90, at: hoursIn(21.6) });
  });

  test('bringing forward one after another reaches the breach, which flags the job as usual', () => {
    let state = start();
    const now = hoursIn(1);
    const fired: string[] = [];
    while (pendingTimer(state)) {
      state = step(state, advance(now)).state;
      const timer = pendingTimer(state)!;
      fired.push(timer.kind);
      state = step(state, timerEvent(timer, now)).state;
    }
    expect(fired).toEqual(['slaWarning', 'slaWarning', 'slaBreach']);
    expect(state.context.sla).toMatchObject({ breached: true, breachedAt: now, warnedPercent: 90 });
  });

  test('an overdue deadline not yet fired keeps its instant (never pushed later)', () => {
    const state = start();
    const warn75 = pendingTimer(state)!;
    const late = plusMs(warn75.at, HOUR);
    expect(pendingTimer(step(state, advance(late)).state)).toEqual(warn75);
  });

  test('after completion it brings the invoice reminder forward', () => {
    const { state, now } = reach('completed');
    const next = step(state, advance(now)).state;
    expect(pendingTimer(next)).toMatchObject({ kind: 'invoiceReminder', at: now });
    expect(notifications(step(next, timerEvent(pendingTimer(next)!, now)).effects).map((n) => n.template)).toEqual([
      'invoiceReminder',
    ]);
  });
});

describe('changing the priority', () => {
  test('recomputes the deadline from the same start', () => {
    const { state } = step(start(), ev.priority(hoursIn(1), ROUTINE));
    expect(state.context.priority).toEqual(ROUTINE);
    expect(state.context.sla).toMatchObject({ startedAt: T0, dueAt: hoursIn(72) });
    expect(hoursAfter(T0, state.context.timers)).toEqual([54, 64.8, 72]);
  });

  test('does not repeat warnings already sent', () => {
    const warned = fireNext(start()).state; // 75 % of 24 h, at hour 18
    const { state } = step(warned, ev.priority(hoursIn(19), ROUTINE));
    expect(state.context.sla.warnedPercent).toBe(75);
    expect(state.context.timers.map((t) => t.percent ?? 'breach')).toEqual([90, 'breach']);
    expect(hoursAfter(T0, state.context.timers)).toEqual([64.8, 72]);
  });

  test('to a shorter target, makes deadlines already past fall due at once', () => {
    const { state } = step(start(), ev.priority(hoursIn(3.5), EMERGENCY));
    expect(state.context.sla.dueAt).toBe(hoursIn(4));
    const due = state.context.timers.filter((t) => t.at <= hoursIn(3.5));
    expect(due.map((t) => t.percent)).toEqual([50, 75]);
    expect(step(state, timerEvent(due[0]!, hoursIn(3.5))).state.context.sla.warnedPercent).toBe(50);
  });

  test('to a target already past, fires only the breach: the missed warnings are dropped, not sent', () => {
    let state = step(start({ priority: ROUTINE }), ev.offer(hoursIn(1))).state;
    state = step(state, ev.accept(hoursIn(2))).state;
    const changed = step(state, ev.priority(hoursIn(30), URGENT)).state; // due at hour 24: six hours ago
    expect(changed.context.sla).toMatchObject({ dueAt: hoursIn(24), breached: false, warnedPercent: 0 });
    expect(ofKind(changed, 'slaWarning')).toEqual([]);
    const fired = fireNext(changed);
    expect(fired.timer.kind).toBe('slaBreach');
    expect(notifications(fired.effects).map((n) => [n.template, n.staff, n.contractors])).toEqual([
      ['slaBreached', true, ['pat']],
    ]);
    expect(fired.state.context.sla.breached).toBe(true);
    expect(ofKind(fired.state, 'slaWarning')).toEqual([]);
    expect(ofKind(fired.state, 'slaBreach')).toEqual([]);
  });

  test('to a target due exactly now, fires only the breach', () => {
    const changed = step(start({ priority: ROUTINE }), ev.priority(hoursIn(24), URGENT)).state;
    expect(changed.context.timers.map((t) => t.kind)).toEqual(['slaBreach']);
  });

  test('keeps the offer chasers', () => {
    const { state } = reach('new');
    expect(ofKind(step(state, ev.priority(hoursIn(2), ROUTINE)).state, 'offerReminder')).toEqual(
      ofKind(state, 'offerReminder'),
    );
  });
});

describe('completion and invoices', () => {
  test('COMPLETE stops the SLA timers and arms the invoice reminder', () => {
    const { state, now } = reach('inProgress');
    const completed = step(state, ev.complete(now)).state;
    expect(completed.context.sla.stoppedAt).toBe(now);
    expect(completed.context.timers).toEqual([
      { key: `invoice:${now}:remind`, kind: 'invoiceReminder', at: plusMs(now, CHASE.invoiceReminderHours * HOUR) },
    ]);
    const oldWarning = state.context.timers[0];
    expect(refused(completed, timerEvent(oldWarning!, hoursIn(30)))).toBe('That deadline is no longer pending');
  });

  /** A completed job under `chase`, and every invoice deadline fired on time: [hours after completion, who was told]. */
  function chaseOut(chase: ChasePolicy) {
    let state = drive(start({ chase }), historyOf('completed'));
    const completedAt = state.context.sla.stoppedAt!;
    const fired: [number, string, string[], boolean][] = [];
    while (pendingTimer(state)) {
      const next = fireNext(state);
      for (const n of notifications(next.effects))
        fired.push([hoursAfter(completedAt, [next.timer])[0]!, n.template, n.contractors, n.staff]);
      state = next.state;
    }
    return { fired, state };
  }

  test("the invoice reminder repeats at the agency's interval up to its limit, then alerts staff once", () => {
    const { fired, state } = chaseOut({
      ...CHASE,
      invoiceReminderHours: 24,
      invoiceReminderRepeatHours: 48,
      invoiceReminderLimit: 3,
    });
    expect(fired).toEqual([
      [24, 'invoiceReminder', ['pat'], false],
      [72, 'invoiceReminder', ['pat'], false],
      [120, 'invoiceReminder', ['pat'], false],
      [120, 'invoiceOverdue', [], true],
    ]);
    expect(state.context.timers).toEqual([]);
  });

  test('the staff alert says how many reminders went unanswered', () => {
    let state = drive(start({ chase: { ...CHASE, invoiceReminderLimit: 2 } }), historyOf('completed'));
    state = fireNext(state).state;
    expect(notifications(fireNext(state).effects)).toEqual([
      { template: 'invoiceReminder', contractors: ['pat'], staff: false, data: { reminder: 2 } },
      { template: 'invoiceOverdue', contractors: [], staff: true, data: { reminders: 2 } },
    ]);
  });

  test('a policy from before the setting chases weekly, three times', () => {
    const { fired } = chaseOut(CHASE);
    expect(fired.map(([hours, template]) => [hours, template])).toEqual([
      [168, 'invoiceReminder'],
      [336, 'invoiceReminder'],
      [504, 'invoiceReminder'],
      [504, 'invoiceOverdue'],
    ]);
  });

  test('a limit of one reminds once and alerts staff with it', () => {
    const { fired } = chaseOut({ ...CHASE, invoiceReminderRepeatHours: 24, invoiceReminderLimit: 1 });
    expect(fired).toEqual([
      [168, 'invoiceReminder', ['pat'], false],
      [168, 'invoiceOverdue', [], true],
    ]);
  });

  test('an invoice submitted mid-chase stops it; a query starts it again from the first reminder', () => {
    const chase = { ...CHASE, invoiceReminderHours: 24, invoiceReminderRepeatHours: 24, invoiceReminderLimit: 2 };
    const { state: reminded, timer } = fireNext(drive(start({ chase }), historyOf('completed')));
    expect(ofKind(reminded, 'invoiceReminder')).toEqual([
      { key: `${timer.key}#2`, kind: 'invoiceReminder', at: plusMs(timer.at, 24 * HOUR), reminder: 2 },
    ]);
    const now = plusMs(timer.at, HOUR);
    const submitted = step(reminded, ev.submitInvoice(now)).state;
    expect(submitted.context.timers).toEqual([]);
    const queried = step(submitted, {
      type: 'QUERY_INVOICE',
      reason: 'Wrong VAT',
      actor: STAFF,
      at: now,
    }).state;
    const restarted = fireNext(queried);
    expect(restarted.timer.reminder).toBeUndefined();
    expect(notifications(restarted.effects).map((n) => n.template)).toEqual(['invoiceReminder']);
  });

  test('SUBMIT_INVOICE cancels the reminder', () => {
    const { state, now } = reach('completed');
    expect(step(state, ev.submitInvoice(now)).state.context.timers).toEqual([]);
  });

  test('the reminder keeps running after close while the contractor has not invoiced', () => {
    const completed = reach('completed').state;
    const closed = reach('closed');
    expect(closed.state.context.timers).toEqual(completed.context.timers);
    expect(step(closed.state, ev.submitInvoice(closed.now)).state.context.timers).toEqual([]);
  });

  test('re-completing a recalled job already invoiced arms no reminder', () => {
    const { state } = reach('closedInvoiced');
    const redone = drive(state, [ev.recall(hoursIn(6)), ev.start(hoursIn(7)), ev.complete(hoursIn(8))]);
    expect(redone.status).toBe('completed');
    expect(redone.context.timers).toEqual([]);
  });
});

describe('recall', () => {
  test('starts a new recall SLA from the recall instant and drops the invoice reminder', () => {
    const { state, now } = reach('completed');
    const recalled = step(state, ev.recall(now)).state;
    expect(recalled.context.sla).toEqual({
      kind: 'recall',
      startedAt: now,
      dueAt: plusMs(now, URGENT.targetHours * HOUR),
      breached: false,
      breachedAt: null,
      warnedPercent: 0,
      stoppedAt: null,
    });
    expect(kinds(recalled)).toEqual(['slaWarning', 'slaWarning', 'slaBreach']);
    expect(recalled.context.timers.every((t) => t.key.startsWith(`recall:${now}:`))).toBe(true);
    expect(hoursAfter(now, recalled.context.timers)).toEqual([18, 21.6, 24]);
  });

  test('a breached job recalled gets a fresh, unbreached SLA', () => {
    let state = reach('inProgress').state;
    while (pendingTimer(state)) state = fireNext(state).state;
    expect(state.context.sla.breached).toBe(true);
    const recalled = drive(state, [ev.complete(hoursIn(25)), ev.recall(hoursIn(26))]);
    expect(recalled.context.sla).toMatchObject({ kind: 'recall', breached: false, startedAt: hoursIn(26) });
  });
});

describe('offer chasers', () => {
  const offerAt = hoursIn(1);

  test("remind the contractor, then alert staff, at the agency's windows", () => {
    const { state } = reach('new');
    expect(hoursAfter(offerAt, ofKind(state, 'offerReminder'))).toEqual([CHASE.offerReminderHours]);
    expect(hoursAfter(offerAt, ofKind(state, 'offerEscalation'))).toEqual([CHASE.offerEscalationHours]);

    const [reminder] = ofKind(state, 'offerReminder');
    const reminded = step(state, timerEvent(reminder!, reminder!.at));
    expect(notifications(reminded.effects)).toEqual([
      { template: 'offerReminder', contractors: ['pat'], staff: false, data: {} },
    ]);
    const [escalation] = ofKind(reminded.state, 'offerEscalation');
    const escalated = step(reminded.state, timerEvent(escalation!, escalation!.at));
    expect(notifications(escalated.effects)).toEqual([
      { template: 'offerEscalation', contractors: [], staff: true, data: { contractorId: 'pat' } },
    ]);
  });

  test('use the agency’s own windows', () => {
    const chase = { offerReminderHours: 2, offerEscalationHours: 6, invoiceReminderHours: 48 };
    const state = step(start({ chase }), ev.offer(offerAt)).state;
    expect(hoursAfter(offerAt, [...ofKind(state, 'offerReminder'), ...ofKind(state, 'offerEscalation')])).toEqual([
      2, 6,
    ]);
  });

  test.each([
    ['accepted', ev.accept(hoursIn(2))],
    ['declined', ev.decline(hoursIn(2))],
  ])('are cleared once the offer is %s', (_label, event) => {
    const { state } = reach('new');
    const next = step(state, event).state;
    expect(kinds(next)).toEqual(['slaWarning', 'slaWarning', 'slaBreach']);
    const [reminder] = ofKind(state, 'offerReminder');
    expect(refused(next, timerEvent(reminder!, reminder!.at))).toBe('That deadline is no longer pending');
  });

  test('move to the new contractor when the job is re-offered', () => {
    const { state } = reach('new');
    const next = step(state, ev.offer(hoursIn(2), EVE.id)).state;
    expect(ofKind(next, 'offerReminder').map((t) => t.key)).toEqual([`offer:eve:${hoursIn(2)}:remind`]);
    expect(hoursAfter(hoursIn(2), ofKind(next, 'offerEscalation'))).toEqual([CHASE.offerEscalationHours]);
  });
});

describe('final states clear every timer', () => {
  test.each(['paymentComplete', 'cancelled'] as const)('%s', (scenario) => {
    const { state } = reach(scenario);
    expect(state.context.timers).toEqual([]);
    expect(pendingTimer(state)).toBeNull();
  });

  test('cancelling with SLA and offer timers running', () => {
    const { state } = reach('new');
    expect(state.context.timers.length).toBe(5);
    expect(step(state, ev.cancel(hoursIn(2))).state.context.timers).toEqual([]);
  });
});

describe('JSON round-trip', () => {
  /** A full life: offered, reminded, re-offered, accepted, warned, completed, recalled, redone, closed and paid. */
  function script(): ((state: JobState) => JobEvent)[] {
    const fixed = (event: JobEvent) => () => event;
    const nextTimer = (state: JobState) => timerEvent(pendingTimer(state)!, pendingTimer(state)!.at);
    return [
      ...historyOf('new').map(fixed),
      nextTimer, // offer reminder at hour 5
      fixed(ev.offer(hoursIn(6), EVE.id)),
      fixed(ev.decline(hoursIn(7), EVE, 'No capacity')),
      fixed(ev.offer(hoursIn(8))),
      fixed(ev.accept(hoursIn(9))),
      fixed(ev.priority(hoursIn(10), ROUTINE)),
      fixed(ev.start(hoursIn(11))),
      nextTimer, // 75 % of 72 h
      fixed(ev.complete(hoursIn(60))),
      fixed(ev.recall(hoursIn(61))),
      fixed(ev.start(hoursIn(62))),
      fixed(ev.complete(hoursIn(63))),
      fixed(ev.submitInvoice(hoursIn(64))),
      fixed(ev.close(hoursIn(65))),
      fixed(ev.raiseInvoice(hoursIn(66))),
      fixed(ev.payment(hoursIn(67), 'client', 24000)),
      fixed(ev.payment(hoursIn(67), 'contractor', 18000)),
      fixed(ev.payment(hoursIn(68), 'commission', 5000)),
    ];
  }

  test('a persisted state steps exactly like the live one, all the way to Payment Complete', () => {
    let state = start();
    for (const next of script()) {
      const event = next(state);
      const revived = JSON.parse(JSON.stringify(state)) as JobState;
      expect(revived).toEqual(state);
      const live = stepJob(state, event);
      expect(stepJob(revived, event)).toEqual(live);
      if (!live.ok) throw new Error(`${event.type}: ${live.reason}`);
      state = live.state;
    }
    expect(state.status).toBe('paymentComplete');
    expect(state.context).toMatchObject({ recallCount: 1, declines: [{ contractorId: 'eve' }], priority: ROUTINE });
  });

  test('refusals agree too', () => {
    const { state, now } = reach('assigned');
    const revived = JSON.parse(JSON.stringify(state)) as JobState;
    for (const event of [ev.start(now, EVE), ev.close(now), ev.complete(now)])
      expect(stepJob(revived, event)).toEqual(stepJob(state, event));
  });
});
