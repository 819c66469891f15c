// Repairs a Temporal job whose transition could not be recorded (jobs.projection_error): every
// `recordTransition` the workflow scheduled is in its history, with its input, so they are run again,
// oldest first, over every run of the workflow (continue-as-new included). recordTransition is
// idempotent by (job, seq): steps already recorded change nothing, missing ones are written. When the
// job's history is complete again, the flag is cleared.
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { eq } from 'drizzle-orm';
import { createActivities } from '#activities/index.ts';
import type { Transition } from '#workflows/activity-contract.ts';
import type { Database } from '#db/client.ts';
import { jobEvents, jobs } from '#db/schema/index.ts';
import type { TemporalEngine } from '../engines/temporal.ts';

interface Reprojection {
  /** Transitions found in the workflow's history. */
  found: number;
  /** Steps that were missing from the job's history and are now recorded. */
  recorded: number[];
  /** Whether the job's history is complete (1…version) and its flag cleared. */
  complete: boolean;
}

type History = temporal.api.history.v1.IHistory;

/** Every run of the workflow, oldest first, following continue-as-new back from the current run. */
async function histories(engine: TemporalEngine, workflowId: string): Promise<History[]> {
  const runs: History[] = [];
  for (let runId: string | undefined = undefined; ;) {
    const history: History = await engine.client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift(history);
    const previous: string | null | undefined =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return runs;
    runId = previous;
  }
}

function transitionsIn(history: History): Transition[] {
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'recordTransition') return [];
    const payload = scheduled.input?.payloads?.[0];
    return payload ? [defaultPayloadConverter.fromPayload<Transition>(payload)] : [];
  });
}

export async function reprojectJob(engine: TemporalEngine, db: Database, jobId: string): Promise<Reprojection> {
  const transitions = (await histories(engine, await engine.workflowId(jobId)))
    .flatMap(transitionsIn)
    .sort((a, b) => a.seq - b.seq);
  const before = new Set(
    (await db.select({ seq: jobEvents.seq }).from(jobEvents).where(eq(jobEvents.jobId, jobId))).map((r) => r.seq),
  );
  const { recordTransition } = createActivities({ db });
  const after = new Set(before);
  for (const t of transitions) {
    if (after.has(t.seq)) continue;
    await recordTransition(t); // throws when the cause is not fixed yet: nothing is cleared
    after.add(t.seq);
  }
  const [row] = await db.select({ version: jobs.engineVersion }).from(jobs).where(eq(jobs.id, jobId));
  const version = Math.max(row?.version ?? 0, ...transitions.map((t) => t.seq));
  const complete = Array.from({ length: version }, (_, i) => i + 1).every((seq) => after.has(seq));
  if (complete) await db.update(jobs).set({ projectionError: null }).where(eq(jobs.id, jobId));
  return {
    found: transitions.length,
    recorded: [...after].filter((s) => !before.has(s)).sort((a, b) => a - b),
    complete,
  };
}
