// Request plumbing shared by the file endpoints: the runtime, the user's job scope, the file store.
import { error, type RequestEvent } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { useRuntime } from '../../../../../worker/runtime-registry.ts';
import { findJobInScope, scopeOf } from '../api/scope.ts';
import { diskStore } from './storage.ts';

const STATUS = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404 } as const;

/** Resolves the job the request is about, or answers 401/403/404 as the API would. */
export async function jobForRequest(event: Pick<RequestEvent, 'locals'>, jobId: string) {
  const runtime = await useRuntime();
  try {
    const job = await findJobInScope(runtime.db, jobId, scopeOf(event.locals.user ?? null));
    return { runtime, job, store: diskStore(runtime.env.DATA_DIR) };
  } catch (e) {
    if (e instanceof TRPCError && e.code in STATUS) error(STATUS[e.code as keyof typeof STATUS], e.message);
    throw e;
  }
}
