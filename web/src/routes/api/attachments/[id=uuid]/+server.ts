// Serve an attachment to someone who may see it (request.ts: its job in scope, and what a contractor may
// see); its uploader may take it back while nothing cites it yet.
import { error } from '@sveltejs/kit';
import { removeUncitedAttachment, uploaderOf } from '#lib/server/files/attachments.ts';
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

/** The portal's Remove on a photo uploaded for a note not yet sent: the upload and its stored file go. */
export const DELETE: RequestHandler = async (event) => {
  const { runtime, file, store } = await attachmentForRequest(event, event.params.id);
  if (file.uploadedBy !== uploaderOf(event.locals.user!))
    error(403, 'Only the person who uploaded a file can remove it');
  if (!(await removeUncitedAttachment(runtime.db, store, file.id)))
    error(409, 'This file is already part of a note or an invoice, so it stays on the job');
  return new Response(null, { status: 204 });
};
