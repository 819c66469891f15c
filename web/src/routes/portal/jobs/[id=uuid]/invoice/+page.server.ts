import { error, fail, redirect } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { ukDay } from '#workflows/time.ts';
import { api } from '#lib/server/api/caller.ts';
import { saveUploads, takeBackUploads, UploadRejected } from '#lib/server/files/attachments.ts';
import { jobForRequest } from '#lib/server/files/request.ts';
import { actorOf } from '#lib/server/auth/user.ts';
import { definitelyRefused, toFailure } from '#lib/server/forms.ts';
import { parsePounds } from '#lib/components/finance/pounds.ts';
import type { Actions, PageServerLoad } from './$types';

const isoDate = z.iso.date();

export const load: PageServerLoad = async (event) => {
  try {
    return {
      form: await (await api(event)).portal.myJobInvoice({ jobId: event.params.id }),
      today: ukDay(new Date()),
    };
  } catch (e) {
    // Not yours, not there, and not a job id at all look the same, as on the job page.
    if (e instanceof TRPCError && (e.code === 'NOT_FOUND' || e.code === 'BAD_REQUEST')) error(404, 'Job not found');
    throw e;
  }
};

const str = (f: FormData, k: string) => String(f.get(k) ?? '').trim();

export const actions: Actions = {
  /** The whole form is checked first; then the document is stored (as the job's invoice attachment) and the
   * invoice cites it. A refused submission takes its document back off the job. */
  default: async (event) => {
    const f = await event.request.formData();
    const values = { number: str(f, 'number'), issuedOn: str(f, 'issuedOn'), net: str(f, 'net'), vat: str(f, 'vat') };
    const bad = (message: string) => fail(400, { ok: false as const, error: message, values });
    if (!values.number) return bad('Enter the invoice number');
    if (values.number.length > 50) return bad('Keep the invoice number to 50 characters');
    if (!isoDate.safeParse(values.issuedOn).success) return bad('Enter the invoice date');
    if (values.issuedOn > ukDay(new Date())) return bad('The invoice date cannot be in the future');
    const netPence = parsePounds(values.net);
    const vatPence = parsePounds(values.vat || '0');
    if (netPence === null) return bad('Enter the net amount in pounds, e.g. 150.00');
    if (vatPence === null) return bad('Enter the VAT in pounds, e.g. 30.00 (0 if you are not VAT registered)');
    const file = f.get('document');
    if (!(file instanceof File) || file.size === 0) return bad('Attach your invoice document (PDF or photo)');
    const { runtime, job, store, scope } = await jobForRequest(event, event.params.id);
    const uploader = actorOf(event.locals.user!);
    const uploadedBy = `${uploader.role}:${uploader.id}`;
    let documentId: string;
    try {
      [{ id: documentId }] = await saveUploads(runtime.db, store, {
        scope,
        job,
        uploadedBy,
        files: [file],
        kind: 'invoice',
      });
    } catch (e) {
      if (e instanceof UploadRejected) return bad(e.message);
      throw e;
    }
    try {
      await (
        await api(event)
      ).portal.submitInvoice({
        jobId: job.id,
        number: values.number,
        issuedOn: values.issuedOn,
        netPence,
        vatPence,
        documentId,
      });
    } catch (e) {
      const failure = toFailure('submit', e, {
        number: 'invoice number',
        issuedOn: 'invoice date',
        netPence: 'net amount',
        vatPence: 'VAT',
      });
      if (definitelyRefused(failure)) await takeBackUploads(runtime.db, store, [documentId], uploadedBy);
      return fail(failure.status, { ok: false as const, error: failure.data.error, values });
    }
    // The invoices list confirms which invoice went where.
    redirect(303, `/portal/invoices?sent=${job.id}`);
  },
};
