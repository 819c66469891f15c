// The named status sets in workflows/model.ts say what lists, counts and badges mean ("is the SLA running?",
// "is this anyone's workload?"). Each is proved here against the machine itself, so a new state or
// transition that changes a meaning fails this test instead of leaving a list in the console out of date.
import { describe, expect, test } from 'vitest';
import { stepJob, timerEvent } from '#workflows/job-host.ts';
import { jobMachine } from '#workflows/job-machine.ts';
import {
  FINAL_STATUSES,
  INVOICEABLE_STATUSES,
  JOB_STATUSES,
  OFFERABLE_STATUSES,
  OPEN_STATUSES,
  PAST_WORK_STATUSES,
  SLA_RUNNING_STATUSES,
  UNRESOLVED_STATUSES,
  WORKLOAD_STATUSES,
  hasStatus,
  type JobEventType,
  type JobStatus,
} from '#workflows/model.ts';
import { SCENARIOS, ev, hoursIn, reach, start, statusOf, step } from './support.ts';

// The machine's transitions here are single objects ({ guard, target, actions }), never arrays or strings.
interface StateConfig {
  type?: string;
  on?: Partial<Record<JobEventType, { target?: JobStatus }>>;
}
const STATES = jobMachine.config.states as unknown as Record<JobStatus, StateConfig>;

/** The statuses whose own transitions include `event` (events every open state takes are at the root). */
const takes = (event: JobEventType) => JOB_STATUSES.filter((s) => STATES[s].on?.[event] !== undefined);

/** Where `event` leads from any status. */
const targetsOf = (event: JobEventType) =>
  JOB_STATUSES.flatMap((s) => {
    const target = STATES[s].on?.[event]?.target;
    return target ? [target] : [];
  });

const sorted = (set: readonly JobStatus[]) => [...set].sort();

test('every status is a machine state, and each set names known statuses once', () => {
  expect(sorted(Object.keys(STATES) as JobStatus[])).toEqual(sorted(JOB_STATUSES));
  for (const set of [
    FINAL_STATUSES,
    OPEN_STATUSES,
    WORKLOAD_STATUSES,
    PAST_WORK_STATUSES,
    SLA_RUNNING_STATUSES,
    UNRESOLVED_STATUSES,
    OFFERABLE_STATUSES,
    INVOICEABLE_STATUSES,
  ]) {
    expect(new Set(set).size).toBe(set.length);
    for (const s of set) expect(JOB_STATUSES).toContain(s);
  }
});

describe('final and open', () => {
  test('final statuses are the machine final states; open is every other status', () => {
    expect(sorted(FINAL_STATUSES)).toEqual(sorted(JOB_STATUSES.filter((s) => STATES[s].type === 'final')));
    expect(sorted(OPEN_STATUSES)).toEqual(sorted(JOB_STATUSES.filter((s) => !FINAL_STATUSES.includes(s))));
  });

  test('a final status is in no open set', () => {
    const openSets = [
      OPEN_STATUSES,
      WORKLOAD_STATUSES,
      SLA_RUNNING_STATUSES,
      UNRESOLVED_STATUSES,
      OFFERABLE_STATUSES,
      INVOICEABLE_STATUSES,
    ];
    for (const s of FINAL_STATUSES) for (const set of openSets) expect(set).not.toContain(s);
  });

  test('Completed and Closed are open: the machine still takes events there', () => {
    expect(OPEN_STATUSES).toContain('completed');
    expect(OPEN_STATUSES).toContain('closed');
    for (const scenario of SCENARIOS) {
      const { state, now } = reach(scenario);
      const takesANote = stepJob(state, ev.note(now)).ok;
      expect(takesANote, `${scenario}: takes a note`).toBe(hasStatus(OPEN_STATUSES, state.status));
    }
  });

  test('a job in a final status keeps no timers', () => {
    for (const scenario of SCENARIOS) {
      const { state } = reach(scenario);
      if (hasStatus(FINAL_STATUSES, state.status)) expect(state.context.timers, scenario).toEqual([]);
    }
  });
});

describe('SLA running', () => {
  test('in exactly these statuses the SLA window is not stopped and its breach is pending', () => {
    for (const scenario of SCENARIOS) {
      const { state } = reach(scenario);
      const running = hasStatus(SLA_RUNNING_STATUSES, state.status);
      const breachPending = state.context.timers.some((t) => t.kind === 'slaBreach');
      expect(breachPending, `${scenario}: breach pending`).toBe(running);
      if (!hasStatus(FINAL_STATUSES, state.status))
        expect(state.context.sla.stoppedAt === null, `${scenario}: SLA not stopped`).toBe(running);
    }
  });

  test('a breached SLA still runs (the job is overdue) until the work is completed', () => {
    let state = step(start(), ev.offer(hoursIn(1))).state;
    const breach = state.context.timers.find((t) => t.kind === 'slaBreach')!;
    state = step(state, timerEvent(breach, breach.at)).state;
    expect(state.context.sla.breached).toBe(true);
    expect(hasStatus(SLA_RUNNING_STATUSES, state.status)).toBe(true);
    expect(state.context.sla.stoppedAt).toBeNull();
  });

  test('COMPLETE stops it and RECALL starts it again', () => {
    expect(sorted(targetsOf('COMPLETE')).every((s) => !SLA_RUNNING_STATUSES.includes(s))).toBe(true);
    expect(sorted(targetsOf('RECALL')).every((s) => SLA_RUNNING_STATUSES.includes(s))).toBe(true);
  });
});

describe('workload and past work', () => {
  test('workload is the SLA-running statuses: the SLA measures the site work; past work is the rest', () => {
    expect(sorted(WORKLOAD_STATUSES)).toEqual(sorted(SLA_RUNNING_STATUSES));
    expect(sorted([...WORKLOAD_STATUSES, ...PAST_WORK_STATUSES])).toEqual(sorted(JOB_STATUSES));
    expect(WORKLOAD_STATUSES.filter((s) => PAST_WORK_STATUSES.includes(s))).toEqual([]);
  });

  test('Completed is not workload: the work is done, and only review and money remain', () => {
    expect(WORKLOAD_STATUSES).not.toContain('completed');
    expect(PAST_WORK_STATUSES).toContain('completed');
  });

  test('no contractor holds a New job, so a contractor-held Active list needs no other set', () => {
    for (const scenario of SCENARIOS) {
      const { state } = reach(scenario);
      if (state.status === 'new') expect(state.context.contractorId, scenario).toBeNull();
    }
    const withdrawn = step(reach('assigned').state, ev.offer(hoursIn(3), 'eve')).state;
    expect(withdrawn.status).toBe('new');
    expect(withdrawn.context.contractorId).toBeNull();
  });
});

describe('unresolved', () => {
  test('is workload plus Completed; CLOSE and the final states resolve it', () => {
    expect(sorted(UNRESOLVED_STATUSES)).toEqual(sorted([...WORKLOAD_STATUSES, 'completed']));
    const resolved = JOB_STATUSES.filter((s) => !UNRESOLVED_STATUSES.includes(s));
    expect(sorted(resolved)).toEqual(sorted([...new Set([...targetsOf('CLOSE'), ...FINAL_STATUSES])]));
  });
});

describe('offerable and invoiceable', () => {
  test('are the statuses whose transitions take OFFER and SUBMIT_INVOICE', () => {
    expect(sorted(OFFERABLE_STATUSES)).toEqual(sorted(takes('OFFER')));
    expect(sorted(INVOICEABLE_STATUSES)).toEqual(sorted(takes('SUBMIT_INVOICE')));
  });

  test('the scenarios agree: the holder can invoice exactly in the invoiceable statuses', () => {
    for (const scenario of SCENARIOS) {
      if (scenario === 'closedInvoiced' || scenario === 'reassigned') continue;
      const { state, now } = reach(scenario);
      const invoiced = stepJob(state, ev.submitInvoice(now)).ok;
      expect(invoiced, `${scenario}: Pat may invoice`).toBe(hasStatus(INVOICEABLE_STATUSES, statusOf(scenario)));
    }
  });
});
