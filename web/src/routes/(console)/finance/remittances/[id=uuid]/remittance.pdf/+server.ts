// A payment run's remittance advice as staff see it.
import { renderRemittance } from '#lib/server/finance/documents.ts';
import { fileResponse, fromApi } from '#lib/server/finance/download.ts';
import { documentLogo } from '#lib/server/files/logo.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const advice = await fromApi(event, (api) => api.finance.remittance({ id: event.params.id }));
  const pdf = await renderRemittance({
    ...advice,
    // The agency the remittance is from (the signed-in person's): its logo heads it.
    agency: { ...advice.agency, logo: await documentLogo(event.locals.user?.agencyId) },
    generatedAt: new Date(),
  });
  return fileResponse(event, pdf, 'application/pdf', `remittance-${advice.reference}.pdf`);
};
