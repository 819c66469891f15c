// Records what a Temporal job's workflow did but its record missed (the console shows the job as
// "needs attention"), from the workflow's own history: see docs/operations.md. Fix the cause first
// (the error is on the job page and in the worker's log), then:
//
//   DATABASE_URL=postgres://… TEMPORAL_ADDRESS=localhost:7233 node scripts/reproject-job.ts <job id>
import { connect } from '../db/client.ts';
import { readEnv } from '../worker/env.ts';
import { createTemporalEngine } from '../worker/engines/temporal.ts';
import { reprojectJob } from '../worker/jobs/reproject.ts';

const jobId = process.argv[2];
if (!jobId || !/^[0-9a-f-]{36}$/i.test(jobId)) {
  console.error('Usage: node scripts/reproject-job.ts <job id (uuid)>   (env: DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE)');
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
  const result = await reprojectJob(engine, db, jobId);
  console.log(
    `${result.found} transitions in the workflow's history; recorded ${result.recorded.length ? `steps ${result.recorded.join(', ')}` : 'nothing new'}. ` +
      (result.complete ? 'The job’s record is complete; its "needs attention" flag is cleared.' : 'Still incomplete: fix the cause in the log and run this again.'),
  );
  if (!result.complete) process.exitCode = 1;
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
} finally {
  await engine.close();
  await close();
}
