import { renderStatement } from '#lib/server/finance/documents.ts';
import { fileResponse, fromApi } from '#lib/server/finance/download.ts';
import { periodOf } from '#lib/server/finance/period.ts';
import { periodRefused } from '#lib/server/statement-period.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const period = periodOf(event.url);
  const r = await fromApi(event, (api) => api.portal.statement(period).catch(periodRefused));
  const pdf = await renderStatement({
    agency: r.agency,
    contractor: r.contractor,
    statement: r.statement,
    generatedAt: new Date(),
  });
  return fileResponse(event, pdf, 'application/pdf', `statement-${period.from}-to-${period.to}.pdf`);
};
