// The functional core both engines share: start, step, and read the next deadline.
// A host persists `JobState` and turns the returned effects into I/O; nothing here does I/O.

import { initialTransition, transition } from 'xstate';
import { nextTimer } from './deadlines.ts';
import { jobMachine } from './job-machine.ts';
import type { Effect, JobContext, JobEvent, JobInput, JobStatus, Timer } from './model.ts';
import { FINAL_STATUSES, TIMER_EVENT } from './model.ts';
import { explain, staleRefusal } from './rules.ts';

/** The persisted form of a job's machine: survives JSON, continue-as-new and restarts. */
export interface JobState {
  status: JobStatus;
  context: JobContext;
}

export type StepResult =
  { ok: true; state: JobState; effects: Effect[]; from: JobStatus } | { ok: false; reason: string };

type Snapshot = ReturnType<typeof jobMachine.resolveState>;

const toState = (snapshot: Snapshot): JobState => ({ status: snapshot.value, context: snapshot.context });

/** The machine's effect requests; a notification with nobody to tell is no effect at all. */
function effectsOf(actions: readonly { type: string; params?: unknown }[]): Effect[] {
  return actions
    .filter((a) => a.type === 'notify')
    .map((a) => ({ type: 'notify', params: a.params }) as Effect)
    .filter((e) => e.params.staff || e.params.contractors.length > 0);
}

export function startJob(input: JobInput): { state: JobState; effects: Effect[] } {
  const [snapshot, actions] = initialTransition(jobMachine, input);
  return { state: toState(snapshot), effects: effectsOf(actions) };
}

export function restore(state: JobState): Snapshot {
  return jobMachine.resolveState({ value: state.status, context: upgrade(state.context) });
}

/**
 * Snapshots persisted before the context counted assignments: a job someone holds is on its first
 * (as far as its ledger knows: invoices recorded then are assignment 1), one nobody holds yet on none.
 * Snapshots from before credit notes have credited no invoice (re-raises then replaced it in place).
 */
function upgrade(context: JobContext): JobContext {
  const assigned =
    typeof context.assignment === 'number' ? context : { ...context, assignment: context.contractorId ? 1 : 0 };
  return Array.isArray(assigned.creditedInvoices) ? assigned : { ...assigned, creditedInvoices: [] };
}

/** Apply one event. A refused event changes nothing and says why (the same words as validateEvent). */
export function stepJob(state: JobState, event: JobEvent): StepResult {
  const reason = validateEvent(state, event);
  if (reason) return { ok: false, reason };
  const [next, actions] = transition(jobMachine, restore(state), event);
  return { ok: true, state: toState(next), effects: effectsOf(actions), from: state.status };
}

/** Whether the machine would take this event now (used by update validators). */
export function validateEvent(state: JobState, event: JobEvent): string | null {
  const stale = staleRefusal(state.status, event);
  if (stale) return stale;
  const snapshot = restore(state);
  return snapshot.status === 'active' && snapshot.can(event) ? null : explain(state.status, state.context, event);
}

export function pendingTimer(state: JobState): Timer | null {
  return nextTimer(state.context);
}

/** The ordinary event a due deadline becomes. */
export function timerEvent(timer: Timer, at: string): JobEvent {
  // A warning names its percentage, so the recorded event (the timeline) says how far the SLA had run.
  const percent = timer.kind === 'slaWarning' && timer.percent !== undefined ? { percent: timer.percent } : {};
  return { type: TIMER_EVENT[timer.kind], key: timer.key, ...percent, at, actor: SYSTEM_ACTOR } as JobEvent;
}

const SYSTEM_ACTOR = { id: 'system', role: 'system' } as const;

export function isFinal(status: JobStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** A job as both engines answer it: its machine state, version and next deadline. */
export interface JobView extends JobState {
  jobId: string;
  /** Number of accepted events, the job's start included. */
  version: number;
  nextTimer: Timer | null;
}

/** The view of a job at `version` in `state`, as both engines answer it. */
export const viewOf = (jobId: string, version: number, state: JobState): JobView => ({
  jobId,
  version,
  ...state,
  nextTimer: pendingTimer(state),
});
