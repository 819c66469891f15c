// Resumes a job whose Temporal workflow was terminated (or timed out, or failed), from the snapshot the
// job's last recorded transition projected into Postgres (engine_jobs): a new run of the same workflow
// id carrying that state and version, with its deadlines re-armed. See docs/operations.md.
//
//   DATABASE_URL=postgres://… TEMPORAL_ADDRESS=localhost:7233 node scripts/resume-job.ts <job id>
import { connect } from '../db/client.ts';
import { readEnv } from '../worker/env.ts';
import { createTemporalEngine } from '../worker/engines/temporal.ts';

const jobId = process.argv[2];
if (!jobId || !/^[0-9a-f-]{36}$/i.test(jobId)) {
  console.error('Usage: node scripts/resume-job.ts <job id (uuid)>   (env: DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE)');
  process.exit(2);
}
const env = readEnv();
if (!env.DATABASE_URL || !env.TEMPORAL_ADDRESS) {
  console.error('Set DATABASE_URL (the app’s database) and TEMPORAL_ADDRESS.');
  process.exit(2);
}
const { db, close } = connect(env.DATABASE_URL, { max: 2 });
const engine = await createTemporalEngine({ db, address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE });
try {
  const view = await engine.resume(jobId);
  console.log(`Resumed: ${view.context.reference} is ${view.status} at version ${view.version}; next deadline ${view.nextTimer?.at ?? 'none'}`);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
} finally {
  await engine.close();
  await close();
}
