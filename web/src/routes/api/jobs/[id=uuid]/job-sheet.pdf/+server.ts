// The Job Sheet PDF for staff (console) and contractors alike; access as for the job itself.
import { jobSheetResponse } from '#lib/server/files/job-sheet.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => jobSheetResponse(event, event.params.id);
