// A crash between writing a job's row and starting its workflow must not leave a job with no workflow
// (listed as New with no SLA, "Job not found" when opened). The embedded engine writes both in one
// transaction; a row left without one anyway (Temporal, or an older version) is started at boot.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencies, engineJobs, engineTimers, jobs } from '#db/schema/index.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import type { JobEngine } from '#worker/engines/port.ts';
import { createJob } from '#worker/jobs/create-job.ts';
import { startUnstartedJobs } from '#worker/jobs/reconcile.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency, createJobRow, manualClock } from '../support/fixtures.ts';

let database: TestDatabase;
let fx: Awaited<ReturnType<typeof createAgency>>;

beforeAll(async () => {
  database = await createTestDatabase({ max: 4 });
  fx = await createAgency(database.db);
});
afterAll(() => database?.close());

const newJob = (title: string) => ({
  agencyId: fx.agency.id,
  title,
  descriptionHtml: '<p>Drips</p>',
  priorityCode: 'P2',
  propertyId: fx.property.id,
});

describe('job creation and crashes', () => {
  it('creates the row and starts its workflow in one transaction: a crash before commit leaves neither', async () => {
    const engine = createEmbeddedEngine({ db: database.db });
    const [before] = await database.db.select().from(agencies).where(eq(agencies.id, fx.agency.id));
    // The process dies once the engine has written its start, before the transaction commits.
    const dying: JobEngine = {
      ...engine,
      async startInTransaction(tx, input) {
        await engine.startInTransaction(tx, input);
        throw new Error('process killed');
      },
      start: () => Promise.reject(new Error('process killed')),
    };
    await expect(createJob(database.db, dying, newJob('Crashed while creating'))).rejects.toThrow('process killed');
    expect(await database.db.select().from(jobs).where(eq(jobs.title, 'Crashed while creating'))).toEqual([]);
    const [after] = await database.db.select().from(agencies).where(eq(agencies.id, fx.agency.id));
    expect(after!.nextJobNumber).toBe(before!.nextJobNumber);

    // And when nothing fails, the job is whole the moment createJob returns.
    const created = await createJob(database.db, engine, newJob('Created whole'));
    const [row] = await database.db.select().from(jobs).where(eq(jobs.id, created.id));
    expect(row!.engineVersion).toBe(1);
    expect(row!.slaDueAt).not.toBeNull();
    expect((await engine.get(created.id)).status).toBe('new');
  });

  it('starts, at boot, a job row that was written but never started, with its SLA from its creation', async () => {
    const clock = manualClock();
    const engine = createEmbeddedEngine({ db: database.db, clock });
    // What a crash between the two steps leaves (the Temporal engine's create, or an older version's).
    const orphan = await createJobRow(database.db, fx.agency.id, { createdAt: clock(), propertyId: fx.property.id });
    await expect(engine.get(orphan.jobId)).rejects.toThrow(`No job ${orphan.jobId}`);

    const logged: string[] = [];
    expect(await startUnstartedJobs(database.db, engine, (m) => logged.push(m))).toBe(1);

    const view = await engine.get(orphan.jobId);
    expect(view.status).toBe('new');
    expect(view.context.priority.code).toBe('P2');
    const [row] = await database.db.select().from(jobs).where(eq(jobs.id, orphan.jobId));
    // Urgent: 24 hours from when the job was created.
    expect(row!.slaDueAt?.toISOString()).toBe(new Date(clock().getTime() + 24 * 3_600_000).toISOString());
    expect(row!.engineVersion).toBe(1);
    const [timer] = await database.db.select().from(engineTimers).where(eq(engineTimers.jobId, orphan.jobId));
    expect(timer).toBeDefined();
    expect(logged).toEqual([`job ${orphan.reference} had no workflow (the app stopped while creating it); started it`]);

    // Started jobs are left alone: a second boot starts nothing.
    expect(await startUnstartedJobs(database.db, engine, (m) => logged.push(m))).toBe(0);
    expect(logged).toHaveLength(1);
    expect(await database.db.select().from(engineJobs).where(eq(engineJobs.jobId, orphan.jobId))).toHaveLength(1);
  });
});
