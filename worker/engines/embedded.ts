// The embedded engine: the job machine hosted on Postgres. One transaction per event: step the machine,
// save snapshot + version, history, audit, read model, ledger, settled notifications, outbox effects and
// the next deadline. For a job whose snapshot it keeps, that is one version-checked statement (one round
// trip, ADR 0067); otherwise it locks the job's row first (ADR 0023). The dispatcher runs the outbox and
// fires deadlines.
import { eq, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import type { ReservedSql } from 'postgres';
import type { Database, Tx } from '#db/client.ts';
import { engineJobs, engineTimers, outbox } from '#db/schema/index.ts';
import { recordTransition, transitionParts } from '#activities/record-transition.ts';
import {
  pendingTimer,
  startJob,
  stepJob,
  timerEvent,
  viewOf,
  type JobState,
  type JobView,
} from '#workflows/job-host.ts';
import type { Transition } from '#workflows/activity-contract.ts';
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

/** SQLSTATE of `engine.expect_version` (migration 0026): the job is no longer at the version the event was stepped from. */
const VERSION_MOVED = 'FT409';

/** The SQLSTATE of a driver error, or of the driver error drizzle wraps. */
const codeOf = (e: unknown): string | undefined =>
  (e as { code?: string } | null)?.code ?? (e as { cause?: { code?: string } } | null)?.cause?.code;

/**
 * Every write of one accepted event, as one statement: the snapshot (only at the version the event was stepped
 * from), its outbox effects, the job's deadline row, and the transition's history, audit, read-model, ledger
 * and settled-notification writes (`transitionParts`). Its final SELECT reads the snapshot update first, so when
 * that matched no row `engine.expect_version` aborts the statement before any other write has run, and with it
 * every write in the statement. `after`: the few ledger statements that cannot be CTEs (a re-raised invoice's
 * credit note), to run after it in the same transaction; empty for nearly every event.
 */
export function eventWrites(t: Transition, stateJson: string, effects: Effect[]): { statement: SQL; after: SQL[] } {
  const expected = t.seq - 1;
  const timer = pendingTimer(t.state);
  const { ctes, after } = transitionParts(t);
  const statement = sql`
    with snapshot as (
      update engine.jobs set state = ${stateJson}::jsonb, version = ${t.seq}::int, updated_at = ${t.at}::timestamptz
      where job_id = ${t.jobId}::uuid and version = ${expected}::int returning job_id),
    effects as (
      insert into engine.outbox (job_id, seq, idx, effect, available_at)
      select ${t.jobId}::uuid, ${t.seq}::int, (e.n - 1)::int, e.effect, ${t.at}::timestamptz
      from jsonb_array_elements(${JSON.stringify(effects)}::jsonb) with ordinality as e(effect, n)
      returning 1),
    deadline as (
      insert into engine.timers (job_id, key, due_at)
      select ${t.jobId}::uuid, ${timer?.key ?? null}::text, ${timer?.at ?? null}::timestamptz where ${timer?.key ?? null}::text is not null
      on conflict (job_id) do update set key = excluded.key, due_at = excluded.due_at
      returning 1),
    no_deadline as (
      delete from engine.timers where job_id = ${t.jobId}::uuid and ${timer?.key ?? null}::text is null
      returning 1),
    ${ctes}
    select engine.expect_version(${t.jobId}::uuid, ${expected}::int, (select count(*) from snapshot)) as version`;
  return { statement, after };
}

interface CachedSnapshot {
  /** The machine state as JSON: parsed afresh for each event, so no step can change a kept snapshot. */
  json: string;
  version: number;
}

/** The snapshots this process last wrote or read, by job: the `size` most recently used. */
function snapshotCache(size: number) {
  const kept = new Map<string, CachedSnapshot>();
  return {
    get(jobId: string): CachedSnapshot | undefined {
      const hit = kept.get(jobId);
      if (hit) {
        kept.delete(jobId);
        kept.set(jobId, hit);
      }
      return hit;
    },
    /** Keeps `snapshot` unless a newer one is kept already (events finishing out of order). */
    set(jobId: string, snapshot: CachedSnapshot): void {
      const had = kept.get(jobId);
      if (had && had.version > snapshot.version) return;
      kept.delete(jobId);
      kept.set(jobId, snapshot);
      if (kept.size > size) for (const oldest of kept.keys()) return void kept.delete(oldest);
    },
    delete(jobId: string): void {
      kept.delete(jobId);
    },
  };
}

export function createEmbeddedEngine({
  db,
  clock = systemClock,
  snapshotCacheSize = 10_000,
}: {
  db: Database;
  clock?: Clock;
  /** Job snapshots kept in process (the most recently used): an event on a kept job is one round trip. */
  snapshotCacheSize?: number;
}): EmbeddedEngine {
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
   * One event, one round trip (ADR 0067). The engine keeps the snapshot it last wrote or read for each job
   * (`cache`), steps the machine from it, and sends every write as one statement (`eventWrites`) that
   * updates engine.jobs only at the version the step started from: PostgreSQL runs it as a transaction of its
   * own, so lock, version check and writes cost one message and one answer. When another writer has moved the
   * job on (another process, or a concurrent event here), the statement aborts with FT409 having written
   * nothing. Then, and for a job this process keeps no snapshot of, the event runs under the row lock: BEGIN
   * and the locking read in one round trip, the same statement and COMMIT in a second.
   */
  const client = db.$client;
  const dialect = new PgDialect({ casing: 'snake_case' });
  const cache = snapshotCache(snapshotCacheSize);
  /** One statement of its own (an implicit transaction), prepared: its answer comes after the commit. */
  const runAlone = (statement: SQL) => {
    const { sql: text, params } = dialect.sqlToQuery(statement);
    return client.unsafe(text, params as never, { prepare: true });
  };
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

  /**
   * Sends `writes` (started by `start`, on `conn` inside its open transaction) and the COMMIT in one pipeline.
   * If any write fails, PostgreSQL aborts the transaction and answers the pipelined COMMIT with ROLLBACK, so
   * nothing is half-written and the write's own error is what the caller sees. Order matters: drizzle hands a
   * statement to postgres.js a few microtasks after it is awaited, so COMMIT is queued only after a macrotask
   * turn (every microtask chain has run by then), and the handle refuses any statement that comes later still
   * rather than let it run outside the transaction.
   */
  async function writeAndCommit(
    conn: ReservedSql,
    start: (tx: Database) => PromiseLike<unknown>[],
    what: string,
  ): Promise<void> {
    const sealed = { value: false };
    const writes = start(drizzleOver(conn, sealed)).map((w) => Promise.resolve(w));
    await new Promise<void>((resolve) => setImmediate(resolve));
    sealed.value = true;
    const settled = await Promise.allSettled([...writes, conn`commit`]);
    // The statement that failed, not those PostgreSQL then refused ("current transaction is aborted").
    const failures = settled
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as unknown);
    if (failures.length) throw failures.find((e) => codeOf(e) !== '25P02') ?? failures[0];
    const { command } = (settled[settled.length - 1] as PromiseFulfilledResult<{ command: string }>).value;
    if (command !== 'COMMIT') throw new Error(`engine: ${what} was rolled back (${command})`);
  }

  type Stepped = {
    seq: number;
    at: string;
    event: JobEvent;
    result: Extract<ReturnType<typeof stepJob>, { ok: true }>;
  };

  /** Steps the machine from `state`: null when `toEvent` has no event for it. */
  function step(
    state: JobState,
    version: number,
    toEvent: (state: JobState, at: string) => JobEvent | null,
  ): Stepped | null {
    const at = clock().toISOString();
    const event = toEvent(state, at);
    if (!event) return null;
    const result = stepJob(state, event);
    if (!result.ok) throw new EventRejected(result.reason);
    return { seq: version + 1, at, event, result };
  }

  /** The writes of a stepped event: one statement, and (rarely) ledger statements to run after it. */
  function writesOf(jobId: string, s: Stepped) {
    const transition = { jobId, seq: s.seq, event: s.event, from: s.result.from, state: s.result.state, at: s.at };
    const json = JSON.stringify(s.result.state);
    return { json, ...eventWrites(transition, json, s.result.effects) };
  }

  /** Done: the snapshot is kept for the next event, dispatchers are woken, the caller gets the job's view. */
  function committed(jobId: string, s: Stepped, json: string): JobView {
    cache.set(jobId, { json, version: s.seq });
    if (s.result.effects.length > 0 || pendingTimer(s.result.state) !== null) wakeDispatchers(jobId);
    return viewOf(jobId, s.seq, s.result.state);
  }

  /**
   * The one-round-trip attempt, from the kept snapshot. `undefined`: it could not be decided from the snapshot
   * (nothing to send for it, the machine refused it, or the job has moved on): the locked path decides.
   */
  async function applyFromCache(
    jobId: string,
    kept: CachedSnapshot,
    toEvent: (state: JobState, at: string) => JobEvent | null,
  ): Promise<JobView | undefined> {
    let s: Stepped | null;
    try {
      s = step(JSON.parse(kept.json) as JobState, kept.version, toEvent);
    } catch (e) {
      if (e instanceof EventRejected) return undefined;
      throw e;
    }
    if (!s) return undefined;
    const w = writesOf(jobId, s);
    try {
      if (w.after.length === 0) await runAlone(w.statement);
      else {
        // BEGIN, the statement, what runs after it and COMMIT in one pipeline: still one round trip.
        const conn = await client.reserve();
        let open = true;
        try {
          const begun = conn`begin`.execute();
          await writeAndCommit(
            conn,
            (tx) => [begun, tx.execute(w.statement), ...w.after.map((a) => tx.execute(a))],
            `event ${s.seq} on job ${jobId}`,
          );
          open = false;
        } finally {
          if (open) await conn`rollback`.catch(() => {});
          conn.release();
        }
      }
    } catch (e) {
      cache.delete(jobId);
      if (codeOf(e) === VERSION_MOVED) return undefined;
      throw e;
    }
    return committed(jobId, s, w.json);
  }

  /** The event under the job's row lock: two round trips (BEGIN and the lock, then the writes and COMMIT). */
  async function applyLocked(
    jobId: string,
    toEvent: (state: JobState, at: string) => JobEvent | null,
  ): Promise<JobView | null> {
    const conn = await client.reserve();
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
      const s = step(row.state, row.version, toEvent);
      if (!s) return null;
      const w = writesOf(jobId, s);
      await writeAndCommit(
        conn,
        (tx) => [tx.execute(w.statement), ...w.after.map((a) => tx.execute(a))],
        `event ${s.seq} on job ${jobId}`,
      );
      open = false;
      return committed(jobId, s, w.json);
    } catch (e) {
      cache.delete(jobId);
      throw e;
    } finally {
      if (open) await conn`rollback`.catch(() => {});
      conn.release();
    }
  }

  async function apply(
    jobId: string,
    toEvent: (state: JobState, at: string) => JobEvent | null,
  ): Promise<JobView | null> {
    const kept = cache.get(jobId);
    if (kept) {
      const view = await applyFromCache(jobId, kept, toEvent);
      if (view) return view;
    }
    return applyLocked(jobId, toEvent);
  }

  /** A job's first step, in `tx`; starting a job that has started returns it unchanged. */
  async function startIn(tx: Tx, input: JobInput): Promise<{ view: JobView; wake: boolean; kept: CachedSnapshot }> {
    const [existing] = await tx.select().from(engineJobs).where(eq(engineJobs.jobId, input.jobId));
    if (existing) {
      const kept = { json: JSON.stringify(existing.state), version: existing.version };
      return { view: viewOf(input.jobId, existing.version, existing.state as JobState), wake: false, kept };
    }
    const { state, effects } = startJob(input);
    const persisted = persist(tx, input.jobId, 1, input.createdAt, { state, effects, event: null, from: null }, false);
    await Promise.all(persisted.writes);
    return {
      view: viewOf(input.jobId, 1, state),
      wake: persisted.wake,
      kept: { json: JSON.stringify(state), version: 1 },
    };
  }

  return {
    kind: 'embedded',

    async start(input) {
      const started = await db.transaction((tx) => startIn(tx, input));
      cache.set(input.jobId, started.kept);
      if (started.wake) wakeDispatchers(input.jobId);
      return started.view;
    },

    async startInTransaction(tx, input) {
      const started = await startIn(tx, input);
      return {
        view: started.view,
        committed: () => {
          // Kept once the caller's transaction has committed it, so the job's next event is one round trip.
          cache.set(input.jobId, started.kept);
          if (started.wake) wakeDispatchers(input.jobId);
        },
      };
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
