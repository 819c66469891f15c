// The Job Sheet PDF at the portal's own address; the same access check as the job page.
import { jobSheetResponse } from '#lib/server/files/job-sheet.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => jobSheetResponse(event, event.params.id);
