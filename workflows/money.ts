// Money is integer pence; rates are basis points (20 % = 2000 bp). Rounding is defined here once.

import type { Payment, PaymentLeg } from './model.ts';

/** VAT on a net amount, rounded half-up to the penny (UK practice for invoice totals). */
export function vatOn(netPence: number, rateBp: number): number {
  assertPence(netPence);
  if (!Number.isInteger(rateBp) || rateBp < 0) throw new RangeError(`VAT rate must be whole basis points: ${rateBp}`);
  // Integer arithmetic: net * bp is exact below 2^53 for any realistic invoice.
  return Math.floor((netPence * rateBp + 5000) / 10000);
}

function assertPence(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`Not a whole number of pence: ${value}`);
}

export type LegState = 'unpaid' | 'partPaid' | 'settled' | 'overPaid';

export interface LegReconciliation {
  leg: PaymentLeg;
  expectedPence: number;
  paidPence: number;
  outstandingPence: number;
  state: LegState;
}

/** Where a leg stands with `paidPence` in (refunds taken off) against `expectedPence`. */
export const legState = (expectedPence: number, paidPence: number): LegState =>
  paidPence === expectedPence
    ? 'settled'
    : paidPence === 0
      ? 'unpaid'
      : paidPence < expectedPence
        ? 'partPaid'
        : 'overPaid';

export function reconcileLeg(leg: PaymentLeg, expectedPence: number, payments: readonly Payment[]): LegReconciliation {
  const paidPence = payments.filter((p) => p.leg === leg).reduce((sum, p) => sum + p.amountPence, 0);
  const state = legState(expectedPence, paidPence);
  return { leg, expectedPence, paidPence, outstandingPence: expectedPence - paidPence, state };
}

/** Formats pence as pounds for people, e.g. 123456 → "£1,234.56". */
export function formatPence(pence: number): string {
  const sign = pence < 0 ? '-' : '';
  const abs = Math.abs(pence);
  const pounds = Math.floor(abs / 100).toLocaleString('en-GB');
  return `${sign}£${pounds}.${String(abs % 100).padStart(2, '0')}`;
}
