// Attachments: the type comes from the bytes, the size is capped, and only the job's people see them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAttachments, MAX_UPLOAD_BYTES, saveAttachment } from '#lib/server/files/attachments.ts';
import { diskStore } from '#lib/server/files/storage.ts';
import { findJobInScope } from '#lib/server/api/scope.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency, createJobRow } from '../support/fixtures.ts';
import { PNG_1PX, TINY_PDF } from '../support/files.ts';

let database: TestDatabase;
let fx: Awaited<ReturnType<typeof createAgency>>;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createAgency(database.db);
  dir = mkdtempSync(join(tmpdir(), 'fettle-files-'));
});
afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

const upload = async (jobId: string, file: File, kind?: 'photo' | 'document' | 'invoice') =>
  saveAttachment(database.db, diskStore(dir), { agencyId: fx.agency.id, jobId, uploadedBy: 'staff:1', file, kind });

describe('attachments', () => {
  it('stores photos and PDFs by their real type and reads them back', async () => {
    const { jobId } = await createJobRow(database.db, fx.agency.id);
    const photo = await upload(jobId, new File([PNG_1PX], 'leak.jpg', { type: 'image/jpeg' }));
    expect(photo).toMatchObject({
      contentType: 'image/png',
      kind: 'photo',
      sizeBytes: PNG_1PX.byteLength,
      fileName: 'leak.jpg',
    });
    const invoice = await upload(jobId, new File([TINY_PDF], 'INV 42.pdf'), 'invoice');
    expect(invoice).toMatchObject({ contentType: 'application/pdf', kind: 'invoice' });
    expect(await diskStore(dir).get(photo.storageKey)).toEqual(PNG_1PX);
    expect((await listAttachments(database.db, jobId)).map((a) => a.url)).toEqual([
      `/api/attachments/${photo.id}`,
      `/api/attachments/${invoice.id}`,
    ]);
  });

  it('refuses files that are not photos or PDFs whatever they claim, and oversize files', async () => {
    const { jobId } = await createJobRow(database.db, fx.agency.id);
    await expect(
      upload(jobId, new File(['<script>alert(1)</script>'], 'x.png', { type: 'image/png' })),
    ).rejects.toThrow(/not a photo/);
    await expect(upload(jobId, new File([new Uint8Array(MAX_UPLOAD_BYTES + 1)], 'big.pdf'))).rejects.toThrow(
      /larger than 15 MB/,
    );
    await expect(upload(jobId, new File([], 'empty.png'))).rejects.toThrow(/empty/);
    expect(await listAttachments(database.db, jobId)).toHaveLength(0);
  });

  it('keeps storage keys inside the data directory', async () => {
    await expect(diskStore(dir).get('../../etc/passwd')).rejects.toThrow(/Invalid storage key/);
  });

  it('scopes jobs: other agencies and contractors not on the job get "not found"', async () => {
    const other = await createAgency(database.db, 'Other');
    const { jobId } = await createJobRow(database.db, fx.agency.id);
    await expect(
      findJobInScope(database.db, jobId, { agencyId: other.agency.id, contractorId: null }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      findJobInScope(database.db, jobId, { agencyId: fx.agency.id, contractorId: fx.contractors[0].id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await findJobInScope(database.db, jobId, { agencyId: fx.agency.id, contractorId: null })).id).toBe(jobId);
  });
});
