// Serves a job's Job Sheet PDF to whoever may see the job (staff of the agency, or the contractor holding
// or offered it), with the same 401/404 answers as the API.
import type { RequestEvent } from '@sveltejs/kit';
import { error } from '@sveltejs/kit';
import { renderJobSheet } from '#activities/pdf/job-sheet.ts';
import { jobSheetData } from './job-sheet-data.ts';
import { agencyLogo } from './logo.ts';
import { jobForRequest } from './request.ts';

export async function jobSheetResponse(event: Pick<RequestEvent, 'locals' | 'url'>, jobId: string): Promise<Response> {
  const { runtime, job, store } = await jobForRequest(event, jobId);
  const data = await jobSheetData(runtime.db, job, event.locals.user!);
  if (!data) error(404, 'Job not found');
  // The job's agency's logo heads the sheet (a contractor's copy too: it is that agency's job).
  const logo = await agencyLogo(runtime.db, store, job.agencyId);
  const pdf = await renderJobSheet({ ...data, agency: { ...data.agency, logo: logo?.bytes ?? null } });
  // ?download asks the browser to save rather than show it (phones open PDFs inline by default).
  const download = event.url.searchParams.has('download');
  return new Response(new Uint8Array(pdf), {
    headers: {
      'content-type': 'application/pdf',
      'content-length': String(pdf.byteLength),
      'content-disposition': `${download ? 'attachment' : 'inline'}; filename="job-sheet-${job.reference}.pdf"`,
      'cache-control': 'private, no-store',
    },
  });
}
