// The contractor's own remittance advice (another contractor's answers 404, as the API does).
import { renderRemittance } from '#lib/server/finance/documents.ts';
import { fileResponse, fromApi } from '#lib/server/finance/download.ts';
import { documentLogo } from '#lib/server/files/logo.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const advice = await fromApi(event, (api) => api.portal.myRemittance({ id: event.params.id }));
  const pdf = await renderRemittance({
    ...advice,
    // The agency the remittance is from (the signed-in person's): its logo heads it.
    agency: { ...advice.agency, logo: await documentLogo(event.locals.user?.agencyId) },
    generatedAt: new Date(),
  });
  return fileResponse(event, pdf, 'application/pdf', `remittance-${advice.reference}.pdf`);
};
