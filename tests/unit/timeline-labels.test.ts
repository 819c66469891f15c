// Timeline titles: every recorded event has a name in both audiences' words (the records are typed complete;
// this checks the lookup and the titles that carry the event's own facts).
import { describe, expect, test } from 'vitest';
import { EVENT_TYPES } from '#workflows/model.ts';
import { CONTRACTOR_EVENT_TITLE, STAFF_EVENT_TITLE, staffEventTitle, titleFor } from '#lib/timeline-labels.ts';

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
});
