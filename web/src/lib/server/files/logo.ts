// The agency's logo: uploaded by an admin in Settings, kept in the file store beside the agency's job files,
// shown in the console's header, on the portal and on the agency's PDFs. PNG or JPEG only, at most
// MAX_LOGO_BYTES, the type sniffed from the bytes and the image read in full before it is stored (the PDFs
// must be able to draw it: activities/pdf/logo.ts). SVG is refused: it can carry scripts and links, and the
// PDFs cannot draw it anyway (docs/adr/0066).
import { eq } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import type { Database } from '#db/client.ts';
import { agencies } from '#db/schema/index.ts';
import { readableLogo } from '#activities/pdf/logo.ts';
import { audit } from '../api/audited-save.ts';
import { found, type Tx } from '../api/found.ts';
import type { SessionUser } from '../auth/user.ts';
import { UploadRejected } from './attachments.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import { diskStore, type FileStore } from './storage.ts';

export const MAX_LOGO_BYTES = 1024 * 1024;

type Admin = Extract<SessionUser, { kind: 'staff' }> & { role: 'admin' };

/** Only an agency admin changes the logo (as every setting): anyone else is refused before a byte is read. */
function adminOf(user: SessionUser | null | undefined): Admin {
  if (user?.kind !== 'staff' || user.role !== 'admin')
    throw new UploadRejected('Only an agency admin can change the logo', 'FORBIDDEN');
  return user as Admin;
}

/** Whether the file is an SVG drawing, whatever it is called: its first bytes as text name an <svg> element. */
function looksLikeSvg(file: File, bytes: Uint8Array) {
  const head = new TextDecoder().decode(bytes.subarray(0, 2048));
  return file.type === 'image/svg+xml' || /\.svgz?$/i.test(file.name) || /<svg[\s>]/i.test(head);
}

/** The logo's bytes and type if it may be stored; otherwise the sentence that says why not. */
async function checkedLogo(file: File) {
  if (file.size === 0) throw new UploadRejected('Choose a PNG or JPEG file for the logo', 'BAD_REQUEST');
  if (file.size > MAX_LOGO_BYTES)
    throw new UploadRejected(
      `${file.name} is larger than ${MAX_LOGO_BYTES / 1024 / 1024} MB: save the logo smaller and try again`,
      'BAD_REQUEST',
    );
  const bytes = new Uint8Array(await file.arrayBuffer());
  const sniffed = await fileTypeFromBuffer(bytes);
  const picture = sniffed?.mime === 'image/png' || sniffed?.mime === 'image/jpeg';
  if (!picture && looksLikeSvg(file, bytes))
    throw new UploadRejected(
      `${file.name} is an SVG drawing: SVG logos are not accepted, as they can carry scripts. Save it as a PNG or JPEG and upload that`,
    );
  if (sniffed?.mime !== 'image/png' && sniffed?.mime !== 'image/jpeg')
    throw new UploadRejected(`${file.name} is not a PNG or JPEG image`);
  const image = readableLogo(bytes);
  if (image?.type !== sniffed.mime)
    throw new UploadRejected(`${file.name} could not be read as an image: it may be damaged. Save it again and retry`);
  return { bytes, image };
}

/** The logo the agency has now, as its row says, the row locked until the transaction ends: two uploads at once
 * take turns, so each replaced file is deleted and none is left behind unrecorded. */
const currentLogo = async (tx: Tx, agencyId: string) =>
  found(
    await tx
      .select({ key: agencies.logoStorageKey, contentType: agencies.logoContentType })
      .from(agencies)
      .where(eq(agencies.id, agencyId))
      .for('update'),
    'Agency',
  );

/**
 * Stores the agency's new logo and records it (with the audit entry) in one transaction; the logo it replaces is
 * deleted once the new one is recorded, and the new file again if recording it failed.
 */
export async function saveAgencyLogo(
  db: Database,
  store: FileStore,
  user: SessionUser | null | undefined,
  file: File | null,
  now = new Date(),
) {
  const admin = adminOf(user);
  if (!file) throw new UploadRejected('Choose a PNG or JPEG file for the logo', 'BAD_REQUEST');
  const { bytes, image } = await checkedLogo(file);
  const key = await store.put(`${admin.agencyId}/logo`, bytes);
  let replaced: string | null;
  try {
    replaced = await db.transaction(async (tx) => {
      const before = await currentLogo(tx, admin.agencyId);
      await tx
        .update(agencies)
        .set({ logoStorageKey: key, logoContentType: image.type, logoUpdatedAt: now })
        .where(eq(agencies.id, admin.agencyId));
      await audit(tx, admin, 'settings.agency.logo', {
        changes: {
          logo: [
            before.key ? { contentType: before.contentType } : null,
            { contentType: image.type, sizeBytes: bytes.byteLength, width: image.width, height: image.height },
          ],
        },
      });
      return before.key;
    });
  } catch (e) {
    await store.remove(key);
    throw e;
  }
  if (replaced) await store.remove(replaced);
  return { contentType: image.type, width: image.width, height: image.height, updatedAt: now };
}

/** Takes the agency's logo off (its documents and pages go back to the name alone). False if it had none. */
export async function removeAgencyLogo(db: Database, store: FileStore, user: SessionUser | null | undefined) {
  const admin = adminOf(user);
  const removed = await db.transaction(async (tx) => {
    const before = await currentLogo(tx, admin.agencyId);
    if (!before.key) return null;
    await tx
      .update(agencies)
      .set({ logoStorageKey: null, logoContentType: null, logoUpdatedAt: null })
      .where(eq(agencies.id, admin.agencyId));
    await audit(tx, admin, 'settings.agency.logo', {
      changes: { logo: [{ contentType: before.contentType }, null] },
    });
    return before.key;
  });
  if (!removed) return false;
  await store.remove(removed);
  return true;
}

export interface AgencyLogo {
  bytes: Buffer;
  contentType: 'image/png' | 'image/jpeg';
  updatedAt: Date;
}

/** The agency's logo, or null when it has none (or its file is missing: the documents go without). */
export async function agencyLogo(db: Database, store: FileStore, agencyId: string): Promise<AgencyLogo | null> {
  const [row] = await db
    .select({ key: agencies.logoStorageKey, contentType: agencies.logoContentType, updatedAt: agencies.logoUpdatedAt })
    .from(agencies)
    .where(eq(agencies.id, agencyId));
  if (!row?.key || !row.contentType || !row.updatedAt) return null;
  const bytes = await store.get(row.key).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  return bytes ? { bytes, contentType: row.contentType, updatedAt: row.updatedAt } : null;
}

/** Where the signed-in person's agency logo is served (api/agency/logo); `v` changes with the agency and with each
 * new logo, so the browser may keep one. Null when the agency has no logo. */
export const logoUrl = (agencyId: string, updatedAt: Date | null) =>
  updatedAt ? `/api/agency/logo?v=${agencyId.slice(0, 8)}-${updatedAt.getTime()}` : null;

/** The agency's name and its logo's address (null: no logo), for the header of its pages. */
export async function agencyBranding(db: Database, agencyId: string) {
  const [row] = await db
    .select({ name: agencies.name, updatedAt: agencies.logoUpdatedAt, key: agencies.logoStorageKey })
    .from(agencies)
    .where(eq(agencies.id, agencyId));
  return row ? { name: row.name, logoUrl: row.key ? logoUrl(agencyId, row.updatedAt) : null } : null;
}

/** The logo for a document someone downloads from their agency (an invoice, a remittance, a statement): its
 * bytes for the PDF, or null when the agency has none. */
export async function documentLogo(agencyId: string | null | undefined): Promise<Buffer | null> {
  if (!agencyId) return null;
  const runtime = await useRuntime();
  return (await agencyLogo(runtime.db, diskStore(runtime.env.DATA_DIR), agencyId))?.bytes ?? null;
}
