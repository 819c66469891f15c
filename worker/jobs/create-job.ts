// Creating a job: allocate the agency's next reference, write the read-model row, start its workflow.
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { agencies, jobs, priorities } from '../../db/schema/index.ts';
import type { ChasePolicy, PriorityPolicy } from '../../workflows/model.ts';
import type { JobEngine, JobView } from '../engines/port.ts';

export interface NewJob {
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
  const [p] = await db.select().from(priorities).where(and(eq(priorities.agencyId, agencyId), eq(priorities.code, code)));
  return p ? { code: p.code, name: p.name, targetHours: p.targetHours, warnAtPercent: [...p.warnAtPercent].sort((a, b) => a - b) } : null;
}

export async function createJob(db: Database, engine: JobEngine, job: NewJob, now = new Date()): Promise<{ id: string; reference: string; view: JobView }> {
  const priority = await priorityPolicy(db, job.agencyId, job.priorityCode);
  if (!priority) throw new Error(`Unknown priority ${job.priorityCode}`);
  const { id, reference, chase } = await db.transaction(async (tx) => {
    const [agency] = await tx
      .update(agencies)
      .set({ nextJobNumber: sql`${agencies.nextJobNumber} + 1` })
      .where(eq(agencies.id, job.agencyId))
      .returning();
    const number = agency.nextJobNumber - 1;
    const reference = formatReference(number);
    const [row] = await tx
      .insert(jobs)
      .values({ ...job, number, reference, createdAt: now, updatedAt: now })
      .returning({ id: jobs.id });
    const chase: ChasePolicy = {
      offerReminderHours: agency.offerReminderHours,
      offerEscalationHours: agency.offerEscalationHours,
      invoiceReminderHours: agency.invoiceReminderHours,
    };
    return { id: row.id, reference, chase };
  });
  // Started after the row commits: the workflow's projections update that row. start() is idempotent.
  const view = await engine.start({ jobId: id, reference, agencyId: job.agencyId, createdAt: now.toISOString(), priority, chase });
  return { id, reference, view };
}
