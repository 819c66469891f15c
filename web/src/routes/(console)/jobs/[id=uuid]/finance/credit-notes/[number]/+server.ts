// A credit note of the job as a PDF, for staff of the job's agency (the API decides who may see it).
import { renderCreditNote } from '#lib/server/finance/documents.ts';
import { fileResponse, fromApi } from '#lib/server/finance/download.ts';
import { documentLogo } from '#lib/server/files/logo.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const d = await fromApi(event, (api) =>
    api.finance.creditNoteDocument({ jobId: event.params.id, number: event.params.number }),
  );
  const pdf = await renderCreditNote({
    ...d.creditNote,
    replacedBy: d.replacedBy,
    // The staff member's agency, whose credit note this is: its logo heads it, as on the invoice.
    agency: { ...d.agency, logo: await documentLogo(event.locals.user?.agencyId) },
    job: d.job,
    generatedAt: new Date(),
  });
  return fileResponse(event, pdf, 'application/pdf', `credit-note-${d.creditNote.number}.pdf`);
};
