// Every side effect the job engines run, as plain async functions over injected dependencies.
// The Temporal worker registers `createActivities(deps)`; the embedded dispatcher calls `runEffect`.
import type { Database } from '../db/client.ts';
import type { Effect } from '../workflows/model.ts';
import { notify } from './notify.ts';
import { recordTransition, type Transition } from './record-transition.ts';

export interface ActivityDeps {
  db: Database;
}

export interface EffectCall {
  jobId: string;
  seq: number;
  idx: number;
  effect: Effect;
}

export const effectKey = (jobId: string, seq: number, idx: number) => `${jobId}:${seq}:${idx}`;

export function createActivities({ db }: ActivityDeps) {
  return {
    async runEffect({ jobId, seq, idx, effect }: EffectCall): Promise<void> {
      switch (effect.type) {
        case 'notify':
          return notify(db, { jobId, key: effectKey(jobId, seq, idx), params: effect.params });
      }
    },
    async recordTransition(t: Transition): Promise<void> {
      await db.transaction((tx) => recordTransition(tx, t));
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { Transition };

