// The embedded engine: the job machine hosted on Postgres. One transaction per event:
// lock the job's row, step the machine, save snapshot + version, history, audit, read model,
// outbox effects and the next deadline. The dispatcher runs the outbox and fires deadlines.
import { eq, sql } from 'drizzle-orm';
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

  async function persist(tx: Tx, jobId: string, seq: number, at: string, step: { state: JobState; effects: Effect[]; event: JobEvent | null; from: JobStatus | null }) {
    await tx
      .insert(engineJobs)
      .values({ jobId, state: step.state, version: seq, updatedAt: new Date(at) })
      .onConflictDoUpdate({ target: engineJobs.jobId, set: { state: step.state, version: seq, updatedAt: new Date(at) } });
    await recordTransition(tx, { jobId, seq, event: step.event, from: step.from, state: step.state, at });
    if (step.effects.length > 0) {
      await tx.insert(outbox).values(step.effects.map((effect, idx) => ({ jobId, seq, idx, effect, availableAt: new Date(at) })));
    }
    const timer = pendingTimer(step.state);
    if (timer) {
      await tx
        .insert(engineTimers)
        .values({ jobId, key: timer.key, dueAt: new Date(timer.at) })
        .onConflictDoUpdate({ target: engineTimers.jobId, set: { key: timer.key, dueAt: new Date(timer.at) } });
    } else {
      await tx.delete(engineTimers).where(eq(engineTimers.jobId, jobId));
    }
    if (step.effects.length > 0 || timer) await tx.execute(sql`select pg_notify(${WAKE_CHANNEL}, ${jobId})`);
  }

  async function locked(tx: Tx, jobId: string) {
    const [row] = await tx.select().from(engineJobs).where(eq(engineJobs.jobId, jobId)).for('update');
    if (!row) throw new JobNotFound(jobId);
    return { state: row.state as JobState, version: row.version };
  }

  async function apply(jobId: string, toEvent: (state: JobState, at: string) => JobEvent | null): Promise<JobView | null> {
    return db.transaction(async (tx) => {
      const { state, version } = await locked(tx, jobId);
      const at = clock().toISOString();
      const event = toEvent(state, at);
      if (!event) return null;
      const result = stepJob(state, event);
      if (!result.ok) throw new EventRejected(result.reason);
      await persist(tx, jobId, version + 1, at, { ...result, event });
      return view(jobId, version + 1, result.state);
    });
  }

  return {
    kind: 'embedded',

    async start(input) {
      return db.transaction(async (tx) => {
        const [existing] = await tx.select().from(engineJobs).where(eq(engineJobs.jobId, input.jobId));
        if (existing) return view(input.jobId, existing.version, existing.state as JobState);
        const { state, effects } = startJob(input);
        await persist(tx, input.jobId, 1, input.createdAt, { state, effects, event: null, from: null });
        return view(input.jobId, 1, state);
      });
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
