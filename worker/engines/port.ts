// The port the API talks to. Two adapters: the embedded engine (Postgres) and Temporal.
import type { Tx } from '#db/client.ts';
import type { JobView } from '#workflows/job-host.ts';
import type { JobCommand, JobInput } from '#workflows/model.ts';

export interface JobEngine {
  readonly kind: 'embedded' | 'temporal';
  /** Starts the job's workflow; starting an existing job returns it unchanged. */
  start(input: JobInput): Promise<JobView>;
  /**
   * Starts the job inside the caller's transaction (the one that writes its row), so the row and its
   * workflow commit together or not at all. Only engines whose state lives in that database have it;
   * call `committed()` once the transaction has committed.
   */
  startInTransaction?(tx: Tx, input: JobInput): Promise<{ view: JobView; committed(): void }>;
  /** Applies one event; throws EventRejected (changing nothing) when the machine does not take it. */
  send(jobId: string, command: JobCommand): Promise<JobView>;
  get(jobId: string): Promise<JobView>;
  close(): Promise<void>;
}

/** The machine refused the event; `message` is for people. */
export class EventRejected extends Error {
  override readonly name = 'EventRejected';
}

/**
 * The engine did not answer within its deadline (no worker polling, server down). Nothing is
 * confirmed: an event may still be applied once the engine answers again, never twice for a retry
 * that carries the same idempotency key.
 */
export class EngineUnavailable extends Error {
  override readonly name = 'EngineUnavailable';
  /** The call that went unanswered (start, query, or the event's type): for logs, not for people. */
  readonly call: string;
  constructor(call: string, cause?: unknown) {
    super('The job engine is not answering. Nothing is confirmed: check the job in a moment before trying again.', {
      cause,
    });
    this.call = call;
  }
}

export class JobNotFound extends Error {
  override readonly name = 'JobNotFound';
  constructor(jobId: string) {
    super(`No job ${jobId}`);
  }
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** Real time moved by `offsetMs` (dev only: ENGINE_CLOCK_OFFSET), to see deadlines fall due without waiting. */
export function offsetClock(offsetMs: number, base: Clock = systemClock): Clock {
  return offsetMs === 0 ? base : () => new Date(base().getTime() + offsetMs);
}
