// Writes what an accepted event did: the job's event history, the audit log, and the jobs read model.
// Idempotent by (jobId, seq): a retried call finds its history row and does nothing more.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { auditLog, jobEvents, jobs } from '../db/schema/index.ts';
import type { JobState } from '../workflows/job-host.ts';
import type { JobEvent, JobStatus } from '../workflows/model.ts';

export interface Transition {
  jobId: string;
  seq: number;
  /** Null for the job's start. */
  event: JobEvent | null;
  from: JobStatus | null;
  state: JobState;
  at: string;
}

export async function recordTransition(tx: Tx, t: Transition): Promise<void> {
  const { context, status } = t.state;
  const type = t.event?.type ?? 'CREATED';
  const actor = t.event?.actor ?? { id: 'system', role: 'system' };
  const { type: _type, actor: _actor, at: _at, ...payload } = (t.event ?? {}) as Partial<JobEvent>;
  const inserted = await tx
    .insert(jobEvents)
    .values({ jobId: t.jobId, seq: t.seq, type, actorId: actor.id, actorRole: actor.role, payload, fromStatus: t.from, toStatus: status, at: new Date(t.at) })
    .onConflictDoNothing()
    .returning({ seq: jobEvents.seq });
  if (inserted.length === 0) return; // already recorded by an earlier attempt

  await tx.insert(auditLog).values({
    agencyId: context.agencyId,
    jobId: t.jobId,
    actorId: actor.id,
    actorRole: actor.role,
    action: `job.${type.toLowerCase()}`,
    detail: { seq: t.seq, from: t.from, to: status, ...payload },
    at: new Date(t.at),
  });

  await tx
    .update(jobs)
    .set({
      status,
      contractorId: context.contractorId,
      offeredToId: context.offeredTo,
      priorityCode: context.priority.code,
      slaDueAt: new Date(context.sla.dueAt),
      slaBreached: context.sla.breached,
      slaWarnedPercent: context.sla.warnedPercent,
      recallCount: context.recallCount,
      noteCount: context.noteCount,
      engineVersion: t.seq,
      updatedAt: new Date(t.at),
      completedAt: status === 'completed' ? new Date(t.at) : sql`${jobs.completedAt}`,
      closedAt: status === 'closed' ? new Date(t.at) : sql`${jobs.closedAt}`,
    })
    // Projections never go backwards, whatever order retries arrive in.
    .where(and(eq(jobs.id, t.jobId), lt(jobs.engineVersion, t.seq)));
}
