import { randomUUID } from 'node:crypto';
import { ukDay } from '#workflows/time.ts';
import { z } from 'zod';
import { api } from '#lib/server/api/caller.ts';
import { CLIENT_MONEY_VIEWS } from '#lib/server/finance/ledger.ts';
import { formAction, trimmed } from '#lib/server/forms.ts';
import { invoiceReviewActions } from '#lib/server/finance/invoice-review.ts';
import type { Actions, PageServerLoad } from './$types';

// One idempotency key per page view for payment runs: a resubmitted run completes, never pays twice.
export const load: PageServerLoad = async (event) => {
  const caller = await api(event);
  // ?client= picks the client-money view; anything else is the default (every account still open).
  const view = z
    .enum(CLIENT_MONEY_VIEWS)
    .catch('open')
    .parse(event.url.searchParams.get('client') ?? 'open');
  const [overview, clientMoney] = await Promise.all([caller.finance.overview(), caller.finance.clientMoney({ view })]);
  return { overview, clientMoney, runKey: randomUUID(), today: ukDay(new Date()) };
};

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
