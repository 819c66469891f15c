// Serve an attachment to someone who may see it (request.ts: its job in scope, and what a contractor may see).
import { attachmentForRequest } from '#lib/server/files/request.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const { file, store } = await attachmentForRequest(event, event.params.id);
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
