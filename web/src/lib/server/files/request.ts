// Request plumbing shared by the file endpoints: the runtime, the user's job scope, the file store.
import { error, type RequestEvent } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { asc, eq } from 'drizzle-orm';
import { attachments, jobEvents } from '#db/schema/index.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import { contractorView } from '../api/contractor-view.ts';
import { findJobInScope, scopeOf, type JobScope } from '../api/scope.ts';
import type { Database } from '#db/client.ts';
import { toHttpError } from '../forms.ts';
import { diskStore } from './storage.ts';

/** Who is asking, as the API would answer it: 401 signed out, 403 a contractor with no agency picked. */
function scopeForRequest(event: Pick<RequestEvent, 'locals'>) {
  try {
    return scopeOf(event.locals.user ?? null);
  } catch (e) {
    toHttpError(e);
  }
}

/** The job if this scope may see it, else null (any other failure, a database outage say, is thrown on). */
const jobInScope = (db: Database, id: string, scope: JobScope) =>
  findJobInScope(db, id, scope).catch((e: unknown) => {
    if (e instanceof TRPCError && e.code === 'NOT_FOUND') return null;
    throw e;
  });

/** Resolves the job the request is about, or answers 401/403/404 as the API would. The id is an `[id=uuid]`
 * route's: a malformed one matched no route (params.ts). */
export async function jobForRequest(event: Pick<RequestEvent, 'locals'>, jobId: string) {
  const runtime = await useRuntime();
  const scope = scopeForRequest(event);
  const job = await jobInScope(runtime.db, jobId, scope);
  if (!job) error(404, 'Job not found');
  return { runtime, job, store: diskStore(runtime.env.DATA_DIR), scope };
}

/** The one answer for an attachment the request may not see, whether it is someone else's or does not exist. */
const NO_SUCH_ATTACHMENT = 'Attachment not found';

/** Resolves an attachment the request may see: its job in scope and, for a contractor, a file they uploaded
 * or one cited by a note or event they see (contractor-view.ts). Anything else (no such file,
 * another agency's, a job or file this contractor does not see) is the same 404 with the same words. Who is
 * asking is settled first, so a signed-out request learns nothing about which ids exist. */
export async function attachmentForRequest(event: Pick<RequestEvent, 'locals'>, id: string) {
  const runtime = await useRuntime();
  const { db } = runtime;
  const scope = scopeForRequest(event);
  const [file] = await db.select().from(attachments).where(eq(attachments.id, id));
  const job = file ? await jobInScope(db, file.jobId, scope) : null;
  if (!file || !job) error(404, NO_SUCH_ATTACHMENT);
  if (scope.contractorId) {
    const events = await db.select().from(jobEvents).where(eq(jobEvents.jobId, file.jobId)).orderBy(asc(jobEvents.seq));
    if (!contractorView(events, scope.contractorId).seesFile(file)) error(404, NO_SUCH_ATTACHMENT);
  }
  return { runtime, job, store: diskStore(runtime.env.DATA_DIR), scope, file };
}
