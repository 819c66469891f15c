import { randomUUID } from 'node:crypto';
import { ukDay } from '#workflows/time.ts';
import { api } from '#lib/server/api/caller.ts';
import { attempt } from '#lib/server/forms.ts';
import { invoiceReviewActions } from '#lib/server/finance/invoice-review.ts';
import type { Actions, PageServerLoad } from './$types';

// One idempotency key per page view for payment runs: a resubmitted run completes, never pays twice.
export const load: PageServerLoad = async (event) => ({
  overview: await (await api(event)).finance.overview(),
  runKey: randomUUID(),
  today: ukDay(new Date()),
});

const str = (f: FormData, k: string) => String(f.get(k) ?? '').trim();

export const actions: Actions = {
  ...invoiceReviewActions,
  run: async (event) => {
    const f = await event.request.formData();
    return attempt('run', async () =>
      (await api(event)).finance.createPaymentRun({
        contractorId: str(f, 'contractorId'),
        invoiceIds: f.getAll('invoiceId').map(String),
        reference: str(f, 'reference'),
        paidOn: str(f, 'paidOn'),
        key: str(f, 'key'),
      }),
    );
  },
};
