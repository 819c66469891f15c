// The request context: the process runtime (database, engine) and who is signed in.
import type { Database } from '#db/client.ts';
import type { JobEngine } from '#worker/engines/port.ts';
import type { SessionUser } from '../auth/user.ts';

export interface Context {
  db: Database;
  engine: JobEngine;
  user: SessionUser | null;
  /** Set when Temporal runs, so the console can link each job to its workflow. */
  temporalUiUrl: string | null;
  temporalNamespace: string;
  /** Stamps creation times; the engine has its own clock. */
  now: () => Date;
  /** ISOCHRONE_URL (validated in worker/env.ts): a real travel-time service for the coverage map. */
  isochroneUrl?: string;
}

export function createContext(
  deps: Omit<Context, 'now' | 'temporalNamespace'> & Partial<Pick<Context, 'now' | 'temporalNamespace'>>,
): Context {
  return { now: () => new Date(), temporalNamespace: 'default', ...deps };
}
