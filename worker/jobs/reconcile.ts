// Heals a crash between writing a job's row and starting its workflow: at boot, every job row that no
// workflow has ever projected into (engine_version 0: the start's projection sets it to 1) is started.
// Without this such a job is listed as New with no SLA and cannot be opened ("Job not found").
// On the embedded engine createJob writes both in one transaction, so this finds only rows from before
// that, or from Temporal (where the row commits first). start() is idempotent on both engines, so a
// job another instance is creating at this moment is not started twice.
import { eq } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { agencies, jobs } from '#db/schema/index.ts';
import type { JobEngine } from '../engines/port.ts';
import { jobInputFor, priorityPolicy } from './create-job.ts';

/** Starts every job row with no workflow; returns how many it started. One bad row does not stop the others (or the boot). */
export async function startUnstartedJobs(
  db: Database,
  engine: JobEngine,
  log: (message: string) => void,
): Promise<number> {
  // A sequential scan at boot: jobs has no index on engine_version, and this runs once per start.
  const rows = await db
    .select({
      job: {
        id: jobs.id,
        reference: jobs.reference,
        agencyId: jobs.agencyId,
        createdAt: jobs.createdAt,
        priorityCode: jobs.priorityCode,
      },
      agency: agencies,
    })
    .from(jobs)
    .innerJoin(agencies, eq(agencies.id, jobs.agencyId))
    .where(eq(jobs.engineVersion, 0));
  let started = 0;
  for (const { job, agency } of rows) {
    try {
      const priority = await priorityPolicy(db, job.agencyId, job.priorityCode);
      if (!priority) throw new Error(`its priority ${job.priorityCode} no longer exists`);
      // Its SLA runs from when it was created, not from now: an overdue job is flagged at once.
      await engine.start(jobInputFor(job, agency, priority));
      started++;
      log(`job ${job.reference} had no workflow (the app stopped while creating it); started it`);
    } catch (e) {
      log(
        `job ${job.reference} has no workflow and could not be started: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  return started;
}
