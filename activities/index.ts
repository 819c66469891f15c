// Every side effect the job engines run, as plain async functions over injected dependencies.
// The Temporal worker registers `createActivities(deps)`; the embedded dispatcher calls `runEffect`.
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { engineJobs } from '../db/schema/index.ts';
import type { Effect } from '../workflows/model.ts';
import { notify } from './notify.ts';
import { recordTransition, type Transition } from './record-transition.ts';

export interface ActivityDeps {
  db: Database;
}

export interface EffectCall {
  jobId: string;
  seq: number;
  idx: number;
  effect: Effect;
}

export const effectKey = (jobId: string, seq: number, idx: number) => `${jobId}:${seq}:${idx}`;

export function createActivities({ db }: ActivityDeps) {
  return {
    async runEffect({ jobId, seq, idx, effect }: EffectCall): Promise<void> {
      switch (effect.type) {
        case 'notify':
          return notify(db, { jobId, key: effectKey(jobId, seq, idx), params: effect.params });
      }
    },
    /**
     * The Temporal workflow's projection of one transition: history, audit and read model, plus the
     * snapshot (engine_jobs, as the embedded engine keeps it), so the job is read from Postgres, not by
     * query. Never backwards, whatever order retries arrive in.
     */
    async recordTransition(t: Transition): Promise<void> {
      try {
        await db.transaction(async (tx) => {
          await recordTransition(tx, t);
          await tx.execute(sql`
            insert into ${engineJobs} (job_id, state, version, updated_at)
            values (${t.jobId}::uuid, ${JSON.stringify(t.state)}::jsonb, ${t.seq}::int, ${new Date(t.at).toISOString()}::timestamptz)
            on conflict (job_id) do update set state = excluded.state, version = excluded.version, updated_at = excluded.updated_at
            where ${engineJobs.version} < excluded.version`);
        });
      } catch (e) {
        // A constraint or data error fails the same way on every retry: give up at once (the workflow
        // logs it and the next transition's projection brings the read model level) instead of
        // retrying for ever and wedging the job. Connection and server trouble stays retryable.
        const code = sqlState(e);
        if (code && DETERMINISTIC_SQLSTATE_CLASSES.has(code.slice(0, 2))) {
          throw ApplicationFailure.nonRetryable(`recordTransition ${t.jobId}:${t.seq}: ${(e as Error).message} (SQLSTATE ${code})`, 'DeterministicDatabaseError');
        }
        throw e;
      }
    },
  };
}

/** SQLSTATE classes that a retry cannot cure: data exceptions (22), integrity constraints (23), syntax or access (42). */
const DETERMINISTIC_SQLSTATE_CLASSES = new Set(['22', '23', '42']);

/** The SQLSTATE anywhere in the error's cause chain (drizzle wraps the driver's error). */
export function sqlState(error: unknown): string | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}

export type Activities = ReturnType<typeof createActivities>;
export type { Transition };

