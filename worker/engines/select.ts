// Chooses the engine: JOB_ENGINE=embedded|temporal|auto. Auto picks Temporal when TEMPORAL_ADDRESS is set.
import type { Database } from '#db/client.ts';
import type { Env } from '../env.ts';
import { createEmbeddedEngine, type EmbeddedEngine } from './embedded.ts';
import type { Clock, JobEngine } from './port.ts';

type EngineChoice = { kind: 'embedded' } | { kind: 'temporal'; address: string };

export function chooseEngine(env: Pick<Env, 'JOB_ENGINE' | 'TEMPORAL_ADDRESS'>): EngineChoice {
  if (env.JOB_ENGINE === 'embedded') return { kind: 'embedded' };
  if (env.TEMPORAL_ADDRESS) return { kind: 'temporal', address: env.TEMPORAL_ADDRESS };
  if (env.JOB_ENGINE === 'temporal')
    throw new Error('JOB_ENGINE=temporal needs TEMPORAL_ADDRESS (e.g. localhost:7233)');
  return { kind: 'embedded' };
}

export async function createEngine(
  choice: EngineChoice,
  deps: { db: Database; env: Pick<Env, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE'>; clock?: Clock },
): Promise<JobEngine | EmbeddedEngine> {
  // The clock is the embedded engine's alone: Temporal keeps its own (deterministic, server-side) time.
  if (choice.kind === 'embedded') return createEmbeddedEngine({ db: deps.db, clock: deps.clock });
  // Loaded lazily: the Temporal client is only needed when Temporal runs.
  const { createTemporalEngine } = await import('./temporal.ts');
  return createTemporalEngine({
    db: deps.db,
    address: choice.address,
    namespace: deps.env.TEMPORAL_NAMESPACE,
    taskQueue: deps.env.TEMPORAL_TASK_QUEUE,
  });
}
