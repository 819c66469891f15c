// Request plumbing shared by the file endpoints: the runtime, the user's job scope, the file store.
import { error, type RequestEvent } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { attachments, jobEvents } from '../../../../../db/schema/index.ts';
import { useRuntime } from '../../../../../worker/runtime-registry.ts';
import { contractorView } from '../api/contractor-view.ts';
import { findJobInScope, scopeOf } from '../api/scope.ts';
import { diskStore } from './storage.ts';

const STATUS = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404 } as const;

/** Resolves the job the request is about, or answers 401/403/404 as the API would. */
export async function jobForRequest(event: Pick<RequestEvent, 'locals'>, jobId: string) {
  const runtime = await useRuntime();
  try {
    const scope = scopeOf(event.locals.user ?? null);
    // A malformed id names no job: the same 404 as any other, not a database error.
    if (!z.uuid().safeParse(jobId).success) throw new TRPCError({ code: 'NOT_FOUND', message: 'Job not found' });
    const job = await findJobInScope(runtime.db, jobId, scope);
    return { runtime, job, store: diskStore(runtime.env.DATA_DIR), scope };
  } catch (e) {
    if (e instanceof TRPCError && e.code in STATUS) error(STATUS[e.code as keyof typeof STATUS], e.message);
    throw e;
  }
}

/** Resolves an attachment the request may see: its job in scope and, for a contractor, a file they uploaded
 * or one cited by a note or event they see (contractor-view.ts); anything else is 404. */
export async function attachmentForRequest(event: Pick<RequestEvent, 'locals'>, id: string) {
  const { db } = await useRuntime();
  const [file] = z.uuid().safeParse(id).success ? await db.select().from(attachments).where(eq(attachments.id, id)) : [];
  if (!file) error(404, 'Not found');
  const found = await jobForRequest(event, file.jobId);
  const contractorId = found.scope.contractorId;
  if (contractorId) {
    const events = await db.select().from(jobEvents).where(eq(jobEvents.jobId, file.jobId)).orderBy(asc(jobEvents.seq));
    if (!contractorView(events, contractorId).seesFile(file)) error(404, 'Not found');
  }
  return { ...found, file };
}
