// The agency invoice as a PDF, for staff of the job's agency (the API decides who may see it).
import { renderInvoice } from '#lib/server/finance/documents.ts';
import { fileResponse, fromApi } from '#lib/server/finance/download.ts';
import { documentLogo } from '#lib/server/files/logo.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  // ?number= a credited invoice of the job, as it was issued; without it, the current invoice.
  const number = event.url.searchParams.get('number') ?? undefined;
  const d = await fromApi(event, (api) => api.finance.invoiceDocument({ jobId: event.params.id, number }));
  const pdf = await renderInvoice({
    ...d.invoice,
    // The staff member's agency, whose invoice this is: its logo heads it.
    agency: { ...d.agency, logo: await documentLogo(event.locals.user?.agencyId) },
    property: d.property,
    job: d.job,
    generatedAt: new Date(),
  });
  return fileResponse(event, pdf, 'application/pdf', `invoice-${d.invoice.number}.pdf`);
};
