// The shared frame of the operator scripts that act on one Temporal job (resume-job, reproject-job):
// the job id from argv, the database and Temporal from the environment, clean closing, exit codes.
import { connect, type Database } from '#db/client.ts';
import { readEnv } from '#worker/env.ts';
import { createTemporalEngine, type TemporalEngine } from '#worker/engines/temporal.ts';

/** Runs `act` for the job named on the command line; its message is printed, a thrown error is exit 1. */
export async function runForTemporalJob(
  script: string,
  act: (engine: TemporalEngine, db: Database, jobId: string) => Promise<{ message: string; ok: boolean }>,
) {
  const jobId = process.argv[2];
  if (!jobId || !/^[0-9a-f-]{36}$/i.test(jobId)) {
    console.error(
      `Usage: node scripts/${script} <job id (uuid)>   (env: DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE)`,
    );
    process.exit(2);
  }
  const env = readEnv();
  if (!env.DATABASE_URL || !env.TEMPORAL_ADDRESS) {
    console.error('Set DATABASE_URL (the app’s database) and TEMPORAL_ADDRESS.');
    process.exit(2);
  }
  const { db, close } = connect(env.DATABASE_URL, { max: 2 });
  let engine: TemporalEngine | null = null;
  try {
    engine = await createTemporalEngine({
      db,
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
    }).catch((e: unknown) => {
      throw new Error(
        `Could not reach Temporal at ${env.TEMPORAL_ADDRESS}: ${e instanceof Error ? e.message : String(e)}`,
      );
    });
    const { message, ok } = await act(engine, db, jobId);
    console.log(message);
    if (!ok) process.exitCode = 1;
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  } finally {
    await engine?.close();
    await close();
  }
}
