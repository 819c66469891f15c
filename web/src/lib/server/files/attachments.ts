// Job attachments: site photos, documents and invoice documents. The type is sniffed from the bytes,
// not trusted from the browser, and the size is capped, before anything is stored.
import { TRPCError } from '@trpc/server';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import { z } from 'zod';
import type { Database } from '#db/client.ts';
import { one } from '#db/rows.ts';
import { attachments, jobEvents } from '#db/schema/index.ts';
import { actorOf, type SessionUser } from '../auth/user.ts';
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

/** Who uploaded a file, as its row records it ("contractor:<id>", "staff:<id>"): who may take it back. */
export function uploaderOf(user: SessionUser) {
  const actor = actorOf(user);
  return `${actor.role}:${actor.id}`;
}

/** An upload refused, as the API refuses: its code says why (UNSUPPORTED_MEDIA_TYPE, 415, for a file that is not
 * a photo or PDF; BAD_REQUEST, 400, for too many or too big; FORBIDDEN, 403, for a job the uploader may not add
 * files to), so forms and the upload endpoint answer it as they answer the API (forms.ts). */
export class UploadRejected extends TRPCError {
  constructor(
    message: string,
    code: 'UNSUPPORTED_MEDIA_TYPE' | 'BAD_REQUEST' | 'FORBIDDEN' = 'UNSUPPORTED_MEDIA_TYPE',
  ) {
    super({ code, message });
    this.name = 'UploadRejected';
  }
}

/**
 * Who may add files to a job they can see: staff always; a contractor only once the job is theirs (accepted).
 * An offer alone is not enough: files added to a job only offered would stay on the agency's job after the
 * contractor declined it or the offer was withdrawn, so they are never attachable before acceptance. Every
 * upload path (the upload endpoint, the portal's forms, the invoice form) asks this one rule via `saveUploads`.
 */
function mayUpload(scope: { contractorId: string | null }, job: { contractorId: string | null }): boolean {
  return scope.contractorId === null || job.contractorId === scope.contractorId;
}

/**
 * The one file check every upload path makes (job attachments, and the photos of a tenant's repair report):
 * not empty, not over the size cap, and a photo or PDF by its bytes, whatever the browser said it was.
 */
export async function checkUpload(
  file: File,
): Promise<{ bytes: Uint8Array; mime: string; natural: 'photo' | 'document' }> {
  if (file.size === 0) throw new UploadRejected(`${file.name} is empty`);
  if (file.size > MAX_UPLOAD_BYTES)
    throw new UploadRejected(`${file.name} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const sniffed = await fileTypeFromBuffer(bytes);
  const natural = sniffed && ALLOWED.get(sniffed.mime as never);
  if (!sniffed || !natural) throw new UploadRejected(`${file.name} is not a photo (JPEG, PNG, WebP, HEIC) or a PDF`);
  return { bytes, mime: sniffed.mime, natural };
}

/** A file's name as stored and shown: no path or markup characters. */
export const safeName = (name: string) => name.replace(/[^\w.\- ()]+/g, '_').slice(-120) || 'file';

export async function saveAttachment(
  db: Database,
  store: FileStore,
  input: { agencyId: string; jobId: string; uploadedBy: string; file: File; kind?: AttachmentKind },
) {
  const { file } = input;
  const { bytes, mime, natural } = await checkUpload(file);
  const key = await store.put(`${input.agencyId}/${input.jobId}`, bytes);
  const row = one(
    await db
      .insert(attachments)
      .values({
        agencyId: input.agencyId,
        jobId: input.jobId,
        uploadedBy: input.uploadedBy,
        kind: input.kind ?? natural,
        fileName: safeName(file.name),
        contentType: mime,
        sizeBytes: bytes.byteLength,
        storageKey: key,
      })
      .returning(),
  );
  return row;
}

/**
 * Stores one action's files (a note's, a completion's, an upload's), all or none: at most
 * MAX_FILES_PER_UPLOAD on every path, by someone who may add files to the job (`mayUpload`); a file refused
 * part-way takes back the ones already stored. The action that follows takes them back too if it is refused
 * (`takeBackUploads`), so the files and the engine's answer are one outcome.
 */
export async function saveUploads(
  db: Database,
  store: FileStore,
  input: {
    scope: { contractorId: string | null };
    job: { id: string; agencyId: string; contractorId: string | null };
    uploadedBy: string;
    files: File[];
    kind?: AttachmentKind;
  },
) {
  if (!mayUpload(input.scope, input.job))
    throw new UploadRejected('Accept the job before adding photos or documents to it', 'FORBIDDEN');
  if (input.files.length > MAX_FILES_PER_UPLOAD)
    throw new UploadRejected(`Attach at most ${MAX_FILES_PER_UPLOAD} files at a time`, 'BAD_REQUEST');
  const saved: (typeof attachments.$inferSelect)[] = [];
  try {
    for (const file of input.files) {
      saved.push(
        await saveAttachment(db, store, {
          agencyId: input.job.agencyId,
          jobId: input.job.id,
          uploadedBy: input.uploadedBy,
          file,
          kind: input.kind,
        }),
      );
    }
  } catch (e) {
    await takeBackUploads(
      db,
      store,
      saved.map((a) => a.id),
      input.uploadedBy,
    );
    throw e;
  }
  return saved;
}

/** Takes a refused action's files back off the job: those `uploadedBy` uploaded that no event cites. */
export async function takeBackUploads(
  db: Database,
  store: FileStore,
  ids: readonly string[],
  uploadedBy: string,
): Promise<void> {
  // Ids come from a form: one that is not an id names no file (and must not reach the query as one).
  const wellFormed = ids.filter((id) => z.uuid().safeParse(id).success);
  if (wellFormed.length === 0) return;
  const own = await db
    .select({ id: attachments.id })
    .from(attachments)
    .where(and(inArray(attachments.id, wellFormed), eq(attachments.uploadedBy, uploadedBy)));
  for (const { id } of own) await removeUncitedAttachment(db, store, id);
}

/**
 * Whether `actor` may cite all of `ids` on this job (a note's or completion's photos, an invoice's document):
 * staff any of the job's files; a contractor only their own uploads to it, so never an agency-internal document
 * (citing a file is what shows it to contractors, contractor-view.ts, and an invoice must be the contractor's
 * own paper). Since contractors upload only to a job they hold (`mayUpload`), their uploads are from holding it.
 */
export async function mayCite(
  db: Database,
  jobId: string,
  actor: { role: string; id: string },
  ids: readonly string[],
): Promise<boolean> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return true;
  if (!wanted.every((id) => z.uuid().safeParse(id).success)) return false;
  const own = actor.role === 'contractor' ? eq(attachments.uploadedBy, `contractor:${actor.id}`) : undefined;
  const found = await db
    .select({ id: attachments.id })
    .from(attachments)
    .where(and(eq(attachments.jobId, jobId), inArray(attachments.id, wanted), own));
  return found.length === wanted.length;
}

/** Deletes an attachment and its stored bytes while no event cites it (a note, a completion, an invoice):
 * once cited it is part of the job's history. False if it is cited (or already gone). */
export async function removeUncitedAttachment(db: Database, store: FileStore, id: string): Promise<boolean> {
  const cited = sql`exists (select 1 from ${jobEvents} where ${jobEvents.jobId} = ${attachments.jobId}
    and (${jobEvents.payload}->'attachmentIds' @> to_jsonb(${attachments.id}::text) or ${jobEvents.payload}->>'documentId' = ${attachments.id}::text))`;
  const [gone] = await db
    .delete(attachments)
    .where(and(eq(attachments.id, id), sql`not ${cited}`))
    .returning({ storageKey: attachments.storageKey });
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
  const rows = await db
    .select()
    .from(attachments)
    .where(eq(attachments.jobId, jobId))
    .orderBy(asc(attachments.createdAt));
  return rows.map(publicAttachment);
}
