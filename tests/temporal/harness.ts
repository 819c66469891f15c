// An EngineHarness over a Temporal test environment: the real Temporal engine and worker (workflow
// bundle + activities over a fresh test database) on a task queue of their own.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { JobEngine } from '#worker/engines/port.ts';
import { createTemporalEngine, type TemporalEngine } from '#worker/engines/temporal.ts';
import { runTemporalWorker, WORKFLOWS_PATH, type RunningTemporalWorker } from '#worker/temporal-worker.ts';
import { createTestDatabase } from '../support/db.ts';
import type { EngineHarness } from '../engine/contract.ts';

let bundle: Promise<WorkflowBundle> | null = null;
/** One bundle per test file (building it takes seconds). */
export const workflowBundle = () => (bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH }));

const quietLogger = () => {};

export interface TemporalHarness extends EngineHarness {
  readonly temporal: TemporalEngine;
  readonly taskQueue: string;
  /** Runs `fn` with no worker polling the task queue (the engine client stays up), then starts one again. */
  withoutWorker<T>(fn: () => Promise<T>): Promise<T>;
}

export async function temporalHarness(
  env: TestWorkflowEnvironment,
  options: { maxHistoryEvents?: number; teardownEnv?: boolean } = {},
): Promise<TemporalHarness> {
  const database = await createTestDatabase({ max: 20 });
  const namespace = env.namespace ?? 'default';
  const taskQueue = `fettle-test-${randomUUID()}`;
  const jobIds = new Set<string>();

  const boot = async () => {
    const worker: RunningTemporalWorker = await runTemporalWorker({
      db: database.db,
      address: env.address,
      namespace,
      taskQueue,
      connection: env.nativeConnection,
      workflowBundle: await workflowBundle(),
      // No sticky queues on the time-skipping server: it never falls back from a dead worker's one.
      ...(env.supportsTimeSkipping ? { maxCachedWorkflows: 0 } : {}),
      log: quietLogger,
    });
    const engine = await createTemporalEngine({
      db: database.db,
      address: env.address,
      namespace,
      taskQueue,
      connection: env.connectionOptions.tls ? { tls: true } : {},
      maxHistoryEvents: options.maxHistoryEvents,
      log: quietLogger,
    });
    return { worker, engine };
  };
  let current = await boot();

  // Server time: advanced by env.sleep in a time-skipping environment, real time otherwise.
  let serverMs = await env.currentTimeMs();
  let localMs = Date.now();
  const resync = async () => {
    serverMs = await env.currentTimeMs();
    localMs = Date.now();
  };
  const now = () => new Date(serverMs + (Date.now() - localMs));

  /** Waits until every job is quiet: nothing queued, recorded, effects done, no deadline due. */
  async function quiet(by: number = now().getTime()) {
    const deadline = Date.now() + 60_000;
    for (const jobId of jobIds) {
      for (;;) {
        const p = await current.engine.progress(jobId).catch(() => null);
        const view = p ? await current.engine.get(jobId).catch(() => null) : null;
        const due = view?.nextTimer && Date.parse(view.nextTimer.at) <= by;
        if (p && p.queued === 0 && p.effectsPending === 0 && p.recorded >= p.version && !due) break;
        if (Date.now() > deadline) throw new Error(`job ${jobId} did not settle: ${JSON.stringify(p)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  const engine: JobEngine = {
    kind: 'temporal',
    start: (input) => (jobIds.add(input.jobId), current.engine.start(input)),
    send: (jobId, command) => current.engine.send(jobId, command),
    get: (jobId) => current.engine.get(jobId),
    close: async () => {},
  };

  return {
    engine,
    get temporal() {
      return current.engine;
    },
    taskQueue,
    db: database.db,
    now,
    async advanceTo(instant) {
      const from = await env.currentTimeMs();
      if (instant.getTime() > from) await env.sleep(instant.getTime() - from);
      await resync();
      await quiet(instant.getTime());
    },
    settle: () => quiet(),
    async restart() {
      await current.worker.shutdown();
      await current.engine.close();
      current = await boot();
    },
    async withoutWorker(fn) {
      await current.worker.shutdown();
      try {
        return await fn();
      } finally {
        await current.engine.close();
        current = await boot();
      }
    },
    async close() {
      await current.worker.shutdown();
      await current.engine.close();
      if (options.teardownEnv !== false) await env.teardown();
      await database.close();
    },
  };
}
