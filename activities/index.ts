// Every side effect the job engines run, as plain async functions over injected dependencies.
// The Temporal worker registers `createActivities(deps)`; the embedded dispatcher calls `runEffect`.
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { engineJobs, jobs } from '#db/schema/index.ts';
import type { EffectCall, JobActivities, ProjectionFailure, Transition } from '#workflows/activity-contract.ts';
import { notify } from './notify.ts';
import { recordTransition } from './record-transition.ts';

interface ActivityDeps {
  db: Database;
  /** The app's address, for links in email (ORIGIN); unset, emails carry no links. */
  appUrl?: string;
}

const effectKey = (jobId: string, seq: number, idx: number) => `${jobId}:${seq}:${idx}`;

export function createActivities({ db, appUrl }: ActivityDeps): JobActivities {
  return {
    async runEffect({ jobId, seq, idx, effect }: EffectCall): Promise<void> {
      switch (effect.type) {
        case 'notify':
          return notify(db, { jobId, seq, key: effectKey(jobId, seq, idx), params: effect.params }, appUrl);
      }
    },
    /**
     * Flags the job as needing attention (jobs.projection_error): the console shows it until
     * scripts/reproject-job.ts has recorded what was missed. The earliest failure is kept.
     */
    async flagProjectionFailure(f: ProjectionFailure): Promise<void> {
      await db
        .update(jobs)
        .set({ projectionError: { seq: f.seq, error: f.error.slice(0, 1000), at: f.at } })
        .where(
          sql`${jobs.id} = ${f.jobId}::uuid and (${jobs.projectionError} is null or (${jobs.projectionError}->>'seq')::int > ${f.seq})`,
        );
    },
    /**
     * The Temporal workflow's projection of one transition: history, audit and read model, plus the
     * snapshot (engine.jobs, as the embedded engine keeps it), so the job is read from Postgres, not by
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
        const pg = databaseError(e);
        if (pg && DETERMINISTIC_SQLSTATE_CLASSES.has(pg.code.slice(0, 2))) {
          // PostgreSQL's own words (never the statement and its parameters): they reach the job page.
          const said = [pg.message, pg.detail].filter(Boolean).join(': ');
          throw ApplicationFailure.nonRetryable(`${said} (SQLSTATE ${pg.code})`, 'DeterministicDatabaseError');
        }
        throw e;
      }
    },
  };
}

/** SQLSTATE classes that a retry cannot cure: data exceptions (22), integrity constraints (23), syntax or access (42). */
const DETERMINISTIC_SQLSTATE_CLASSES = new Set(['22', '23', '42']);

/** PostgreSQL's error anywhere in the cause chain (drizzle wraps the driver's), by its SQLSTATE. */
function databaseError(error: unknown): { code: string; message: string; detail?: string } | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const { code, detail } = e as Error & { code?: unknown; detail?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code))
      return { code, message: e.message, detail: typeof detail === 'string' ? detail : undefined };
  }
  return null;
}
