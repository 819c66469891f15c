// The embedded engine: the job machine hosted on Postgres. One transaction per event:
// lock the job's row, step the machine, save snapshot + version, history, audit, read model,
// outbox effects and the next deadline. The dispatcher runs the outbox and fires deadlines.
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import type { ReservedSql } from 'postgres';
import type { Database, Tx } from '../../db/client.ts';
import { engineJobs, engineTimers, outbox } from '../../db/schema/index.ts';
import { recordTransition } from '../../activities/record-transition.ts';
import { pendingTimer, startJob, stepJob, timerEvent, type JobState } from '../../workflows/job-host.ts';
import type { Effect, JobCommand, JobEvent, JobInput, JobStatus } from '../../workflows/model.ts';
import { EventRejected, JobNotFound, systemClock, type Clock, type JobEngine, type JobView } from './port.ts';

export const WAKE_CHANNEL = 'fixflow_engine';

export interface EmbeddedEngine extends JobEngine {
  readonly kind: 'embedded';
  /** Fires the job's next deadline if it is due; false when nothing was due. */
  fireDueTimer(jobId: string): Promise<boolean>;
}

export function createEmbeddedEngine({ db, clock = systemClock }: { db: Database; clock?: Clock }): EmbeddedEngine {
  const view = (jobId: string, version: number, state: JobState): JobView => ({ jobId, version, ...state, nextTimer: pendingTimer(state) });

  /**
   * Writes one accepted step. The statements are independent, so they are issued together and
   * postgres.js pipelines them on the transaction's connection: one round trip instead of one each.
   * `existing` is false only for a job's start (its snapshot row is inserted, not updated).
   * Returns the writes (not awaited: the caller decides what they pipeline with) and whether the
   * dispatcher has new work (effects to run, or a deadline to wait for).
   */
  function persist(tx: Tx, jobId: string, seq: number, at: string, step: { state: JobState; effects: Effect[]; event: JobEvent | null; from: JobStatus | null }, existing: boolean) {
    const updatedAt = new Date(at);
    const timer = pendingTimer(step.state);
    const writes: PromiseLike<unknown>[] = [
      existing
        ? tx.update(engineJobs).set({ state: step.state, version: seq, updatedAt }).where(eq(engineJobs.jobId, jobId))
        : tx
            .insert(engineJobs)
            .values({ jobId, state: step.state, version: seq, updatedAt })
            .onConflictDoUpdate({ target: engineJobs.jobId, set: { state: step.state, version: seq, updatedAt } }),
      recordTransition(tx, { jobId, seq, event: step.event, from: step.from, state: step.state, at }),
    ];
    if (step.effects.length > 0) {
      writes.push(tx.insert(outbox).values(step.effects.map((effect, idx) => ({ jobId, seq, idx, effect, availableAt: updatedAt }))));
    }
    writes.push(
      timer
        ? tx
            .insert(engineTimers)
            .values({ jobId, key: timer.key, dueAt: new Date(timer.at) })
            .onConflictDoUpdate({ target: engineTimers.jobId, set: { key: timer.key, dueAt: new Date(timer.at) } })
        : tx.delete(engineTimers).where(eq(engineTimers.jobId, jobId)),
    );
    return { writes, wake: step.effects.length > 0 || timer !== null };
  }

  /**
   * Wakes dispatchers after the commit, not inside the transaction: a transaction that NOTIFYs holds
   * a database-wide lock through its commit (WAL flush included), which would serialise every
   * event's commit and defeat group commit. At most one wake-up is in flight and one more queued:
   * a woken dispatcher drains everything due, so coalescing loses nothing. Were the process to stop
   * between commit and wake-up, dispatchers still poll every `idleMs`.
   */
  let waking = false;
  let wakeAgain = false;
  function wakeDispatchers(jobId: string): void {
    if (waking) {
      wakeAgain = true;
      return;
    }
    waking = true;
    db.execute(sql`select pg_notify(${WAKE_CHANNEL}, ${jobId})`).then(
      () => done(),
      () => done(),
    );
    function done() {
      waking = false;
      if (wakeAgain) {
        wakeAgain = false;
        wakeDispatchers(jobId);
      }
    }
  }

  /**
   * One event in three round trips, as few as a bare `BEGIN; UPDATE; COMMIT`: a reserved connection
   * takes BEGIN and the row lock in one pipeline, the machine steps, every write goes in a second
   * pipeline, then COMMIT. (Through `db.transaction`, BEGIN is a round trip of its own.) COMMIT waits
   * for the writes' answers rather than joining their pipeline because drizzle sends a statement a
   * few microtasks after it is awaited: a COMMIT issued alongside could overtake them.
   */
  const client = db.$client;
  /**
   * A drizzle handle over one reserved connection. Without a schema it costs microseconds (with one,
   * milliseconds). Its statements are prepared (named, kept per connection by postgres.js): drizzle
   * sends unnamed ones, which PostgreSQL parses and plans on every event, and that was a third of its
   * CPU per event. The client is cast because drizzle types it as the pool; drizzle only reads
   * `options` (the pool's type parsers) and calls `unsafe`.
   */
  function drizzleOver(conn: ReservedSql): Database {
    const prepared = {
      options: client.options,
      unsafe: (query: string, params?: unknown[], options?: object) => conn.unsafe(query, params as never, { ...options, prepare: true }),
    };
    return drizzle({ client: prepared as unknown as typeof client, casing: 'snake_case' }) as unknown as Database;
  }
  async function apply(jobId: string, toEvent: (state: JobState, at: string) => JobEvent | null): Promise<JobView | null> {
    const conn = await client.reserve();
    let open = false;
    try {
      open = true;
      const [, rows] = await Promise.all([
        conn`begin`,
        conn<{ state: JobState; version: number }[]>`select state, version from engine_jobs where job_id = ${jobId} for update`,
      ]);
      if (rows.length === 0) throw new JobNotFound(jobId);
      const { state, version } = rows[0];
      const at = clock().toISOString();
      const event = toEvent(state, at);
      if (!event) return null;
      const result = stepJob(state, event);
      if (!result.ok) throw new EventRejected(result.reason);
      const tx = drizzleOver(conn);
      const { writes, wake } = persist(tx, jobId, version + 1, at, { ...result, event }, true);
      // Every write answered before ROLLBACK (finally) or COMMIT goes out.
      const failed = (await Promise.allSettled(writes)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      open = false;
      await conn`commit`;
      if (wake) wakeDispatchers(jobId);
      return view(jobId, version + 1, result.state);
    } finally {
      if (open) await conn`rollback`.catch(() => {});
      conn.release();
    }
  }

  return {
    kind: 'embedded',

    async start(input) {
      let wake = false;
      const started = await db.transaction(async (tx) => {
        const [existing] = await tx.select().from(engineJobs).where(eq(engineJobs.jobId, input.jobId));
        if (existing) return view(input.jobId, existing.version, existing.state as JobState);
        const { state, effects } = startJob(input);
        const persisted = persist(tx, input.jobId, 1, input.createdAt, { state, effects, event: null, from: null }, false);
        await Promise.all(persisted.writes);
        wake = persisted.wake;
        return view(input.jobId, 1, state);
      });
      if (wake) wakeDispatchers(input.jobId);
      return started;
    },

    async send(jobId, command: JobCommand) {
      const result = await apply(jobId, (_state, at) => ({ ...command, at }) as JobEvent);
      return result!;
    },

    async get(jobId) {
      const [row] = await db.select().from(engineJobs).where(eq(engineJobs.jobId, jobId));
      if (!row) throw new JobNotFound(jobId);
      return view(jobId, row.version, row.state as JobState);
    },

    async fireDueTimer(jobId) {
      try {
        const fired = await apply(jobId, (state, at) => {
          const timer = pendingTimer(state);
          return timer && timer.at <= at ? timerEvent(timer, at) : null;
        });
        return fired !== null;
      } catch (e) {
        if (e instanceof JobNotFound) return false;
        throw e;
      }
    },

    async close() {},
  };
}
