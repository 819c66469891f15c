// A report's photo, to staff of the report's agency only; any other request is the same 404.
import { error } from '@sveltejs/kit';
import { and, eq } from 'drizzle-orm';
import { repairReportFiles, repairReports } from '#db/schema/index.ts';
import { diskStore } from '#lib/server/files/storage.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
  const user = locals.user;
  if (!user) error(401, 'Sign in first');
  if (user.kind !== 'staff') error(404, 'Photo not found');
  const { db, env } = await useRuntime();
  const [file] = await db
    .select({
      storageKey: repairReportFiles.storageKey,
      contentType: repairReportFiles.contentType,
      fileName: repairReportFiles.fileName,
    })
    .from(repairReportFiles)
    .innerJoin(repairReports, eq(repairReports.id, repairReportFiles.reportId))
    .where(
      and(
        eq(repairReportFiles.id, params.file),
        eq(repairReports.id, params.id),
        eq(repairReports.agencyId, user.agencyId),
      ),
    );
  if (!file) error(404, 'Photo not found');
  const bytes = await diskStore(env.DATA_DIR).get(file.storageKey);
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
