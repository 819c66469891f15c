// Job attachments: site photos, documents and invoice documents. The type is sniffed from the bytes,
// not trusted from the browser, and the size is capped, before anything is stored.
import { and, asc, eq, sql } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import { z } from 'zod';
import type { Database } from '../../../../../db/client.ts';
import { attachments, jobEvents } from '../../../../../db/schema/index.ts';
import type { FileStore } from './storage.ts';

export const MAX_UPLOAD_BYTES = 15 * 1024 * 1024;
export const MAX_FILES_PER_UPLOAD = 10;
const ALLOWED = new Map([
  ['image/jpeg', 'photo'],
  ['image/png', 'photo'],
  ['image/webp', 'photo'],
  ['image/heic', 'photo'],
  ['application/pdf', 'document'],
] as const);

export const attachmentKind = z.enum(['photo', 'document', 'invoice']);
export type AttachmentKind = z.infer<typeof attachmentKind>;

export class UploadRejected extends Error {
  override readonly name = 'UploadRejected';
}

const safeName = (name: string) => name.replace(/[^\w.\- ()]+/g, '_').slice(-120) || 'file';

export async function saveAttachment(
  db: Database,
  store: FileStore,
  input: { agencyId: string; jobId: string; uploadedBy: string; file: File; kind?: AttachmentKind },
) {
  const { file } = input;
  if (file.size === 0) throw new UploadRejected(`${file.name} is empty`);
  if (file.size > MAX_UPLOAD_BYTES) throw new UploadRejected(`${file.name} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const sniffed = await fileTypeFromBuffer(bytes);
  const natural = sniffed && ALLOWED.get(sniffed.mime as never);
  if (!sniffed || !natural) throw new UploadRejected(`${file.name} is not a photo (JPEG, PNG, WebP, HEIC) or a PDF`);
  const key = await store.put(`${input.agencyId}/${input.jobId}`, bytes);
  const [row] = await db
    .insert(attachments)
    .values({
      agencyId: input.agencyId,
      jobId: input.jobId,
      uploadedBy: input.uploadedBy,
      kind: input.kind ?? natural,
      fileName: safeName(file.name),
      contentType: sniffed.mime,
      sizeBytes: bytes.byteLength,
      storageKey: key,
    })
    .returning();
  return row;
}

/** Deletes an attachment and its stored bytes while no event cites it (a note, a completion, an invoice):
 * once cited it is part of the job's history. False if it is cited (or already gone). */
export async function removeUncitedAttachment(db: Database, store: FileStore, id: string): Promise<boolean> {
  const cited = sql`exists (select 1 from ${jobEvents} where ${jobEvents.jobId} = ${attachments.jobId}
    and (${jobEvents.payload}->'attachmentIds' @> to_jsonb(${attachments.id}::text) or ${jobEvents.payload}->>'documentId' = ${attachments.id}::text))`;
  const [gone] = await db.delete(attachments).where(and(eq(attachments.id, id), sql`not ${cited}`)).returning({ storageKey: attachments.storageKey });
  if (!gone) return false;
  await store.remove(gone.storageKey);
  return true;
}

export const publicAttachment = (a: typeof attachments.$inferSelect) => ({
  id: a.id,
  fileName: a.fileName,
  contentType: a.contentType,
  sizeBytes: a.sizeBytes,
  kind: a.kind,
  uploadedBy: a.uploadedBy,
  createdAt: a.createdAt,
  url: `/api/attachments/${a.id}`,
});

export async function listAttachments(db: Database, jobId: string) {
  const rows = await db.select().from(attachments).where(eq(attachments.jobId, jobId)).orderBy(asc(attachments.createdAt));
  return rows.map(publicAttachment);
}
