import { redirect } from '@sveltejs/kit';
import { ukDay } from '#workflows/time.ts';
import { api } from '#lib/server/api/caller.ts';
import { submitInvoiceInput } from '#lib/server/api/routers/portal-finance.ts';
import { saveUploads, takeBackUploads, uploaderOf } from '#lib/server/files/attachments.ts';
import { jobForRequest } from '#lib/server/files/request.ts';
import {
  attempt,
  definitelyRefused,
  files,
  orNotFound,
  pounds,
  refusal,
  trimmed,
  validInput,
} from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

// Not yours and not there look the same, as on the job page.
export const load: PageServerLoad = async (event) => ({
  form: await orNotFound('Job', (await api(event)).portal.myJobInvoice({ jobId: event.params.id })),
  today: ukDay(new Date()),
});

/** The form's words for the API's fields. */
const NAMES = { number: 'invoice number', issuedOn: 'invoice date', netPence: 'net amount', vatPence: 'VAT' };
const IN_POUNDS = {
  net: 'Enter the net amount in pounds, e.g. 150.00',
  vat: 'Enter the VAT in pounds, e.g. 30.00 (0 if you are not VAT registered)',
};

export const actions: Actions = {
  /** The whole form is checked first, against the API's own input schema; then the document is stored (as the
   * job's invoice attachment) and the invoice cites it. A refused submission takes its document back off the job. */
  default: async (event) => {
    const f = await event.request.formData();
    const typed = {
      number: trimmed(f, 'number'),
      issuedOn: trimmed(f, 'issuedOn'),
      net: trimmed(f, 'net'),
      vat: trimmed(f, 'vat'),
    };
    const options = { names: NAMES, values: typed };
    const stored = await attempt(
      'submit',
      async () => {
        const money = pounds(f, { required: ['net'], optional: ['vat'] }, (k) => IN_POUNDS[k]);
        const input = validInput(submitInvoiceInput.omit({ documentId: true }), {
          jobId: event.params.id,
          number: typed.number,
          issuedOn: typed.issuedOn,
          netPence: money.net,
          // No VAT typed: not VAT registered.
          vatPence: money.vat ?? 0,
        });
        const [document] = files(f, 'document');
        if (!document) throw refusal('Attach your invoice document (PDF or photo)');
        const { runtime, job, store, scope } = await jobForRequest(event, event.params.id);
        const uploadedBy = uploaderOf(event.locals.user!);
        const [{ id: documentId }] = await saveUploads(runtime.db, store, {
          scope,
          job,
          uploadedBy,
          files: [document],
          kind: 'invoice',
        });
        return { input: { ...input, documentId }, runtime, store, uploadedBy };
      },
      options,
    );
    if (!('ok' in stored)) return stored;
    const { input, runtime, store, uploadedBy } = stored.result;
    const sent = await attempt('submit', async () => (await api(event)).portal.submitInvoice(input), options);
    if (!('ok' in sent)) {
      if (definitelyRefused(sent)) await takeBackUploads(runtime.db, store, [input.documentId], uploadedBy);
      return sent;
    }
    // The invoices list confirms which invoice went where.
    redirect(303, `/portal/invoices?sent=${input.jobId}`);
  },
};
