// A credit note of the job as a PDF, for staff of the job's agency (the API decides who may see it).
import { renderCreditNote } from '#lib/server/finance/documents.ts';
import { fileResponse, fromApi } from '#lib/server/finance/download.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const d = await fromApi(event, (api) =>
    api.finance.creditNoteDocument({ jobId: event.params.id, number: event.params.number }),
  );
  const pdf = await renderCreditNote({
    ...d.creditNote,
    replacedBy: d.replacedBy,
    agency: d.agency,
    job: d.job,
    generatedAt: new Date(),
  });
  return fileResponse(event, pdf, 'application/pdf', `credit-note-${d.creditNote.number}.pdf`);
};
