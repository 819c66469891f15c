import { renderStatement } from '#lib/server/finance/documents.ts';
import { fileResponse, fromApi } from '#lib/server/finance/download.ts';
import { documentLogo } from '#lib/server/files/logo.ts';
import { periodOf } from '#lib/server/finance/period.ts';
import { periodRefused } from '#lib/server/statement-period.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const period = periodOf(event.url);
  const r = await fromApi(event, (api) => api.portal.statement(period).catch(periodRefused));
  const pdf = await renderStatement({
    // The agency the contractor works for in this session, whose statement this is: its logo heads it.
    agency: { ...r.agency, logo: await documentLogo(event.locals.user?.agencyId) },
    contractor: r.contractor,
    statement: r.statement,
    generatedAt: new Date(),
  });
  return fileResponse(event, pdf, 'application/pdf', `statement-${period.from}-to-${period.to}.pdf`);
};
