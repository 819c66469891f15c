// Resumes a job whose Temporal workflow was terminated (or timed out, or failed), from the snapshot the
// job's last recorded transition projected into Postgres (engine.jobs): a new run of the same workflow
// id carrying that state and version, with its deadlines re-armed. See docs/operations.md.
//
//   DATABASE_URL=postgres://… TEMPORAL_ADDRESS=localhost:7233 node scripts/resume-job.ts <job id>
import { runForTemporalJob } from './lib/temporal-job-cli.ts';

await runForTemporalJob('resume-job.ts', async (engine, _db, jobId) => {
  const view = await engine.resume(jobId);
  return {
    ok: true,
    message: `Resumed: ${view.context.reference} is ${view.status} at version ${view.version}; next deadline ${view.nextTimer?.at ?? 'none'}`,
  };
});
