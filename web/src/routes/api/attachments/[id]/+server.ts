// Serve an attachment to someone who may see its job.
import { error } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { attachments } from '../../../../../../db/schema/index.ts';
import { jobForRequest } from '#lib/server/files/request.ts';
import { useRuntime } from '../../../../../../worker/runtime-registry.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  if (!z.uuid().safeParse(event.params.id).success) error(404, 'Not found');
  const { db } = await useRuntime();
  const [file] = await db.select().from(attachments).where(eq(attachments.id, event.params.id));
  if (!file) error(404, 'Not found');
  const { store } = await jobForRequest(event, file.jobId);
  const bytes = await store.get(file.storageKey);
  return new Response(new Uint8Array(bytes), {
    headers: {
      'content-type': file.contentType,
      'content-length': String(bytes.byteLength),
      'content-disposition': `inline; filename="${file.fileName.replace(/"/g, '')}"`,
      'cache-control': 'private, max-age=3600',
      'x-content-type-options': 'nosniff',
    },
  });
};
