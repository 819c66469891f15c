// The audit log as CSV, with the filters the page shows (its query string), newest first. Admins only.
import { error } from '@sveltejs/kit';
import { describeIssues } from '#lib/server/api/issues.ts';
import { AUDIT_CSV_HEADER, auditCsvLine, auditFilters, listAuditLog } from '#lib/server/audit/log.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import { ukDay } from '#workflows/time.ts';
import type { RequestHandler } from './$types';

/** Rows per query while streaming; an export of any size holds one page in memory at a time. */
const BATCH = 1000;

export const GET: RequestHandler = async ({ locals, url }) => {
  const user = locals.user;
  if (!user || user.kind !== 'staff' || user.role !== 'admin') error(403, 'Only agency admins can read the audit log.');
  const parsed = auditFilters.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) error(400, describeIssues(parsed.error.issues));
  const { db } = await useRuntime();
  const filters = parsed.data;
  const encoder = new TextEncoder();
  let cursor: { at: string; id: number } | undefined;
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        // A byte-order mark so spreadsheet programs read the names (Łukasz, Ελένη) as UTF-8.
        controller.enqueue(encoder.encode(`\uFEFF${AUDIT_CSV_HEADER.join(',')}\r\n`));
      }
      const { entries, next } = await listAuditLog(db, user.agencyId, filters, { limit: BATCH, cursor });
      if (entries.length) controller.enqueue(encoder.encode(entries.map((e) => `${auditCsvLine(e)}\r\n`).join('')));
      if (!next) controller.close();
      cursor = next ?? undefined;
    },
  });
  const day = ukDay(new Date());
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="audit-log-${day}.csv"`,
      'cache-control': 'no-store',
    },
  });
};
