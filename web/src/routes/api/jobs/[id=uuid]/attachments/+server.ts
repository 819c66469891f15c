// Upload photos and documents to a job (multipart: `file`, repeatable; optional `kind`).
import { error, json } from '@sveltejs/kit';
import { attachmentKind, publicAttachment, saveUploads, uploaderOf } from '#lib/server/files/attachments.ts';
import { jobForRequest } from '#lib/server/files/request.ts';
import { toHttpError } from '#lib/server/forms.ts';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
  const { runtime, job, store, scope } = await jobForRequest(event, event.params.id);
  const form = await event.request.formData().catch(() => error(400, 'Send the files as multipart form data'));
  const files = form.getAll('file').filter((f): f is File => f instanceof File);
  if (files.length === 0) error(400, 'Choose at least one file');
  const kind = form.get('kind') ? attachmentKind.safeParse(form.get('kind')) : null;
  if (kind && !kind.success) error(400, 'kind must be photo, document or invoice');
  const saved = await saveUploads(runtime.db, store, {
    scope,
    job,
    uploadedBy: uploaderOf(event.locals.user!),
    files,
    kind: kind?.data,
  }).catch(toHttpError);
  return json({ attachments: saved.map(publicAttachment) }, { status: 201 });
};
