// Runs the embedded engine's durable work: due deadlines become events, outbox effects become
// activity calls. Claims with FOR UPDATE SKIP LOCKED, so several dispatchers can share one database;
// an effect whose run is cut off (crash, lost lease) is re-run after its lease expires, and the
// activities are idempotent by (job, event sequence, index), so the world sees it once.
// A claim names its claimant (`<instance>/<boot id>`): a dispatcher starting on an instance releases
// the claims an earlier boot of that instance left, since that process is gone, so after a crash and
// restart the effects it had in hand run at once instead of waiting out the lease.
// Timestamps cross as ISO strings: drizzle sets the shared postgres.js client to pass them through.
import type { Sql } from 'postgres';
import type { JobActivities } from '#workflows/activity-contract.ts';
import type { Effect } from '#workflows/model.ts';
import { EventRejected, systemClock, type Clock } from '../engines/port.ts';
import { WAKE_CHANNEL, type EmbeddedEngine } from '../engines/embedded.ts';
import { backgroundLoop } from '../background-loop.ts';
import { claimsFor } from '../claims.ts';

interface DispatcherOptions {
  sql: Sql;
  engine: EmbeddedEngine;
  activities: Pick<JobActivities, 'runEffect'>;
  clock?: Clock;
  batchSize?: number;
  /** Deadlines fired at once (each is one short transaction on its own job). */
  timerConcurrency?: number;
  /** How long a claimed effect is held before another dispatcher may retry it. */
  leaseMs?: number;
  /** Longest sleep between polls when nothing wakes the dispatcher. */
  idleMs?: number;
  /**
   * This process's identity across restarts (default: the host name). At start, claims held by an earlier
   * boot of the same instance are released; two dispatchers live at once must not share it (were they to,
   * an effect could run twice, which the idempotent activities absorb, but nothing waits for the lease).
   */
  instance?: string;
  log?: (message: string) => void;
}

interface OutboxRow {
  id: number;
  job_id: string;
  seq: number;
  idx: number;
  effect: Effect;
  attempts: number;
}

const iso = (d: Date, plusMs = 0) => new Date(d.getTime() + plusMs).toISOString();

/** Exponential backoff capped at 10 minutes: 1 s, 2 s, 4 s, … */
const retryDelayMs = (attempts: number) => Math.min(600_000, 1000 * 2 ** Math.max(0, attempts - 1));

export function createDispatcher(options: DispatcherOptions) {
  const {
    sql,
    engine,
    activities,
    clock = systemClock,
    batchSize = 100,
    timerConcurrency = 8,
    leaseMs = 30_000,
    idleMs = 1000,
    log = () => {},
  } = options;
  const claims = claimsFor(options.instance);
  const { claimant } = claims;

  /**
   * Fires every deadline due now; returns how many jobs moved. Several at once: one after another,
   * a burst of deadlines (10 000 jobs' SLA warnings in a few seconds) would be fired late by the
   * sum of their transactions' commit waits. Each fire locks its own job, so order between jobs
   * does not matter, and another dispatcher firing the same deadline finds it no longer due.
   */
  async function fireDueTimers(): Promise<number> {
    const now = clock();
    const due = await sql<{ job_id: string }[]>`
      select job_id from engine.timers where due_at <= ${iso(now)} order by due_at limit ${batchSize}`;
    let fired = 0;
    let next = 0;
    const fire = async (jobId: string) => {
      try {
        if (await engine.fireDueTimer(jobId)) {
          fired++;
          return;
        }
        // Its row said due, but the job had nothing due (or no state at all): the row disagrees with the
        // job. Left alone it would stay due, and the loop would find it again at once, for ever, at full
        // CPU. The job's state is the truth: the row is rewritten to match it, or dropped. (A row another
        // dispatcher has just fired and moved on agrees by now, and is left as it is.)
        const fix = await engine.reconcileTimer(jobId);
        if (fix) {
          fired++;
          const was = fix.was ? `${fix.was.key} due ${fix.was.dueAt}` : 'none';
          const now = fix.now
            ? `reset to ${fix.now.key} due ${fix.now.dueAt}`
            : fix.jobFound
              ? 'dropped (the job has no pending deadline)'
              : 'dropped (the job has no engine state)';
          log(`timer for job ${jobId} disagreed with the job's state (row: ${was}); ${now}`);
        }
      } catch (e) {
        if (!(e instanceof EventRejected)) throw e;
        // The machine refused its own deadline: a bug, not a reason to spin. Look again later.
        log(`timer for job ${jobId} refused: ${e.message}`);
        await sql`update engine.timers set due_at = ${iso(now, 60_000)} where job_id = ${jobId}`;
      }
    };
    const lanes = Array.from({ length: Math.min(timerConcurrency, due.length) }, async () => {
      for (let row = due[next++]; row; row = due[next++]) await fire(row.job_id);
    });
    const failed = (await Promise.allSettled(lanes)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return fired;
  }

  /** Claims and runs pending effects; returns how many ran (successfully or not). */
  async function runOutbox(): Promise<number> {
    const now = clock();
    const rows = await sql<OutboxRow[]>`
      update engine.outbox set locked_until = ${iso(now, leaseMs)}, locked_by = ${claimant}, attempts = attempts + 1
      where id in (
        select id from engine.outbox
        where done_at is null and available_at <= ${iso(now)} and (locked_until is null or locked_until <= ${iso(now)})
        order by id limit ${batchSize} for update skip locked)
      returning id, job_id, seq, idx, effect, attempts`;
    await Promise.all(
      rows.map(async (row) => {
        try {
          await activities.runEffect({ jobId: row.job_id, seq: row.seq, idx: row.idx, effect: row.effect });
          await sql`update engine.outbox set done_at = ${iso(clock())}, locked_until = null, locked_by = null, last_error = null where id = ${row.id}`;
        } catch (e) {
          const retryAt = iso(clock(), retryDelayMs(row.attempts));
          log(
            `effect ${row.job_id}:${row.seq}:${row.idx} failed (attempt ${row.attempts}), retrying at ${retryAt}: ${String(e)}`,
          );
          await sql`update engine.outbox set available_at = ${retryAt}, locked_until = null, locked_by = null, last_error = ${String(e)} where id = ${row.id}`;
        }
      }),
    );
    return rows.length;
  }

  /**
   * Does all work due now and says how much it did. Tests drive this directly under a controlled clock.
   * Deadlines and effects run side by side, so a backlog of effects (emails) does not make deadlines late.
   */
  async function drain(): Promise<number> {
    let done = 0;
    for (;;) {
      const [timers, effects] = await Promise.all([fireDueTimers(), runOutbox()]);
      if (timers + effects === 0) return done;
      done += timers + effects;
    }
  }

  async function msUntilNextWork(): Promise<number> {
    const [next] = await sql<{ at: string | null }[]>`
      select least((select min(due_at) from engine.timers),
                   (select min(coalesce(greatest(available_at, locked_until), available_at)) from engine.outbox where done_at is null)) as at`;
    if (!next?.at) return idleMs;
    return Math.max(0, Math.min(idleMs, Date.parse(next.at) - clock().getTime()));
  }

  /** One pass of the background loop: everything due now, then how long until more is due. */
  let stuck = false;
  async function pass(): Promise<number> {
    const done = await drain();
    const ms = await msUntilNextWork();
    if (ms === 0 && done === 0) {
      // Work is due that a whole drain could not do (a row no code path fixes): poll, never spin.
      // Said once, not once a poll, until work moves again.
      if (!stuck) log(`dispatcher: work is due that it cannot do; polling every ${idleMs} ms`);
      stuck = true;
      return idleMs;
    }
    if (done > 0) stuck = false;
    return ms;
  }
  const loop = backgroundLoop({
    sql,
    channel: WAKE_CHANNEL,
    idleMs,
    name: 'dispatcher',
    log,
    pass,
    claims: { claims, table: 'engine.outbox' },
  });

  return { drain, fireDueTimers, runOutbox, start: () => loop.start(), stop: () => loop.stop() };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
