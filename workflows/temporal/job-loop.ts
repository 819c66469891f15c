// The job workflow's event loop, with every Temporal call behind an injected runtime.
// `job-workflow.ts` wires it to @temporalio/workflow; tests drive it with a fake runtime and clock.
// Deterministic: time comes only from `runtime.now()`, and nothing here does I/O itself.
//
// One loop per job run, strictly serial: each accepted event (or due deadline) is stepped through the
// machine, recorded (`recordTransition`, awaited: the caller's answer means the read model has it), and
// its effects are started (`runEffect`, in the background: a slow mailer never holds up the job).
import type { EffectCall, ProjectionFailure, Transition } from '../activity-contract.ts';
import type { JobView } from '../job-host.ts';
import { isFinal, pendingTimer, startJob, stepJob, timerEvent, validateEvent, type JobState } from '../job-host.ts';
import type { Effect, JobCommand, JobEvent, JobInput, JobStatus, Timer } from '../model.ts';

export interface LoopRuntime {
  /** The host's clock (in a workflow: Temporal's deterministic one). */
  now(): Date;
  /** Waits until `ready()` holds (true) or `deadline` passes (false). A null deadline waits for `ready` only. */
  waitFor(ready: () => boolean, deadline: Date | null): Promise<boolean>;
  recordTransition(t: Transition): Promise<void>;
  /** Marks the job as needing attention: transition `seq` could not be recorded for good. */
  projectionFailed(failure: ProjectionFailure): Promise<void>;
  runEffect(call: EffectCall): Promise<void>;
  /** Told after every accepted transition (the workflow upserts search attributes here). */
  published(view: JobView): void;
  /** Whether this run should hand over to a fresh one because its history is growing large. */
  shouldContinueAsNew(): boolean;
  /** True when no update handler is still running (so exiting the run would cut none off). */
  handlersFinished(): boolean;
  /** The error an update fails with when the machine refuses its event. */
  refusal(reason: string): Error;
  log(level: 'info' | 'warn' | 'error', message: string, attrs?: Record<string, unknown>): void;
}

/** What a run hands to the next one on continue-as-new: the persisted snapshot and the counters. */
export interface LoopCarry {
  state: JobState;
  version: number;
  /** Deadlines the machine refused when they fell due; skipped so they cannot spin the loop. */
  refusedTimers: string[];
}

type LoopStart = { input: JobInput } | { carry: LoopCarry };

export type LoopExit = { kind: 'completed'; view: JobView } | { kind: 'continueAsNew'; carry: LoopCarry };

/** How far the loop has got; tests and operators use it to wait until a job is quiet. */
export interface LoopProgress {
  version: number;
  /** Highest seq whose recordTransition has finished (successfully or given up). */
  recorded: number;
  queued: number;
  effectsPending: number;
  status: JobStatus;
}

type Item =
  | {
      kind: 'event';
      command: JobCommand;
      resolve: (v: JobView) => void;
      reject: (e: Error) => void;
      applied?: () => void;
    }
  | { kind: 'sync'; resolve: (v: JobView) => void };

export interface JobLoop {
  view(): JobView;
  progress(): LoopProgress;
  /** The machine's reason to refuse this command now, or null (update validator: fail fast). */
  validate(command: JobCommand): string | null;
  /**
   * Queues a command; resolves with the new view once recorded, or rejects with `runtime.refusal`.
   * `applied` is called, synchronously, when the machine has taken it (before the promise settles).
   */
  submit(command: JobCommand, applied?: () => void): Promise<JobView>;
  /** Resolves once everything accepted so far is recorded (used right after start). */
  sync(): Promise<JobView>;
  run(): Promise<LoopExit>;
}

/** An error's message with its causes' (an activity's failure wraps the activity's own error). */
const message = (e: unknown): string =>
  e instanceof Error
    ? e.cause instanceof Error && e.cause.message !== e.message
      ? `${e.message}: ${message(e.cause)}`
      : e.message
    : String(e);

export function createJobLoop(start: LoopStart, rt: LoopRuntime): JobLoop {
  let state: JobState;
  let version: number;
  let recorded: number;
  let initialEffects: Effect[] | null = null;
  if ('carry' in start) {
    state = start.carry.state;
    version = start.carry.version;
    recorded = version;
  } else {
    const started = startJob(start.input);
    state = started.state;
    initialEffects = started.effects;
    version = 1;
    recorded = 0;
  }
  const jobId = state.context.jobId;
  const refused = new Set('carry' in start ? start.carry.refusedTimers : []);
  const queue: Item[] = [];
  let effectsPending = 0;
  let busy = false;

  const view = (): JobView => ({
    jobId,
    version,
    status: state.status,
    context: state.context,
    nextTimer: pendingTimer(state),
  });
  /** The next deadline to wait for: the earliest one the machine has not refused. */
  const nextDue = (): Timer | null => state.context.timers.find((t) => !refused.has(t.key)) ?? null;
  const idle = () => queue.length === 0 && effectsPending === 0 && !busy && rt.handlersFinished();

  function startEffects(seq: number, effects: Effect[]) {
    effects.forEach((effect, idx) => {
      effectsPending++;
      rt.runEffect({ jobId, seq, idx, effect })
        .catch((e) =>
          rt.log('error', `effect ${jobId}:${seq}:${idx} (${effect.type}) gave up: ${message(e)}`, { jobId, seq, idx }),
        )
        .finally(() => effectsPending--);
    });
  }

  async function commit(
    event: JobEvent | null,
    from: JobStatus | null,
    next: JobState,
    effects: Effect[],
    at: string,
    seq: number,
  ) {
    state = next;
    version = seq;
    rt.published(view());
    try {
      await rt.recordTransition({ jobId, seq, event, from, state: next, at });
    } catch (e) {
      // The state has moved on regardless; the next transition's projection brings the read model level,
      // but this step's history row is missing: the job is flagged for an operator (docs/operations.md).
      rt.log('error', `recordTransition ${jobId}:${seq} gave up: ${message(e)}`, { jobId, seq });
      await rt
        .projectionFailed({ jobId, seq, error: message(e), at: rt.now().toISOString() })
        .catch((flagError: unknown) =>
          rt.log('error', `could not flag ${jobId}:${seq} as needing attention: ${message(flagError)}`, { jobId, seq }),
        );
    }
    recorded = seq;
    startEffects(seq, effects);
  }

  async function fire(timer: Timer) {
    const at = rt.now().toISOString();
    const event = timerEvent(timer, at);
    const result = stepJob(state, event);
    if (!result.ok) {
      // The machine refusing its own deadline is a bug; skip it rather than spin on it.
      refused.add(timer.key);
      rt.log('warn', `deadline ${timer.key} refused: ${result.reason}`, { jobId, key: timer.key });
      return;
    }
    await commit(event, result.from, result.state, result.effects, at, version + 1);
  }

  async function handle(item: Item) {
    if (item.kind === 'sync') return item.resolve(view());
    const at = rt.now().toISOString();
    const event = { ...item.command, at };
    let result: ReturnType<typeof stepJob>;
    try {
      result = stepJob(state, event);
    } catch (e) {
      return item.reject(
        rt.refusal(`Malformed ${String((item.command as { type?: unknown }).type)} event: ${message(e)}`),
      );
    }
    if (!result.ok) return item.reject(rt.refusal(result.reason));
    await commit(event, result.from, result.state, result.effects, at, version + 1);
    item.applied?.();
    item.resolve(view());
  }

  const wantsExit = () => isFinal(state.status) || rt.shouldContinueAsNew();

  return {
    view,
    progress: () => ({ version, recorded, queued: queue.length, effectsPending, status: state.status }),
    validate(command) {
      try {
        return validateEvent(state, { ...command, at: rt.now().toISOString() });
      } catch (e) {
        return `Malformed ${String((command as { type?: unknown }).type)} event: ${message(e)}`;
      }
    },
    submit(command, applied) {
      return new Promise<JobView>((resolve, reject) =>
        queue.push({ kind: 'event', command, resolve, reject, applied }),
      );
    },
    sync() {
      return new Promise<JobView>((resolve) => queue.push({ kind: 'sync', resolve }));
    },
    async run() {
      if (initialEffects) {
        const effects = initialEffects;
        initialEffects = null;
        busy = true;
        await commit(null, null, state, effects, state.context.createdAt, 1);
        busy = false;
      }
      for (;;) {
        const timer = nextDue();
        // A deadline that has passed happened before anything still queued: fire it first.
        if (timer && Date.parse(timer.at) <= rt.now().getTime()) {
          busy = true;
          await fire(timer);
          busy = false;
          continue;
        }
        const item = queue.shift();
        if (item) {
          busy = true;
          await handle(item);
          busy = false;
          continue;
        }
        if (idle()) {
          if (isFinal(state.status)) return { kind: 'completed', view: view() };
          if (rt.shouldContinueAsNew()) {
            const carried = [...refused].filter((key) => state.context.timers.some((t) => t.key === key));
            return { kind: 'continueAsNew', carry: { state, version, refusedTimers: carried } };
          }
        }
        await rt.waitFor(() => queue.length > 0 || (wantsExit() && idle()), timer ? new Date(timer.at) : null);
      }
    },
  };
}
