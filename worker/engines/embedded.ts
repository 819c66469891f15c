// The embedded engine: the job machine hosted on Postgres. One transaction per event:
// lock the job's row, step the machine, save snapshot + version, history, audit, read model,
// outbox effects and the next deadline. The dispatcher runs the outbox and fires deadlines.
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import type { ReservedSql } from 'postgres';
import type { Database, Tx } from '#db/client.ts';
import { engineJobs, engineTimers, outbox } from '#db/schema/index.ts';
import { recordTransition } from '#activities/record-transition.ts';
import {
  pendingTimer,
  startJob,
  stepJob,
  timerEvent,
  viewOf,
  type JobState,
  type JobView,
} from '#workflows/job-host.ts';
import type { Effect, JobCommand, JobEvent, JobInput, JobStatus } from '#workflows/model.ts';
import { EventRejected, JobNotFound, systemClock, type Clock, type JobEngine } from './port.ts';

export const WAKE_CHANNEL = 'fettle_engine';

export interface EmbeddedEngine extends JobEngine {
  readonly kind: 'embedded';
  startInTransaction: NonNullable<JobEngine['startInTransaction']>;
  /** Fires the job's next deadline if it is due; false when nothing was due. */
  fireDueTimer(jobId: string): Promise<boolean>;
  /**
   * Makes the job's timer row say what its state says (the state is the truth; the row is its index).
   * Returns what changed, or null when the row already agreed.
   */
  reconcileTimer(jobId: string): Promise<TimerFix | null>;
}

interface TimerFix {
  /** The row as it was. */
  was: { key: string; dueAt: string } | null;
  /** The row now; null: dropped (the job has no pending deadline, or no state at all). */
  now: { key: string; dueAt: string } | null;
  /** False when the timer row's job has no engine state. */
  jobFound: boolean;
}

/** The job's timer row: its earliest pending deadline, or none. */
function writeTimer(tx: Tx, jobId: string, timer: { key: string; dueAt: Date } | null) {
  return timer
    ? tx
        .insert(engineTimers)
        .values({ jobId, ...timer })
        .onConflictDoUpdate({ target: engineTimers.jobId, set: timer })
    : tx.delete(engineTimers).where(eq(engineTimers.jobId, jobId));
}

export function createEmbeddedEngine({ db, clock = systemClock }: { db: Database; clock?: Clock }): EmbeddedEngine {
  /**
   * Writes one accepted step. The statements are independent, so they are issued together and
   * postgres.js pipelines them on the transaction's connection: one round trip instead of one each.
   * `existing` is false only for a job's start (its snapshot row is inserted, not updated).
   * Returns the writes (not awaited: the caller decides what they pipeline with) and whether the
   * dispatcher has new work (effects to run, or a deadline to wait for).
   */
  function persist(
    tx: Tx,
    jobId: string,
    seq: number,
    at: string,
    step: { state: JobState; effects: Effect[]; event: JobEvent | null; from: JobStatus | null },
    existing: boolean,
  ) {
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
      writes.push(
        tx
          .insert(outbox)
          .values(step.effects.map((effect, idx) => ({ jobId, seq, idx, effect, availableAt: updatedAt }))),
      );
    }
    writes.push(writeTimer(tx, jobId, timer && { key: timer.key, dueAt: new Date(timer.at) }));
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
   * One event in two round trips (a bare `BEGIN; UPDATE; COMMIT` takes three): on a reserved
   * connection, BEGIN and the row lock go in one pipeline; the machine steps; every write and the
   * COMMIT go in a second. (Through `db.transaction`, BEGIN and COMMIT are round trips of their own.)
   * If any write fails, PostgreSQL aborts the transaction and answers the pipelined COMMIT with
   * ROLLBACK, so nothing is half-written and the write's own error is what the caller sees.
   * Order matters: drizzle hands a statement to postgres.js a few microtasks after it is awaited, so
   * COMMIT is queued only after a macrotask turn (every microtask chain has run by then), and the
   * handle refuses any statement that comes later still rather than let it run outside the transaction.
   */
  const client = db.$client;
  /**
   * A drizzle handle over one reserved connection. Without a schema it costs microseconds (with one,
   * milliseconds). Its statements are prepared (named, kept per connection by postgres.js): drizzle
   * sends unnamed ones, which PostgreSQL parses and plans on every event, and that was a third of its
   * CPU per event. The client is cast because drizzle types it as the pool; drizzle only reads
   * `options` (the pool's type parsers) and calls `unsafe`.
   */
  function drizzleOver(conn: ReservedSql, sealed: { value: boolean }): Database {
    const prepared = {
      options: client.options,
      unsafe: (query: string, params?: unknown[], options?: object) => {
        if (sealed.value)
          throw new Error(
            `engine: a statement came after its transaction's COMMIT was queued, and was not run: ${query.slice(0, 80)}`,
          );
        return conn.unsafe(query, params as never, { ...options, prepare: true });
      },
    };
    return drizzle({ client: prepared as unknown as typeof client, casing: 'snake_case' }) as unknown as Database;
  }
  async function apply(
    jobId: string,
    toEvent: (state: JobState, at: string) => JobEvent | null,
  ): Promise<JobView | null> {
    const conn = await client.reserve();
    const sealed = { value: false };
    let open = false;
    try {
      open = true;
      const [, rows] = await Promise.all([
        conn`begin`,
        conn<
          { state: JobState; version: number }[]
        >`select state, version from engine.jobs where job_id = ${jobId} for update`,
      ]);
      const [row] = rows;
      if (!row) throw new JobNotFound(jobId);
      const { state, version } = row;
      const at = clock().toISOString();
      const event = toEvent(state, at);
      if (!event) return null;
      const result = stepJob(state, event);
      if (!result.ok) throw new EventRejected(result.reason);
      const seq = version + 1;
      const timer = pendingTimer(result.state);
      const writes = [
        // Snapshot, outbox and deadline in one statement (one parse, one plan, one message).
        conn`
          with snapshot as (
            update engine.jobs set state = ${JSON.stringify(result.state)}::jsonb, version = ${seq}::int, updated_at = ${at}::timestamptz
            where job_id = ${jobId}::uuid returning job_id),
          effects as (
            insert into engine.outbox (job_id, seq, idx, effect, available_at)
            select ${jobId}::uuid, ${seq}::int, (e.n - 1)::int, e.effect, ${at}::timestamptz
            from jsonb_array_elements(${JSON.stringify(result.effects)}::jsonb) with ordinality as e(effect, n)
            returning 1),
          deadline as (
            insert into engine.timers (job_id, key, due_at)
            select ${jobId}::uuid, ${timer?.key ?? null}::text, ${timer?.at ?? null}::timestamptz where ${timer?.key ?? null}::text is not null
            on conflict (job_id) do update set key = excluded.key, due_at = excluded.due_at
            returning 1),
          no_deadline as (
            delete from engine.timers where job_id = ${jobId}::uuid and ${timer?.key ?? null}::text is null
            returning 1)
          select (select count(*) from snapshot)::int as updated`,
        recordTransition(drizzleOver(conn, sealed), { jobId, seq, event, from: result.from, state: result.state, at }),
      ];
      const wake = result.effects.length > 0 || timer !== null;
      await new Promise<void>((resolve) => setImmediate(resolve));
      sealed.value = true;
      const settled = await Promise.allSettled([...writes, conn`commit`]);
      open = false;
      // The statement that failed, not those PostgreSQL then refused ("current transaction is aborted").
      const failures = settled
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map((r) => r.reason as unknown);
      if (failures.length)
        throw (
          failures.find(
            (e) =>
              (e as { cause?: { code?: string }; code?: string }).code !== '25P02' &&
              (e as { cause?: { code?: string } }).cause?.code !== '25P02',
          ) ?? failures[0]
        );
      const { command } = (settled[settled.length - 1] as PromiseFulfilledResult<{ command: string }>).value;
      if (command !== 'COMMIT') throw new Error(`engine: event ${seq} on job ${jobId} was rolled back (${command})`);
      if (wake) wakeDispatchers(jobId);
      return viewOf(jobId, seq, result.state);
    } finally {
      if (open) await conn`rollback`.catch(() => {});
      conn.release();
    }
  }

  /** A job's first step, in `tx`; starting a job that has started returns it unchanged. */
  async function startIn(tx: Tx, input: JobInput): Promise<{ view: JobView; wake: boolean }> {
    const [existing] = await tx.select().from(engineJobs).where(eq(engineJobs.jobId, input.jobId));
    if (existing) return { view: viewOf(input.jobId, existing.version, existing.state as JobState), wake: false };
    const { state, effects } = startJob(input);
    const persisted = persist(tx, input.jobId, 1, input.createdAt, { state, effects, event: null, from: null }, false);
    await Promise.all(persisted.writes);
    return { view: viewOf(input.jobId, 1, state), wake: persisted.wake };
  }

  return {
    kind: 'embedded',

    async start(input) {
      const started = await db.transaction((tx) => startIn(tx, input));
      if (started.wake) wakeDispatchers(input.jobId);
      return started.view;
    },

    async startInTransaction(tx, input) {
      const started = await startIn(tx, input);
      return { view: started.view, committed: () => started.wake && wakeDispatchers(input.jobId) };
    },

    async send(jobId, command: JobCommand) {
      const result = await apply(jobId, (_state, at) => ({ ...command, at }));
      return result!;
    },

    async get(jobId) {
      const [row] = await db.select().from(engineJobs).where(eq(engineJobs.jobId, jobId));
      if (!row) throw new JobNotFound(jobId);
      return viewOf(jobId, row.version, row.state as JobState);
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

    async reconcileTimer(jobId) {
      return db.transaction(async (tx) => {
        // Locked like an event, so no event's own timer write can interleave with this one.
        const [job] = await tx.select().from(engineJobs).where(eq(engineJobs.jobId, jobId)).for('update');
        const [row] = await tx.select().from(engineTimers).where(eq(engineTimers.jobId, jobId)).for('update');
        const was = row ? { key: row.key, dueAt: row.dueAt.toISOString() } : null;
        const timer = job ? pendingTimer(job.state as JobState) : null;
        const now = timer ? { key: timer.key, dueAt: new Date(timer.at).toISOString() } : null;
        if (was?.key === now?.key && was?.dueAt === now?.dueAt) return null;
        await writeTimer(tx, jobId, now && { key: now.key, dueAt: new Date(now.dueAt) });
        return { was, now, jobFound: job !== undefined };
      });
    },

    async close() {},
  };
}
