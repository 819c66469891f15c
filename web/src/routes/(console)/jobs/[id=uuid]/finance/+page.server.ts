import { randomUUID } from 'node:crypto';
import { fail } from '@sveltejs/kit';
import { ukDay } from '#workflows/time.ts';
import { api } from '#lib/server/api/caller.ts';
import type { FieldNames } from '#lib/server/api/issues.ts';
import { attempt } from '#lib/server/forms.ts';
import { invoiceReviewActions } from '#lib/server/finance/invoice-review.ts';
import { parsePounds } from '#lib/components/finance/pounds.ts';
import type { Actions, PageServerLoad } from './$types';

// A fresh idempotency key per page view: a double-clicked or re-posted form carries the same key, so
// the payment is recorded once; after it succeeds the page reloads with a new key.
export const load: PageServerLoad = async (event) => ({
  finance: await (await api(event)).finance.job({ jobId: event.params.id }),
  paymentKey: randomUUID(),
  today: ukDay(new Date()),
});

const str = (f: FormData, k: string) => String(f.get(k) ?? '').trim();

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
} satisfies FieldNames;

/** Pounds fields to pence; the first bad one becomes the form's error. */
function amounts<K extends keyof typeof FIELDS>(action: string, f: FormData, required: K[], optional: K[] = []) {
  const out: Partial<Record<K, number>> = {};
  for (const k of [...required, ...optional]) {
    const raw = str(f, k);
    if (!raw && optional.includes(k)) continue;
    const pence = parsePounds(raw);
    if (pence === null)
      return {
        error: fail(400, {
          action,
          ok: false as const,
          error: `Enter the ${FIELDS[k]} in pounds, e.g. 120.50`,
          code: 'BAD_REQUEST',
        }),
      };
    out[k] = pence;
  }
  return { values: out as Record<K, number> };
}

export const actions: Actions = {
  raise: async (event) => {
    const f = await event.request.formData();
    const m = amounts('raise', f, ['agentNetPence', 'contractorTotalPence'], ['commissionPence', 'budgetPence']);
    if (m.error) return m.error;
    return attempt(
      'raise',
      async () =>
        (await api(event)).finance.raiseInvoice({ jobId: event.params.id, number: str(f, 'number'), ...m.values }),
      FIELDS,
    );
  },
  pay: async (event) => {
    const f = await event.request.formData();
    const m = amounts('pay', f, ['amountPence']);
    if (m.error) return m.error;
    return attempt(
      'pay',
      async () =>
        (await api(event)).finance.recordPayment({
          jobId: event.params.id,
          key: str(f, 'key'),
          leg: str(f, 'leg') as 'client',
          amountPence: m.values.amountPence,
          refund: str(f, 'kind') === 'refund',
          reference: str(f, 'reference'),
          paidOn: str(f, 'paidOn'),
        }),
      FIELDS,
    );
  },
  ...invoiceReviewActions,
};
