// Which of a person's actions the machine would take now: what the job page offers as buttons.
// The definition is "validateEvent(state, probe) === null" for each probe; asking that of the machine
// restores the snapshot and walks its transitions once per probe (≈ 170 µs a job). `allowedActions`
// gives the same answer from a plan derived once per status from the machine's own transition table:
// an event with no transition in the state (or at the root) is refused without asking, and one whose
// transitions are all guarded by the machine's `allowed` guard is decided by calling that guard. Any
// other shape (another guard, a wildcard, nested states) is left to the machine, so a new event or
// state is covered without editing this file. Pure: no I/O, no clock.

import type { StateNode } from 'xstate';
import { restore, validateEvent, type JobState } from './job-host.ts';
import { jobMachine } from './job-machine.ts';
import type { Actor, JobEvent, JobEventType, JobStatus } from './model.ts';

/** Representative payloads: asking the machine which of these it would take tells the UI what to offer. */
const PROBES = [
  { type: 'OFFER', contractorId: '00000000-0000-4000-8000-000000000000' },
  { type: 'ACCEPT' },
  { type: 'DECLINE' },
  { type: 'START' },
  { type: 'ADD_NOTE', text: 'probe' },
  { type: 'COMPLETE', note: 'probe' },
  { type: 'CLOSE' },
  { type: 'RECALL', reason: 'probe' },
  { type: 'CANCEL', reason: 'probe' },
  { type: 'CHANGE_PRIORITY', priority: { code: '\u0000probe', name: 'probe', targetHours: 1, warnAtPercent: [] } },
  { type: 'SUBMIT_INVOICE', number: 'probe', netPence: 0, vatPence: 0, totalPence: 0 },
  { type: 'RAISE_INVOICE', number: 'probe', agentNetPence: 0, vatRateBp: 0, contractorTotalPence: 0 },
  { type: 'RECORD_PAYMENT', key: '\u0000probe', leg: 'client', amountPence: 1, reference: 'probe' },
  { type: 'ADVANCE_DEADLINE' },
] as const satisfies readonly { type: JobEventType; [field: string]: unknown }[];

const probe = (p: (typeof PROBES)[number], actor: Actor, at: string) => ({ ...p, actor, at }) as JobEvent;

/** The definition: each probe asked of the machine separately. */
export function allowedActionsByMachine(state: JobState, actor: Actor, at: string): JobEventType[] {
  return PROBES.filter((p) => validateEvent(state, probe(p, actor, at)) === null).map((p) => p.type);
}

/** How one probe is decided in one status. */
type Decision =
  | { kind: 'never' } // no transition for it: refused whatever the context
  | { kind: 'guard'; takes: boolean } // every candidate is guarded by `allowed`: the guard decides (`takes`: the selected transition does something)
  | { kind: 'machine' }; // anything else: ask the machine
type Plan = { final: true } | { final: false; decisions: Map<JobEventType, Decision> };

const GUARD = 'allowed';
type GuardFn = (args: { context: JobState['context']; event: JobEvent }, params: undefined) => boolean;
// The machine's own implementation of the guard, so the plan cannot drift from what the machine runs.
const allowedGuard = (jobMachine.implementations.guards as unknown as Record<string, GuardFn | undefined>)[GUARD];

interface Candidate {
  guard?: unknown;
  target?: readonly unknown[];
  actions: readonly unknown[];
}
type Node = StateNode<never, never>;

function planFor(status: JobStatus): Plan | null {
  const root = jobMachine.root as unknown as Node;
  const node = (root.states as Record<string, Node | undefined>)[status];
  // Only an atomic child of the root with exact event names is planned; the rest goes to the machine.
  if (!node || !allowedGuard || (node.type !== 'atomic' && node.type !== 'final')) return null;
  if (node.type === 'final') return { final: true };
  const wildcard = (n: Node) => [...n.transitions.keys()].some((k) => k.includes('*'));
  if (wildcard(node) || wildcard(root)) return null;
  const decisions = new Map<JobEventType, Decision>();
  for (const { type } of PROBES) {
    const own = (node.transitions.get(type) ?? []) as readonly Candidate[];
    const inherited = (root.transitions.get(type) ?? []) as readonly Candidate[];
    const all = [...own, ...inherited];
    if (all.length === 0) decisions.set(type, { kind: 'never' });
    else if (all.every((t) => t.guard === GUARD)) {
      // One guard for all: if it passes, the first candidate (the state's own before the root's) is selected.
      const [first] = all as [Candidate, ...Candidate[]]; // not empty: checked above
      decisions.set(type, { kind: 'guard', takes: first.target !== undefined || first.actions.length > 0 });
    } else decisions.set(type, { kind: 'machine' });
  }
  return { final: false, decisions };
}

const plans = new Map<string, Plan | null>();
function planOf(status: JobStatus): Plan | null {
  if (!plans.has(status)) plans.set(status, planFor(status));
  return plans.get(status)!;
}

/** Same answer as `allowedActionsByMachine`, without stepping the machine for each probe. */
export function allowedActions(state: JobState, actor: Actor, at: string): JobEventType[] {
  const plan = planOf(state.status);
  if (!plan) return allowedActionsByMachine(state, actor, at);
  if (plan.final) return [];
  let snapshot: ReturnType<typeof restore> | undefined;
  const out: JobEventType[] = [];
  for (const p of PROBES) {
    const decision = plan.decisions.get(p.type)!;
    if (decision.kind === 'never') continue;
    const event = probe(p, actor, at);
    if (decision.kind === 'guard') {
      if (decision.takes && allowedGuard!({ context: state.context, event }, undefined)) out.push(p.type);
      continue;
    }
    snapshot ??= restore(state);
    if (snapshot.status === 'active' && snapshot.can(event)) out.push(p.type);
  }
  return out;
}
