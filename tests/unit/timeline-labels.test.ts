// Timeline titles: every recorded event has a name in both audiences' words (the records are typed complete;
// this checks the lookup and the titles that carry the event's own facts).
import { describe, expect, test } from 'vitest';
import { EVENT_TYPES } from '#workflows/model.ts';
import {
  CONTRACTOR_EVENT_TITLE,
  reRaisedInvoiceChanges,
  STAFF_EVENT_TITLE,
  staffEventTitle,
  titleFor,
} from '#lib/timeline-labels.ts';

describe('timeline titles', () => {
  test('every event type and CREATED has a name for staff and for contractors', () => {
    for (const type of [...EVENT_TYPES, 'CREATED']) {
      expect(titleFor(STAFF_EVENT_TITLE, type)).not.toBe(type);
      expect(titleFor(CONTRACTOR_EVENT_TITLE, type)).not.toBe(type);
    }
  });

  test('a queried invoice is named, not shown as QUERY_INVOICE', () => {
    expect(staffEventTitle('QUERY_INVOICE', { reason: 'VAT twice' }, {})).toBe('Contractor invoice queried');
    expect(titleFor(CONTRACTOR_EVENT_TITLE, 'QUERY_INVOICE')).toBe('Invoice queried by the agency');
  });

  test('an unknown type shows as it is (and inherited keys are not names)', () => {
    expect(titleFor(STAFF_EVENT_TITLE, 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
    expect(titleFor(STAFF_EVENT_TITLE, 'toString')).toBe('toString');
  });

  test('an offer names its contractor when known', () => {
    expect(staffEventTitle('OFFER', { contractorId: 'c1' }, { c1: 'Ada Plumbing' })).toBe('Offered to Ada Plumbing');
    expect(staffEventTitle('OFFER', { contractorId: 'c2' }, { c1: 'Ada Plumbing' })).toBe('Offered to a contractor');
  });

  test('a priority change names the new priority', () => {
    expect(staffEventTitle('CHANGE_PRIORITY', { priority: { name: 'Emergency', code: 'P1' } }, {})).toBe(
      'Priority changed to Emergency (P1)',
    );
  });

  test('a payment says its amount and leg; a negative one is a refund', () => {
    expect(staffEventTitle('RECORD_PAYMENT', { amountPence: 12_000, leg: 'client' }, {})).toBe(
      'Payment of £120.00 recorded (from the client)',
    );
    expect(staffEventTitle('RECORD_PAYMENT', { amountPence: -500, leg: 'contractor' }, {})).toBe(
      'Refund of £5.00 recorded (to the contractor)',
    );
  });

  test('an SLA warning says how much time was used', () => {
    expect(staffEventTitle('SLA_WARNING', { percent: 75 }, {})).toBe('SLA warning: 75 % of the time used');
  });

  test('a re-raised invoice says what changed against the raise before it; a first raise says nothing', () => {
    const raise = (seq: number, p: Record<string, unknown>) => ({
      seq,
      type: 'RAISE_INVOICE',
      payload: { number: 'INV-1', agentNetPence: 15000, vatRateBp: 2000, contractorTotalPence: 12000, ...p },
    });
    const changes = reRaisedInvoiceChanges([
      { seq: 1, type: 'SUBMIT_INVOICE', payload: { netPence: 10000 } },
      raise(2, {}),
      raise(3, { agentNetPence: 18000 }),
      raise(4, { agentNetPence: 18000 }),
      raise(5, { agentNetPence: 18000, number: 'INV-1B', vatRateBp: 0, commissionPence: 500, budgetPence: 20000 }),
      { seq: 6, type: 'QUERY_INVOICE', payload: {} },
      raise(7, { agentNetPence: 18000, number: 'INV-1B', vatRateBp: 0, budgetPence: 20000 }),
    ]);
    expect([...changes]).toEqual([
      // Commission defaults to agent price less the contractor's invoice net (£100.00) standing then.
      [3, 'Agent price £150.00 → £180.00; commission £50.00 → £80.00'],
      [4, 'Nothing changed'],
      [5, 'Invoice number INV-1 → INV-1B; VAT rate 20% → 0%; commission £80.00 → £5.00; budget none → £200.00'],
      // With the contractor's invoice queried, the default is from the contractor cost (£120.00).
      [7, 'Commission £5.00 → £60.00'],
    ]);
  });
});
