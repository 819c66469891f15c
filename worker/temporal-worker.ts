// The Temporal worker: runs the job workflows (workflows/index.ts, bundled at start) and their
// activities (activities/, over the app's database) on one task queue. Several may share a queue.
// As a process: `node worker/temporal-worker.ts` (env: DATABASE_URL, TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE); SIGINT/SIGTERM drain in-flight tasks, then exit.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createActivities } from '#activities/index.ts';
import type { Database } from '#db/client.ts';
import {
  connectionOptionsFromEnv,
  DEFAULT_NAMESPACE,
  DEFAULT_TASK_QUEUE,
  ensureSearchAttributes,
} from './engines/temporal.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

interface TemporalWorkerOptions {
  db: Database;
  address: string;
  namespace?: string;
  taskQueue?: string;
  /** A prebuilt bundle (tests share one); by default the workflows are bundled at start (~2-5 s). */
  workflowBundle?: WorkflowBundle;
  /** An existing connection (e.g. a TestWorkflowEnvironment's); closed by its owner, not by shutdown. */
  connection?: NativeConnection;
  /** How long shutdown waits for running activities before cancelling them. */
  shutdownGraceTime?: string;
  /**
   * Workflows kept in the worker's cache (sticky execution). 0 turns sticky queues off: the
   * time-skipping test server pins a workflow's tasks to the last sticky queue and never falls back,
   * so a restarted worker there would never see its jobs again.
   */
  maxCachedWorkflows?: number;
  log?: (message: string) => void;
  /** The app's address, for links in the emails activities send (see activities/notify.ts). */
  appUrl?: string;
}

export interface RunningTemporalWorker {
  readonly worker: Worker;
  /** Settles when the worker has stopped (rejects if it crashed). */
  readonly done: Promise<void>;
  /** Stops polling, lets in-flight tasks finish (up to the grace time) and closes the connection it opened. */
  shutdown(): Promise<void>;
}

export async function runTemporalWorker(opts: TemporalWorkerOptions): Promise<RunningTemporalWorker> {
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const taskQueue = opts.taskQueue ?? DEFAULT_TASK_QUEUE;
  const log = opts.log ?? console.log;
  const connection =
    opts.connection ?? (await NativeConnection.connect({ address: opts.address, ...connectionOptionsFromEnv() }));
  const owned = !opts.connection;
  try {
    await ensureSearchAttributes(connection, namespace, log);
    const worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
      activities: createActivities({ db: opts.db, appUrl: opts.appUrl }),
      shutdownGraceTime: opts.shutdownGraceTime ?? '10 seconds',
      ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    });
    const done = worker.run().finally(async () => {
      if (owned) await connection.close();
    });
    log(`temporal worker: polling task queue ${taskQueue} in namespace ${namespace} at ${opts.address}`);
    let stopping: Promise<void> | null = null;
    return {
      worker,
      done,
      shutdown() {
        stopping ??= (async () => {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await done;
        })();
        return stopping;
      },
    };
  } catch (e) {
    if (owned) await connection.close();
    throw e;
  }
}

/**
 * A worker inside the app's process: if it crashes (a lost connection it could not recover, a fatal
 * bridge error) it is logged and started again with backoff, and the web server keeps serving; jobs
 * wait on the server meanwhile. Resolves once the first worker polls (a bad configuration fails start).
 */
export async function superviseTemporalWorker(
  opts: TemporalWorkerOptions & { restartDelayMs?: (attempt: number) => number },
): Promise<{ shutdown(): Promise<void>; readonly restarts: number; readonly current: RunningTemporalWorker }> {
  const log = opts.log ?? console.log;
  const delay = opts.restartDelayMs ?? ((attempt: number) => Math.min(30_000, 1000 * 2 ** attempt));
  let current: RunningTemporalWorker = await runTemporalWorker(opts);
  let stopping = false;
  let restarts = 0;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    for (let attempt = 0; !stopping;) {
      try {
        await current.done;
        if (stopping) return;
        log('temporal worker: stopped by itself; starting it again');
      } catch (e) {
        if (stopping) return;
        log(`temporal worker: crashed (${e instanceof Error ? e.message : String(e)}); starting it again`);
      }
      for (;;) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay(attempt++));
          wake = () => (clearTimeout(timer), resolve());
        });
        wake = null;
        if (stopping) return;
        try {
          current = await runTemporalWorker(opts);
          restarts++;
          attempt = 0;
          break;
        } catch (e) {
          log(`temporal worker: could not start (${e instanceof Error ? e.message : String(e)}); trying again`);
        }
      }
    }
  })();
  return {
    get restarts() {
      return restarts;
    },
    get current() {
      return current;
    },
    async shutdown() {
      stopping = true;
      wake?.();
      await current.shutdown().catch(() => {});
      await loop;
    },
  };
}

/** The standalone worker process. */
async function main() {
  const { appUrl, readEnv } = await import('./env.ts');
  const { connect } = await import('#db/client.ts');
  const env = readEnv();
  if (!env.DATABASE_URL)
    throw new Error(
      'The Temporal worker needs DATABASE_URL: the database the app uses (activities write its read model).',
    );
  const address = env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  const { db, close } = connect(env.DATABASE_URL, { max: 10 });
  const running = await runTemporalWorker({
    db,
    address,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    appUrl: appUrl(env),
  });
  let signals = 0;
  const stop = (signal: string) => {
    if (++signals > 1) {
      console.log(`temporal worker: ${signal} again, exiting now`);
      process.exit(1);
    }
    console.log(`temporal worker: ${signal}, draining in-flight tasks…`);
    void running.shutdown();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    await running.done;
    console.log('temporal worker: stopped');
  } finally {
    await close();
  }
}

const isMain = (import.meta as { main?: boolean }).main ?? process.argv[1] === fileURLToPath(import.meta.url);
if (isMain) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
