// Querying the contractor's invoice: it is set aside, the contractor is told why and may send a corrected
// one, the invoice chaser starts again, and an invoice already paid cannot be queried.
import { describe, expect, test } from 'vitest';
import type { JobEvent } from '#workflows/model.ts';
import {
  EXPECTED,
  PAT,
  STAFF,
  drive,
  ev,
  expectHumanReason,
  hoursIn,
  notifications,
  reach,
  refused,
  step,
} from './support.ts';

const query = (at: string, reason = 'The VAT is charged twice', actor = STAFF): JobEvent => ({
  type: 'QUERY_INVOICE',
  reason,
  actor,
  at,
});

describe('QUERY_INVOICE', () => {
  test('sets the invoice aside, tells the holder why, and restarts the chaser', () => {
    const { state } = reach('closedInvoiced');
    expect(state.context.timers.some((t) => t.kind === 'invoiceReminder')).toBe(false);
    const at = hoursIn(6);
    const result = step(state, query(at, '  The VAT is charged twice  '));
    expect(result.state.status).toBe('closed');
    expect(result.state.context.contractorInvoice).toBeNull();
    expect(notifications(result.effects)).toEqual([
      {
        template: 'invoiceQueried',
        contractors: [PAT.id],
        staff: false,
        data: { number: 'PP-1001', reason: 'The VAT is charged twice' },
      },
    ]);
    const chasers = result.state.context.timers.filter((t) => t.kind === 'invoiceReminder');
    expect(chasers).toHaveLength(1);
    expect(Date.parse(chasers[0]!.at)).toBeGreaterThan(Date.parse(at));
  });

  test('a corrected invoice is then accepted and stops the chaser', () => {
    const { state } = reach('closedInvoiced');
    const queried = step(state, query(hoursIn(6))).state;
    const corrected: JobEvent = {
      type: 'SUBMIT_INVOICE',
      number: 'PP-1001A',
      netPence: 15000,
      vatPence: 0,
      totalPence: 15000,
      actor: PAT,
      at: hoursIn(7),
    };
    const after = step(queried, corrected).state;
    expect(after.context.contractorInvoice).toMatchObject({ number: 'PP-1001A', totalPence: 15000 });
    expect(after.context.timers.some((t) => t.kind === 'invoiceReminder')).toBe(false);
    expect(refused(after, { ...corrected, at: hoursIn(8) })).toBe('An invoice has already been submitted for this job');
  });

  test('is queried from Completed too, before the job is closed', () => {
    const completed = reach('completed').state;
    const invoiced = step(completed, ev.submitInvoice(hoursIn(4.5))).state;
    expect(step(invoiced, query(hoursIn(4.8))).state).toMatchObject({
      status: 'completed',
      context: { contractorInvoice: null },
    });
  });

  test('is refused without a reason, without an invoice, after the contractor is paid, and from a contractor', () => {
    const { state } = reach('closedInvoiced');
    for (const reason of [
      refused(state, query(hoursIn(6), '   ')),
      refused(reach('closed').state, query(hoursIn(6))),
      refused(drive(state, [ev.payment(hoursIn(6), 'contractor', EXPECTED.contractor)]), query(hoursIn(7))),
      refused(state, query(hoursIn(6), 'Mine is wrong', PAT)),
    ])
      expectHumanReason(reason);
    expect(refused(state, query(hoursIn(6), ' '))).toBe('A reason for the query is required');
    expect(refused(reach('closed').state, query(hoursIn(6)))).toBe('There is no contractor invoice to query');
    // A client payment alone does not stop a query: the contractor has not been paid.
    expect(
      step(drive(state, [ev.payment(hoursIn(6), 'client', EXPECTED.client)]), query(hoursIn(7))).state.context
        .contractorInvoice,
    ).toBeNull();
  });
});
