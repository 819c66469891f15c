// Every state × every event × every role, against an expectation table written from the spec
// (not from workflows/rules.ts): the table is the oracle.
import { describe, expect, test } from 'vitest';
import { stepJob, validateEvent, type JobState } from '#workflows/job-host.ts';
import {
  EVENT_TYPES,
  TIMER_EVENT,
  type Actor,
  type JobEvent,
  type JobEventType,
  type Timer,
} from '#workflows/model.ts';
import {
  ADMIN,
  EVE,
  PAT,
  ROUTINE,
  SCENARIOS,
  STAFF,
  SYSTEM,
  ev,
  expectHumanReason,
  reach,
  statusOf,
  type Scenario,
} from './support.ts';

const ROLE_KEYS = ['admin', 'staff', 'contractor-assigned', 'contractor-other', 'system'] as const;
type RoleKey = (typeof ROLE_KEYS)[number];
/** "contractor-assigned" is the contractor the job is offered to (in New) or held by; "contractor-other" is anyone else. */
const ACTORS: Record<RoleKey, Actor> = {
  admin: ADMIN,
  staff: STAFF,
  'contractor-assigned': PAT,
  'contractor-other': EVE,
  system: SYSTEM,
};

/** Who may send an event: `staff` = agency staff (admins act as staff), `admin` = agency admins only,
 * `held` = the contractor holding or offered the job. */
type Who = 'staff' | 'admin' | 'held' | 'notes' | 'system' | '-';
const WHO: Record<Who, readonly RoleKey[]> = {
  staff: ['admin', 'staff'],
  admin: ['admin'],
  held: ['contractor-assigned'],
  notes: ['admin', 'staff', 'contractor-assigned'],
  system: ['system'],
  '-': [],
};

// The spec, as a table. Columns follow SCENARIOS. Notes on the less obvious cells:
// - new: the job is offered to Pat; staff may re-offer it to someone else before acceptance.
// - assigned / recalled: OFFER re-assigns to another contractor.
// - SLA timers run until completion; offer chasers only while an offer is outstanding;
//   the invoice reminder from completion until the contractor invoices.
// - closed (nothing invoiced yet) vs closedInvoiced (contractor invoiced, agency invoice raised, nothing paid):
//   re-raising the agency invoice is allowed until a payment is recorded; a second contractor invoice is not.
// - QUERY_INVOICE: staff send back a contractor invoice that is there and not yet paid to the contractor;
//   only closedInvoiced has one (completed and closed are reached without invoicing); final states take nothing.
// - ADVANCE_DEADLINE: an admin (not plain staff) brings the next deadline forward whenever one is pending: the SLA
//   timers until completion, the invoice reminder from completion until the contractor invoices. closedInvoiced has
//   none (completed, invoiced), so there is nothing to bring forward.
// - Final states take nothing.
// - reassigned (Eve completed and invoiced, the job was recalled and re-assigned to Pat, who completed it): as
//   completed; Pat invoices his own work whatever Eve sent, and Eve, no longer on the job, may do nothing.
//                           new       assigned  inProgress completed closed    closedInv recalled  payComplete cancelled reassigned
const TABLE: Record<JobEventType, readonly Who[]> = {
  OFFER: /*              */ ['staff', 'staff', '-', '-', '-', '-', 'staff', '-', '-', '-'],
  ACCEPT: /*             */ ['held', '-', '-', '-', '-', '-', '-', '-', '-', '-'],
  DECLINE: /*            */ ['held', '-', '-', '-', '-', '-', '-', '-', '-', '-'],
  START: /*              */ ['-', 'held', '-', '-', '-', '-', 'held', '-', '-', '-'],
  ADD_NOTE: /*           */ ['notes', 'notes', 'notes', 'notes', 'notes', 'notes', 'notes', '-', '-', 'notes'],
  COMPLETE: /*           */ ['-', '-', 'held', '-', '-', '-', '-', '-', '-', '-'],
  CLOSE: /*              */ ['-', '-', '-', 'staff', '-', '-', '-', '-', '-', 'staff'],
  RECALL: /*             */ ['-', '-', '-', 'staff', 'staff', 'staff', '-', '-', '-', 'staff'],
  CANCEL: /*             */ ['staff', 'staff', 'staff', '-', '-', '-', 'staff', '-', '-', '-'],
  CHANGE_PRIORITY: /*    */ ['staff', 'staff', 'staff', '-', '-', '-', 'staff', '-', '-', '-'],
  SUBMIT_INVOICE: /*     */ ['-', '-', '-', 'held', 'held', '-', '-', '-', '-', 'held'],
  QUERY_INVOICE: /*      */ ['-', '-', '-', '-', '-', 'staff', '-', '-', '-', '-'],
  RAISE_INVOICE: /*      */ ['-', '-', '-', '-', 'staff', 'staff', '-', '-', '-', '-'],
  RECORD_PAYMENT: /*     */ ['-', '-', '-', '-', '-', 'staff', '-', '-', '-', '-'],
  ADVANCE_DEADLINE: /*   */ ['admin', 'admin', 'admin', 'admin', 'admin', '-', 'admin', '-', '-', 'admin'],
  SLA_WARNING: /*        */ ['system', 'system', 'system', '-', '-', '-', 'system', '-', '-', '-'],
  SLA_BREACHED: /*       */ ['system', 'system', 'system', '-', '-', '-', 'system', '-', '-', '-'],
  OFFER_REMINDER: /*     */ ['system', '-', '-', '-', '-', '-', '-', '-', '-', '-'],
  OFFER_ESCALATION: /*   */ ['system', '-', '-', '-', '-', '-', '-', '-', '-', '-'],
  INVOICE_REMINDER: /*   */ ['-', '-', '-', 'system', 'system', '-', '-', '-', '-', 'system'],
};

const expectAccepted = (scenario: Scenario, type: JobEventType, role: RoleKey) =>
  WHO[TABLE[type][SCENARIOS.indexOf(scenario)]!].includes(role);

const laterOf = (a: string, b: string) => (a > b ? a : b);

/**
 * The timer a timer event names: the pending deadline of its own kind when there is one, else the
 * next pending deadline of any kind (a real, due key that is not this event's), else a key the job had
 * at creation and has since dropped.
 */
function timerFor(state: JobState, type: JobEventType): Timer | undefined {
  const timers = state.context.timers;
  return timers.find((t) => TIMER_EVENT[t.kind] === type) ?? timers[0];
}

/** A well-formed event of this type from this actor, sent at `now` (or when its deadline falls due). */
function eventFor(state: JobState, now: string, type: JobEventType, actor: Actor): JobEvent {
  switch (type) {
    case 'OFFER':
      return ev.offer(now, EVE.id, actor);
    case 'ACCEPT':
      return ev.accept(now, actor);
    case 'DECLINE':
      return ev.decline(now, actor, 'Fully booked this week');
    case 'START':
      return ev.start(now, actor);
    case 'ADD_NOTE':
      return ev.note(now, actor);
    case 'COMPLETE':
      return ev.complete(now, actor);
    case 'CLOSE':
      return ev.close(now, actor);
    case 'RECALL':
      return ev.recall(now, actor);
    case 'CANCEL':
      return ev.cancel(now, actor);
    case 'CHANGE_PRIORITY':
      return ev.priority(now, ROUTINE, actor);
    case 'SUBMIT_INVOICE':
      return ev.submitInvoice(now, actor);
    case 'QUERY_INVOICE':
      return { type: 'QUERY_INVOICE', reason: 'The VAT is charged twice', actor, at: now };
    case 'RAISE_INVOICE':
      // Re-raising an issued invoice credits it: a new number, the credit note's number and a reason.
      return state.context.invoice ? ev.reRaiseInvoice(now, actor) : ev.raiseInvoice(now, actor);
    case 'RECORD_PAYMENT':
      return ev.payment(now, 'client', 24000, 'client-1', actor);
    case 'ADVANCE_DEADLINE':
      return { type, actor, at: now };
    case 'SLA_WARNING':
    case 'SLA_BREACHED':
    case 'OFFER_REMINDER':
    case 'OFFER_ESCALATION':
    case 'INVOICE_REMINDER': {
      const timer = timerFor(state, type);
      const key = timer?.key ?? `initial:${state.context.createdAt}:warn75`;
      return { type, key, actor, at: laterOf(now, timer?.at ?? now) };
    }
  }
}

const reached = Object.fromEntries(SCENARIOS.map((s) => [s, reach(s)])) as Record<Scenario, ReturnType<typeof reach>>;

test('the table covers every event type and every scenario', () => {
  expect(Object.keys(TABLE).sort()).toEqual([...EVENT_TYPES].sort());
  for (const row of Object.values(TABLE)) expect(row).toHaveLength(SCENARIOS.length);
});

test.each(SCENARIOS)('reach(%s) lands in that state', (scenario) => {
  const { state } = reached[scenario];
  expect(state.status).toBe(statusOf(scenario));
  if (scenario === 'closedInvoiced') expect(state.context.invoice).not.toBeNull();
  if (scenario === 'closed') expect(state.context.invoice).toBeNull();
});

describe.each(SCENARIOS)('in %s', (scenario) => {
  describe.each(EVENT_TYPES)('%s', (type) => {
    test.each(ROLE_KEYS)('from %s', (role) => {
      const { state, now } = reached[scenario];
      const before = structuredClone(state);
      const event = eventFor(state, now, type, ACTORS[role]);

      const result = stepJob(state, event);
      const verdict = validateEvent(state, event);

      expect(state, 'stepJob must not mutate its input').toEqual(before);
      if (expectAccepted(scenario, type, role)) {
        expect(result, result.ok ? '' : `refused: ${result.reason}`).toMatchObject({ ok: true, from: state.status });
        expect(verdict).toBeNull();
      } else {
        expect(result.ok, `expected ${type} from ${role} to be refused in ${scenario}`).toBe(false);
        if (result.ok) return;
        expectHumanReason(result.reason);
        for (const word of EVENT_TYPES) expect(result.reason).not.toMatch(new RegExp(`\\b${word}\\b`));
        expect(verdict).toBe(result.reason);
      }
    });
  });
});
