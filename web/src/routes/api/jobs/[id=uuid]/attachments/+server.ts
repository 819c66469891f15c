// Upload photos and documents to a job (multipart: `file`, repeatable; optional `kind`).
import { error, json } from '@sveltejs/kit';
import { z } from 'zod';
import { attachmentKind, publicAttachment, saveUploads, UploadRejected } from '#lib/server/files/attachments.ts';
import { jobForRequest } from '#lib/server/files/request.ts';
import { actorOf } from '#lib/server/auth/user.ts';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
  if (!z.uuid().safeParse(event.params.id).success) error(404, 'Job not found');
  const { runtime, job, store, scope } = await jobForRequest(event, event.params.id);
  const form = await event.request.formData().catch(() => error(400, 'Send the files as multipart form data'));
  const files = form.getAll('file').filter((f): f is File => f instanceof File);
  if (files.length === 0) error(400, 'Choose at least one file');
  const kind = form.get('kind') ? attachmentKind.safeParse(form.get('kind')) : null;
  if (kind && !kind.success) error(400, 'kind must be photo, document or invoice');
  const uploader = actorOf(event.locals.user!);
  try {
    const saved = await saveUploads(runtime.db, store, {
      scope,
      job,
      uploadedBy: `${uploader.role}:${uploader.id}`,
      files,
      kind: kind?.data,
    });
    return json({ attachments: saved.map(publicAttachment) }, { status: 201 });
  } catch (e) {
    if (e instanceof UploadRejected) error(e.status, e.message);
    throw e;
  }
};
