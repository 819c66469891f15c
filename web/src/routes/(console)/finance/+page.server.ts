import { randomUUID } from 'node:crypto';
import { ukDay } from '#workflows/time.ts';
import { api } from '#lib/server/api/caller.ts';
import { formAction, trimmed } from '#lib/server/forms.ts';
import { invoiceReviewActions } from '#lib/server/finance/invoice-review.ts';
import type { Actions, PageServerLoad } from './$types';

// One idempotency key per page view for payment runs: a resubmitted run completes, never pays twice.
export const load: PageServerLoad = async (event) => ({
  overview: await (await api(event)).finance.overview(),
  runKey: randomUUID(),
  today: ukDay(new Date()),
});

export const actions: Actions = {
  ...invoiceReviewActions,
  run: formAction('run', async (f, event) =>
    (await api(event)).finance.createPaymentRun({
      contractorId: trimmed(f, 'contractorId'),
      invoiceIds: f.getAll('invoiceId').map(String),
      reference: trimmed(f, 'reference'),
      paidOn: trimmed(f, 'paidOn'),
      key: trimmed(f, 'key'),
    }),
  ),
};
