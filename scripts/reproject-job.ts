// Records what a Temporal job's workflow did but its record missed (the console shows the job as
// "needs attention"), from the workflow's own history: see docs/operations.md. Fix the cause first
// (the error is on the job page and in the worker's log), then:
//
//   DATABASE_URL=postgres://… TEMPORAL_ADDRESS=localhost:7233 node scripts/reproject-job.ts <job id>
import { reprojectJob } from '#worker/jobs/reproject.ts';
import { runForTemporalJob } from './lib/temporal-job-cli.ts';

await runForTemporalJob('reproject-job.ts', async (engine, db, jobId) => {
  const result = await reprojectJob(engine, db, jobId);
  const recorded = result.recorded.length ? `steps ${result.recorded.join(', ')}` : 'nothing new';
  return {
    ok: result.complete,
    message:
      `${result.found} transitions in the workflow's history; recorded ${recorded}. ` +
      (result.complete
        ? 'The job’s record is complete; its "needs attention" flag is cleared.'
        : 'Still incomplete: fix the cause in the log and run this again.'),
  };
});
