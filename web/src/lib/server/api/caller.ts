// Server loads and actions call the API in-process with the request's user.
import type { RequestEvent } from '@sveltejs/kit';
import { useRuntime } from '#worker/runtime-registry.ts';
import { sharedPostcodeLookup } from '../map/postcode-lookup.ts';
import { createContext } from './context.ts';
import { createCaller } from './root.ts';

export async function contextFor(event: Pick<RequestEvent, 'locals'>) {
  const runtime = await useRuntime();
  return createContext({
    db: runtime.db,
    engine: runtime.engine,
    user: event.locals.user ?? null,
    temporalUiUrl: runtime.temporalUiUrl,
    temporalNamespace: runtime.env.TEMPORAL_NAMESPACE,
    isochroneUrl: runtime.env.ISOCHRONE_URL,
    postcodes: sharedPostcodeLookup(runtime.db, runtime.env.POSTCODES_IO_URL),
  });
}

export async function api(event: Pick<RequestEvent, 'locals'>) {
  return createCaller(await contextFor(event));
}
