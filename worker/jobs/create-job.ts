// Creating a job: allocate the agency's next reference, write the read-model row, start its workflow.
// On the embedded engine the row and the workflow's start are one transaction. Where the engine's state
// lives elsewhere (Temporal) they cannot be: a crash between them leaves a row with no workflow, which
// startUnstartedJobs (reconcile.ts) starts at the next boot.
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { one } from '#db/rows.ts';
import { agencies, jobs, priorities } from '#db/schema/index.ts';
import type { ChasePolicy, JobInput, PriorityPolicy } from '#workflows/model.ts';
import type { JobView } from '#workflows/job-host.ts';
import type { JobEngine } from '../engines/port.ts';

interface NewJob {
  agencyId: string;
  branchId?: string | null;
  title: string;
  descriptionHtml: string;
  jobTypeId?: string | null;
  priorityCode: string;
  propertyId: string;
  tenantId?: string | null;
  createdBy?: string | null;
}

export const formatReference = (n: number) => `JOB-${String(n).padStart(6, '0')}`;

export async function priorityPolicy(db: Database, agencyId: string, code: string): Promise<PriorityPolicy | null> {
  const [p] = await db
    .select()
    .from(priorities)
    .where(and(eq(priorities.agencyId, agencyId), eq(priorities.code, code)));
  return p
    ? {
        code: p.code,
        name: p.name,
        targetHours: p.targetHours,
        warnAtPercent: [...p.warnAtPercent].sort((a, b) => a - b),
      }
    : null;
}

/** The engine's input for a job row: what its workflow is started with, at creation or by the reconciler. */
export function jobInputFor(
  row: { id: string; reference: string; agencyId: string; createdAt: Date },
  agency: {
    offerReminderHours: number;
    offerEscalationHours: number;
    invoiceReminderHours: number;
    invoiceReminderRepeatHours: number;
    invoiceReminderLimit: number;
  },
  priority: PriorityPolicy,
): JobInput {
  const chase: ChasePolicy = {
    offerReminderHours: agency.offerReminderHours,
    offerEscalationHours: agency.offerEscalationHours,
    invoiceReminderHours: agency.invoiceReminderHours,
    invoiceReminderRepeatHours: agency.invoiceReminderRepeatHours,
    invoiceReminderLimit: agency.invoiceReminderLimit,
  };
  return {
    jobId: row.id,
    reference: row.reference,
    agencyId: row.agencyId,
    createdAt: row.createdAt.toISOString(),
    priority,
    chase,
  };
}

export async function createJob(
  db: Database,
  engine: JobEngine,
  job: NewJob,
  now = new Date(),
): Promise<{ id: string; reference: string; view: JobView }> {
  const priority = await priorityPolicy(db, job.agencyId, job.priorityCode);
  if (!priority) throw new Error(`Unknown priority ${job.priorityCode}`);
  const { input, started } = await db.transaction(async (tx) => {
    const agency = one(
      await tx
        .update(agencies)
        .set({ nextJobNumber: sql`${agencies.nextJobNumber} + 1` })
        .where(eq(agencies.id, job.agencyId))
        .returning(),
    );
    const number = agency.nextJobNumber - 1;
    const reference = formatReference(number);
    const row = one(
      await tx
        .insert(jobs)
        .values({ ...job, number, reference, createdAt: now, updatedAt: now })
        .returning({ id: jobs.id }),
    );
    const input = jobInputFor({ id: row.id, reference, agencyId: job.agencyId, createdAt: now }, agency, priority);
    // Started in the same transaction (its projection updates the row just written): both or neither.
    const started = engine.startInTransaction ? await engine.startInTransaction(tx, input) : null;
    return { input, started };
  });
  if (started) {
    started.committed();
    return { id: input.jobId, reference: input.reference, view: started.view };
  }
  // Started after the row commits: the workflow's projections update that row. start() is idempotent,
  // and a crash right here is healed at the next boot (startUnstartedJobs).
  const view = await engine.start(input);
  return { id: input.jobId, reference: input.reference, view };
}
