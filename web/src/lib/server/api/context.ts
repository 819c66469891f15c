// The request context: the process runtime (database, engine) and who is signed in.
import type { Database } from '#db/client.ts';
import type { JobEngine } from '#worker/engines/port.ts';
import type { SessionUser } from '../auth/user.ts';
import { sharedPostcodeLookup, type PostcodeLookup } from '../map/postcode-lookup.ts';

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
  /** Where postcodes and districts are (postcodes.io at POSTCODES_IO_URL, the imported table, the demo table). */
  postcodes?: PostcodeLookup;
}

/** The context's postcode lookup; without one, the imported and offline tables (no service). */
export const postcodesOf = (ctx: Pick<Context, 'db' | 'postcodes'>): PostcodeLookup =>
  ctx.postcodes ?? sharedPostcodeLookup(ctx.db);

export function createContext(
  deps: Omit<Context, 'now' | 'temporalNamespace'> & Partial<Pick<Context, 'now' | 'temporalNamespace'>>,
): Context {
  return { now: () => new Date(), temporalNamespace: 'default', ...deps };
}
