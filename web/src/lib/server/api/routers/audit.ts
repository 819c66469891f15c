// The audit log for agency admins: read-only, filtered, paged (web/src/lib/server/audit/log.ts).
import { auditCursor, auditFilterOptions, auditFilters, listAuditLog } from '../../audit/log.ts';
import { adminProcedure, router } from '../trpc.ts';

export const AUDIT_PAGE_SIZE = 50;

export const auditRouter = router({
  list: adminProcedure.input(auditFilters.and(auditCursor.partial())).query(({ ctx, input: { at, id, ...filters } }) =>
    listAuditLog(ctx.db, ctx.agencyId, filters, {
      limit: AUDIT_PAGE_SIZE,
      cursor: at && id ? { at, id } : undefined,
    }),
  ),
  options: adminProcedure.query(({ ctx }) => auditFilterOptions(ctx.db, ctx.agencyId)),
});
