// Money properties: VAT rounding, leg reconciliation, and when the machine calls a job paid.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { JobState } from '#workflows/job-host.ts';
import { PAYMENT_LEGS, type JobEvent, type Payment, type PaymentLeg } from '#workflows/model.ts';
import { reconcileLeg, vatOn } from '#workflows/money.ts';
import { STAFF, ev, hoursIn, reach, refused, step } from './support.ts';

/** Half-up VAT in BigInt, written independently of money.ts: round(net × bp / 10000), ties away from zero. */
function vatOracle(net: number, bp: number): number {
  const product = BigInt(net) * BigInt(bp);
  const quotient = product / 10000n;
  const remainder = product % 10000n;
  return Number(remainder * 2n >= 10000n ? quotient + 1n : quotient);
}

// Up to £1bn net and up to 100 % VAT: far beyond any invoice the agency will raise.
const net = fc.integer({ min: 0, max: 100_000_000_000 });
const rate = fc.integer({ min: 0, max: 10_000 });
const ukRate = fc.constantFrom(0, 500, 2000);

describe('vatOn', () => {
  test('matches an exact BigInt half-up computation', () => {
    fc.assert(fc.property(net, rate, (n, bp) => vatOn(n, bp) === vatOracle(n, bp)));
  });

  test('matches it on the half-penny ties at UK rates', () => {
    // net × rate ends in exactly half a penny: 0.5p must round up.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        (k) => vatOn(10 * k + 5, 1000) === vatOracle(10 * k + 5, 1000),
      ),
    );
    expect([vatOn(1, 5000), vatOn(5, 1000), vatOn(25, 2000), vatOn(3, 500)]).toEqual([1, 1, 5, 0]);
  });

  test('is monotonic in the net amount and in the rate', () => {
    fc.assert(
      fc.property(net, net, rate, (a, b, bp) => (a <= b ? vatOn(a, bp) <= vatOn(b, bp) : vatOn(a, bp) >= vatOn(b, bp))),
    );
    fc.assert(
      fc.property(net, rate, rate, (n, r1, r2) =>
        r1 <= r2 ? vatOn(n, r1) <= vatOn(n, r2) : vatOn(n, r1) >= vatOn(n, r2),
      ),
    );
  });

  test('is never more than half a penny from the exact amount', () => {
    fc.assert(fc.property(net, rate, (n, bp) => Math.abs(vatOn(n, bp) * 10000 - n * bp) <= 5000));
  });

  test('of nothing is nothing; 20 % of £123.45 is £24.69', () => {
    fc.assert(fc.property(rate, (bp) => vatOn(0, bp) === 0));
    expect(vatOn(12345, 2000)).toBe(2469);
    expect(vatOn(20000, 2000)).toBe(4000);
  });

  test('refuses amounts that are not whole pence and rates that are not whole basis points', () => {
    expect(() => vatOn(-1, 2000)).toThrow(RangeError);
    expect(() => vatOn(10.5, 2000)).toThrow(RangeError);
    expect(() => vatOn(100, 17.5)).toThrow(RangeError);
    expect(() => vatOn(100, -1)).toThrow(RangeError);
  });
});

const leg = fc.constantFrom(...PAYMENT_LEGS);
const payments = fc.array(
  fc.record({ leg, amountPence: fc.integer({ min: 1, max: 100_000 }) }).map(({ leg, amountPence }, i = 0): Payment => ({
    key: `k${i}`,
    leg,
    amountPence,
    reference: 'ref',
    at: hoursIn(1),
  })),
  { maxLength: 8 },
);

describe('reconcileLeg', () => {
  test('partitions every leg into exactly one of unpaid, part paid, settled, over paid', () => {
    fc.assert(
      fc.property(leg, fc.integer({ min: 1, max: 200_000 }), payments, (which, expected, all) => {
        const paid = all.filter((p) => p.leg === which).reduce((s, p) => s + p.amountPence, 0);
        const result = reconcileLeg(which, expected, all);
        const oracle =
          paid === 0 ? 'unpaid' : paid < expected ? 'partPaid' : paid === expected ? 'settled' : 'overPaid';
        expect(result).toEqual({
          leg: which,
          expectedPence: expected,
          paidPence: paid,
          outstandingPence: expected - paid,
          state: oracle,
        });
      }),
    );
  });

  test('a leg expecting nothing is settled until something is paid into it', () => {
    expect(reconcileLeg('commission', 0, []).state).toBe('settled');
    expect(
      reconcileLeg('commission', 0, [{ key: 'x', leg: 'commission', amountPence: 1, reference: 'r', at: hoursIn(1) }])
        .state,
    ).toBe('overPaid');
  });

  test('other legs do not count', () => {
    fc.assert(
      fc.property(payments, (all) => {
        const clientOnly = all.filter((p) => p.leg === 'client');
        expect(reconcileLeg('client', 1000, all)).toEqual(reconcileLeg('client', 1000, clientOnly));
      }),
    );
  });
});

// The machine: a closed job, an agency invoice with generated amounts, then payments.
const invoiceTerms = fc.record({
  agentNetPence: fc.integer({ min: 1, max: 10_000_000 }),
  vatRateBp: ukRate,
  contractorTotalPence: fc.integer({ min: 0, max: 10_000_000 }),
  commissionPence: fc.integer({ min: 0, max: 2_000_000 }),
});
type Terms = typeof invoiceTerms extends fc.Arbitrary<infer T> ? T : never;

function invoiced(terms: Terms): { state: JobState; expected: Record<PaymentLeg, number> } {
  const { state, now } = reach('closed');
  const raise: JobEvent = { type: 'RAISE_INVOICE', number: 'INV-9', ...terms, actor: STAFF, at: now };
  const next = step(state, raise).state;
  // Independent of the machine: client pays net + VAT, the contractor their total, the agency its commission.
  const expected = {
    client: terms.agentNetPence + vatOracle(terms.agentNetPence, terms.vatRateBp),
    contractor: terms.contractorTotalPence,
    commission: terms.commissionPence,
  };
  expect(next.context.invoice?.expected).toEqual(expected);
  return { state: next, expected };
}

/** Splits `total` into up to five positive parts (none when the total is nothing). The client always owes something. */
const split = (total: number) =>
  total <= 1
    ? fc.constant(total === 0 ? [] : [total])
    : fc.uniqueArray(fc.integer({ min: 1, max: total - 1 }), { maxLength: 4 }).map((cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), total];
        return points.slice(1).map((p, i) => p - points[i]!);
      });

/** Every leg's parts, interleaved in a random order, as payment events. */
const paymentPlan = (expected: Record<PaymentLeg, number>, bump?: { leg: PaymentLeg; extra: number }) =>
  fc
    .tuple(split(expected.client), split(expected.contractor), split(expected.commission))
    .chain(([client, contractor, commission]) => {
      const parts = { client, contractor, commission };
      // Over-payment: the payment that would have settled the leg overshoots it instead.
      if (bump)
        parts[bump.leg] = parts[bump.leg].length
          ? [...parts[bump.leg].slice(0, -1), parts[bump.leg].at(-1)! + bump.extra]
          : [bump.extra];
      const legs = PAYMENT_LEGS.flatMap((l) =>
        parts[l].map((amount, i) => ({
          leg: l,
          amount,
          overshoots: !!bump && l === bump.leg && i === parts[l].length - 1,
        })),
      );
      return fc.shuffledSubarray(legs, { minLength: legs.length, maxLength: legs.length }).map((shuffled) => {
        // The overshooting part stays its leg's last payment: arriving earlier, the leg's other parts could
        // sum after it to exactly what is expected, which is a settled leg followed by an over-payment.
        const order = [...shuffled];
        const at = order.findIndex((p) => p.overshoots);
        if (at < 0) return order;
        const overshoot = order[at]!;
        const last = order.findLastIndex((p) => p.leg === overshoot.leg);
        [order[at], order[last]] = [order[last]!, overshoot];
        return order;
      });
    })
    .map((order) => order.map(({ leg, amount }, i) => ev.payment(hoursIn(10 + i), leg, amount, `pay-${i}`)));

describe('payments through the machine', () => {
  test('per-leg sums equal to what is expected reach Payment Complete exactly at the last payment', () => {
    fc.assert(
      fc.property(
        invoiceTerms.chain((terms) => {
          const { state, expected } = invoiced(terms);
          return paymentPlan(expected).map((plan) => ({ state, plan }));
        }),
        ({ state, plan }) => {
          const statuses = plan.map((event) => (state = step(state, event).state).status);
          expect(statuses.slice(0, -1).every((s) => s === 'closed')).toBe(true);
          expect(statuses.at(-1)).toBe('paymentComplete');
          expect(state.context.timers).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('an over-payment never completes', () => {
    fc.assert(
      fc.property(
        fc.tuple(invoiceTerms, leg, fc.integer({ min: 1, max: 10_000 })).chain(([terms, bumped, extra]) => {
          const { state, expected } = invoiced(terms);
          return paymentPlan(expected, { leg: bumped, extra }).map((plan) => ({ state, plan, bumped, expected }));
        }),
        ({ state, plan, bumped, expected }) => {
          // A leg that expects nothing is settled by nothing: the job may complete before its bump arrives.
          fc.pre(expected[bumped] > 0);
          for (const event of plan) {
            state = step(state, event).state;
            expect(state.status).toBe('closed');
          }
          expect(reconcileLeg(bumped, expected[bumped], state.context.payments).state).toBe('overPaid');
        },
      ),
      { numRuns: 200 },
    );
  });

  test('a refund of the over-payment settles the leg; a refund of more than the leg holds is refused', () => {
    const { state, now } = reach('closedInvoiced');
    const paid = [
      ev.payment(now, 'client', 25000, 'client-over'),
      ev.payment(now, 'contractor', 18000),
      ev.payment(now, 'commission', 5000),
    ].reduce((s, e) => step(s, e).state, state);
    expect(paid.status).toBe('closed');
    expect(refused(paid, ev.payment(now, 'client', -25001, 'refund-too-much'))).toBe(
      'A refund cannot be more than the leg has been paid (£250.00)',
    );
    const refundedTooLittle = step(paid, ev.payment(now, 'client', -500, 'refund-part')).state;
    expect(refundedTooLittle.status).toBe('closed');
    expect(step(refundedTooLittle, ev.payment(now, 'client', -500, 'refund-rest')).state.status).toBe(
      'paymentComplete',
    );
  });

  test('with the scenario invoice: two of three legs settled is not enough', () => {
    const { state, now } = reach('closedInvoiced');
    const twoLegs = [ev.payment(now, 'client', 24000), ev.payment(now, 'contractor', 18000)].reduce(
      (s, e) => step(s, e).state,
      state,
    );
    expect(twoLegs.status).toBe('closed');
    expect(step(twoLegs, ev.payment(now, 'commission', 4999)).state.status).toBe('closed');
  });
});
