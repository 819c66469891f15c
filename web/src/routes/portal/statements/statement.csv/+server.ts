import { statementCsv } from '#lib/server/finance/documents.ts';
import { fileResponse, fromApi } from '#lib/server/finance/download.ts';
import { periodOf } from '#lib/server/finance/period.ts';
import { periodRefused } from '#lib/server/statement-period.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const period = periodOf(event.url);
  const r = await fromApi(event, (api) => api.portal.statement(period).catch(periodRefused));
  return fileResponse(
    event,
    statementCsv(r.statement),
    'text/csv; charset=utf-8',
    `statement-${period.from}-to-${period.to}.csv`,
  );
};
