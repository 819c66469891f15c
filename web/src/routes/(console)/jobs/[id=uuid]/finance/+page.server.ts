import { randomUUID } from 'node:crypto';
import { ukDay } from '#workflows/time.ts';
import { api } from '#lib/server/api/caller.ts';
import { type FieldNames, formAction, pounds, trimmed } from '#lib/server/forms.ts';
import { invoiceReviewActions } from '#lib/server/finance/invoice-review.ts';
import type { Actions, PageServerLoad } from './$types';

// A fresh idempotency key per page view: a double-clicked or re-posted form carries the same key, so
// the payment is recorded once; after it succeeds the page reloads with a new key.
export const load: PageServerLoad = async (event) => ({
  finance: await (await api(event)).finance.job({ jobId: event.params.id }),
  paymentKey: randomUUID(),
  today: ukDay(new Date()),
});

/** The forms' labels for the API's fields, in the pounds checks here and in the API's refusals alike
 * ("Enter the agent price ex VAT in pounds", not "agent net"; "Enter the invoice number", not "the number"). */
const FIELDS = {
  number: 'invoice number',
  agentNetPence: 'agent price ex VAT',
  contractorTotalPence: 'contractor total',
  commissionPence: 'commission',
  budgetPence: 'budget',
  amountPence: 'amount',
  paidOn: 'date paid',
  clientName: 'name of who the invoice is to',
  clientAddress: 'billing address',
  creditReason: 'reason for the credit note',
} satisfies FieldNames;
const inPounds = (k: keyof typeof FIELDS) => `Enter the ${FIELDS[k]} in pounds, e.g. 120.50`;

export const actions: Actions = {
  raise: formAction(
    'raise',
    async (f, event) =>
      (await api(event)).finance.raiseInvoice({
        jobId: event.params.id,
        number: trimmed(f, 'number'),
        clientName: trimmed(f, 'clientName'),
        clientAddress: trimmed(f, 'clientAddress'),
        // Only a re-raise has the field: it credits the current invoice, for this reason.
        ...(f.has('creditReason')
          ? { creditReason: trimmed(f, 'creditReason'), replaces: trimmed(f, 'replaces') }
          : {}),
        ...pounds(
          f,
          { required: ['agentNetPence', 'contractorTotalPence'], optional: ['commissionPence', 'budgetPence'] },
          inPounds,
        ),
        confirmed: f.get('confirmed') === 'on',
      }),
    { names: FIELDS },
  ),
  pay: formAction(
    'pay',
    async (f, event) =>
      (await api(event)).finance.recordPayment({
        jobId: event.params.id,
        key: trimmed(f, 'key'),
        leg: trimmed(f, 'leg') as 'client',
        amountPence: pounds(f, { required: ['amountPence'] }, inPounds).amountPence,
        refund: trimmed(f, 'kind') === 'refund',
        reference: trimmed(f, 'reference'),
        paidOn: trimmed(f, 'paidOn'),
        separate: f.get('separate') === 'on',
      }),
    { names: FIELDS },
  ),
  ...invoiceReviewActions,
};
