// What the job workflows ask of the outside world, as types only. The workflows own this contract;
// activities/index.ts implements it (for Temporal's worker and the embedded dispatcher alike), so
// workflow code never imports activity code.
import type { JobState } from './job-host.ts';
import type { Effect, JobEvent, JobStatus } from './model.ts';

/** One accepted event (or the job's start), as it is recorded: history, audit, read model. */
export interface Transition {
  jobId: string;
  seq: number;
  /** Null for the job's start. */
  event: JobEvent | null;
  from: JobStatus | null;
  state: JobState;
  at: string;
}

/** The `idx`-th effect of the job's transition `seq`. */
export interface EffectCall {
  jobId: string;
  seq: number;
  idx: number;
  effect: Effect;
}

/** A transition that could not be recorded for good, and why. */
export interface ProjectionFailure {
  jobId: string;
  seq: number;
  error: string;
  at: string;
}

/** Plain functions, not methods: Temporal's worker and the embedded dispatcher call them on their own. */
export interface JobActivities {
  runEffect: (call: EffectCall) => Promise<void>;
  /** Flags the job as needing attention; the earliest failure is kept. */
  flagProjectionFailure: (failure: ProjectionFailure) => Promise<void>;
  recordTransition: (transition: Transition) => Promise<void>;
}
