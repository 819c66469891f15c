// Shared fixtures for the machine tests: a fixed clock, the people involved, event builders,
// and `reach`, which drives a job through stepJob from startJob to any state with a realistic history.
import { expect } from 'vitest';
import { startJob, stepJob, type JobState, type StepResult } from '#workflows/job-host.ts';
import type { Actor, ChasePolicy, Effect, JobEvent, JobInput, PaymentLeg, PriorityPolicy } from '#workflows/model.ts';

export const T0 = '2026-03-02T09:00:00.000Z';
const HOUR = 3_600_000;
/** The instant `hours` after the job was created (fractions allowed). */
export const hoursIn = (hours: number) => new Date(Date.parse(T0) + Math.round(hours * HOUR)).toISOString();
export const plusMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

export const URGENT: PriorityPolicy = { code: 'P2', name: 'Urgent', targetHours: 24, warnAtPercent: [75, 90] };
export const ROUTINE: PriorityPolicy = { code: 'P3', name: 'Routine', targetHours: 72, warnAtPercent: [75, 90] };
export const EMERGENCY: PriorityPolicy = { code: 'P1', name: 'Emergency', targetHours: 4, warnAtPercent: [50, 75, 90] };
export const CHASE: ChasePolicy = { offerReminderHours: 4, offerEscalationHours: 24, invoiceReminderHours: 168 };

export const ADMIN: Actor = { id: 'ada', role: 'admin' };
export const STAFF: Actor = { id: 'sam', role: 'staff' };
/** Pat is the contractor the jobs are offered to and held by; Eve is another of the agency's contractors. */
export const PAT: Actor = { id: 'pat', role: 'contractor' };
export const EVE: Actor = { id: 'eve', role: 'contractor' };
export const SYSTEM: Actor = { id: 'system', role: 'system' };

export function jobInput(overrides: Partial<JobInput> = {}): JobInput {
  return {
    jobId: 'job-1',
    reference: 'JOB-000001',
    agencyId: 'agency-1',
    createdAt: T0,
    priority: URGENT,
    chase: CHASE,
    ...overrides,
  };
}

export const start = (overrides: Partial<JobInput> = {}): JobState => startJob(jobInput(overrides)).state;

/** Well-formed events. Contractor invoice: £150 + £30 VAT; agency invoice: £200 net at 20 %, so legs 24000 / 18000 / 5000. */
export const ev = {
  offer: (at: string, contractorId = PAT.id, actor = STAFF): JobEvent => ({ type: 'OFFER', contractorId, actor, at }),
  accept: (at: string, actor = PAT): JobEvent => ({ type: 'ACCEPT', actor, at }),
  decline: (at: string, actor = PAT, reason?: string): JobEvent => ({ type: 'DECLINE', reason, actor, at }),
  start: (at: string, actor = PAT): JobEvent => ({ type: 'START', actor, at }),
  note: (at: string, actor = STAFF, text = 'Tenant says the leak is getting worse'): JobEvent => ({
    type: 'ADD_NOTE',
    text,
    attachmentIds: ['att-1'],
    actor,
    at,
  }),
  complete: (at: string, actor = PAT, note = 'Replaced the tap washer; no further leaks'): JobEvent => ({
    type: 'COMPLETE',
    note,
    attachmentIds: ['photo-1'],
    actor,
    at,
  }),
  close: (at: string, actor = STAFF): JobEvent => ({ type: 'CLOSE', actor, at }),
  recall: (at: string, actor = STAFF, reason = 'Tap still drips'): JobEvent => ({ type: 'RECALL', reason, actor, at }),
  cancel: (at: string, actor = STAFF, reason = 'Tenant fixed it themselves'): JobEvent => ({
    type: 'CANCEL',
    reason,
    actor,
    at,
  }),
  priority: (at: string, priority: PriorityPolicy = ROUTINE, actor = STAFF): JobEvent => ({
    type: 'CHANGE_PRIORITY',
    priority,
    actor,
    at,
  }),
  submitInvoice: (at: string, actor = PAT): JobEvent => ({
    type: 'SUBMIT_INVOICE',
    number: 'PP-1001',
    netPence: 15000,
    vatPence: 3000,
    totalPence: 18000,
    actor,
    at,
  }),
  raiseInvoice: (at: string, actor = STAFF): JobEvent => ({
    type: 'RAISE_INVOICE',
    number: 'INV-0001',
    agentNetPence: 20000,
    vatRateBp: 2000,
    contractorTotalPence: 18000,
    actor,
    at,
  }),
  /** The job's invoice re-raised: INV-0001 credited by CN-000001, the same terms again under a new number. */
  reRaiseInvoice: (at: string, actor = STAFF, number = 'INV-0002', creditNoteNumber = 'CN-000001'): JobEvent => ({
    type: 'RAISE_INVOICE',
    number,
    agentNetPence: 20000,
    vatRateBp: 2000,
    contractorTotalPence: 18000,
    creditNoteNumber,
    creditReason: 'Billed to the wrong landlord',
    actor,
    at,
  }),
  payment: (
    at: string,
    leg: PaymentLeg,
    amountPence: number,
    key = `${leg}-${amountPence}`,
    actor = STAFF,
  ): JobEvent => ({
    type: 'RECORD_PAYMENT',
    key,
    leg,
    amountPence,
    reference: `BACS ${key}`,
    actor,
    at,
  }),
};

/** What the default invoices above make each leg expect. */
export const EXPECTED: Record<PaymentLeg, number> = { client: 24000, contractor: 18000, commission: 5000 };

/** Steps and insists the machine takes the event. */
export function step(state: JobState, event: JobEvent): Extract<StepResult, { ok: true }> {
  const result = stepJob(state, event);
  if (!result.ok) throw new Error(`${event.type} by ${event.actor.id} refused in ${state.status}: ${result.reason}`);
  return result;
}

export const drive = (state: JobState, events: readonly JobEvent[]): JobState =>
  events.reduce((s, e) => step(s, e).state, state);

export function refused(state: JobState, event: JobEvent): string {
  const result = stepJob(state, event);
  if (result.ok) throw new Error(`${event.type} by ${event.actor.id} was accepted in ${state.status}`);
  return result.reason;
}

/** The states the tests start from: every status, a closed job both before and after the agency invoice, and a
 * job Eve completed and invoiced, then recalled and re-assigned to Pat, who has completed it (Completed). */
export const SCENARIOS = [
  'new',
  'assigned',
  'inProgress',
  'completed',
  'closed',
  'closedInvoiced',
  'recalled',
  'paymentComplete',
  'cancelled',
  'reassigned',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Each scenario's history, one event an hour: the job is offered to Pat at hour 1 and so on. */
const HISTORY: Record<Scenario, () => JobEvent[]> = {
  new: () => [ev.offer(hoursIn(1))],
  assigned: () => [...HISTORY.new(), ev.accept(hoursIn(2))],
  inProgress: () => [
    ...HISTORY.assigned(),
    ev.start(hoursIn(3)),
    ev.note(hoursIn(3.5), PAT, 'Washer perished; replacing'),
  ],
  completed: () => [...HISTORY.inProgress(), ev.complete(hoursIn(4))],
  closed: () => [...HISTORY.completed(), ev.close(hoursIn(5))],
  closedInvoiced: () => [
    ...HISTORY.completed(),
    ev.submitInvoice(hoursIn(4.5)),
    ev.close(hoursIn(5)),
    ev.raiseInvoice(hoursIn(5.5)),
  ],
  recalled: () => [...HISTORY.completed(), ev.recall(hoursIn(5))],
  paymentComplete: () => [
    ...HISTORY.closedInvoiced(),
    ev.payment(hoursIn(6), 'client', EXPECTED.client),
    ev.payment(hoursIn(6), 'contractor', EXPECTED.contractor),
    ev.payment(hoursIn(6), 'commission', EXPECTED.commission),
  ],
  cancelled: () => [...HISTORY.new(), ev.cancel(hoursIn(2))],
  reassigned: () => [
    ev.offer(hoursIn(1), EVE.id),
    ev.accept(hoursIn(2), EVE),
    ev.start(hoursIn(3), EVE),
    ev.complete(hoursIn(4), EVE),
    ev.submitInvoice(hoursIn(4.5), EVE),
    ev.recall(hoursIn(5)),
    ev.offer(hoursIn(6)),
    ev.accept(hoursIn(7)),
    ev.start(hoursIn(8)),
    ev.complete(hoursIn(9)),
  ],
};

/** The status each scenario is in. */
export const statusOf = (scenario: Scenario) =>
  scenario === 'closedInvoiced' ? 'closed' : scenario === 'reassigned' ? 'completed' : scenario;

export const historyOf = (scenario: Scenario): JobEvent[] => HISTORY[scenario]();

/** The job in that scenario, and an instant just after its last event. */
export function reach(scenario: Scenario): { state: JobState; now: string } {
  const history = historyOf(scenario);
  const state = drive(start(), history);
  return { state, now: plusMs(history[history.length - 1]!.at, HOUR) };
}

export const notifications = (effects: readonly Effect[]) => effects.map((e) => e.params);
export const templates = (effects: readonly Effect[]) => effects.map((e) => e.params.template);

/** A refusal a person can read: a sentence, not a code, a stack or a blank. */
export function expectHumanReason(reason: string): void {
  expect(reason.trim().length).toBeGreaterThan(10);
  expect(reason).toMatch(/^[A-Z][a-z]* /);
  expect(reason).not.toMatch(/undefined|null|NaN|\[object|Error|\b[A-Z]+_[A-Z_]+\b/);
}
