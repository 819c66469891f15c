// A job recalled after its contractor invoiced, then re-assigned to another: each assignment carries its own
// contractor invoice, so the new contractor invoices their own work and the one who had it before cannot.
import { describe, expect, test } from 'vitest';
import { stepJob, type JobState } from '#workflows/job-host.ts';
import type { JobEvent } from '#workflows/model.ts';
import { EVE, PAT, STAFF, drive, ev, hoursIn, reach, refused, start, step } from './support.ts';

const pats: JobEvent = {
  type: 'SUBMIT_INVOICE',
  number: 'PAT-7',
  netPence: 20000,
  vatPence: 0,
  totalPence: 20000,
  actor: PAT,
  at: hoursIn(10),
};

describe('re-assignment after a recall', () => {
  test('counts assignments: one per ACCEPT, none for offers, declines or recalls', () => {
    const fresh = start();
    expect(fresh.context.assignment).toBe(0);
    const declined = drive(fresh, [ev.offer(hoursIn(1), EVE.id), ev.decline(hoursIn(1.5), EVE)]);
    expect(declined.context.assignment).toBe(0);
    expect(reach('assigned').state.context.assignment).toBe(1);
    expect(reach('recalled').state.context.assignment).toBe(1);
    expect(reach('reassigned').state.context.assignment).toBe(2);
  });

  test("the new holder's ACCEPT sets the previous holder's invoice aside; the recalled holder keeps theirs", () => {
    const recalled = drive(reach('completed').state, [ev.submitInvoice(hoursIn(4.5)), ev.recall(hoursIn(5))]);
    // Recalled to Pat, who invoiced: still Pat's assignment and Pat's invoice.
    expect(recalled.context.contractorInvoice).toMatchObject({ number: 'PP-1001' });
    const offered = step(recalled, ev.offer(hoursIn(6), EVE.id)).state;
    expect(offered.context.contractorInvoice).toMatchObject({ number: 'PP-1001' });
    const accepted = step(offered, ev.accept(hoursIn(7), EVE)).state;
    expect(accepted.context).toMatchObject({ contractorId: EVE.id, assignment: 2, contractorInvoice: null });
  });

  test('the new holder invoices their own work, once; the previous holder cannot', () => {
    const { state } = reach('reassigned');
    expect(state.context.contractorInvoice).toBeNull();
    expect(refused(state, { ...pats, actor: EVE })).toBe('Only the contractor who did the work can invoice it');
    const invoiced = step(state, pats).state;
    expect(invoiced.context.contractorInvoice).toMatchObject({ number: 'PAT-7', totalPence: 20000 });
    expect(refused(invoiced, { ...pats, at: hoursIn(11) })).toBe('An invoice has already been submitted for this job');
  });

  test("chases the new holder's invoice from their completion, and prices commission from it", () => {
    const { state } = reach('reassigned');
    const chaser = state.context.timers.find((t) => t.kind === 'invoiceReminder');
    expect(chaser?.at).toBe(new Date(Date.parse(hoursIn(9)) + 168 * 3_600_000).toISOString());
    const closed = drive(state, [pats, ev.close(hoursIn(11))]);
    expect(closed.context.timers.some((t) => t.kind === 'invoiceReminder')).toBe(false);
    const raised = step(closed, {
      type: 'RAISE_INVOICE',
      number: 'INV-9',
      agentNetPence: 26000,
      vatRateBp: 2000,
      contractorTotalPence: 20000,
      actor: STAFF,
      at: hoursIn(12),
    }).state;
    expect(raised.context.invoice?.expected).toEqual({ client: 31200, contractor: 20000, commission: 6000 });
  });

  test('a snapshot persisted before assignments were counted steps on: held jobs are on their first', () => {
    const legacy = (state: JobState): JobState => {
      const { assignment: _a, ...context } = state.context;
      return { ...state, context: context as JobState['context'] };
    };
    const recalled = drive(reach('completed').state, [
      ev.submitInvoice(hoursIn(4.5)),
      ev.recall(hoursIn(5)),
      ev.offer(hoursIn(6), EVE.id),
    ]);
    const accepted = stepJob(legacy(recalled), ev.accept(hoursIn(7), EVE));
    expect(accepted.ok && accepted.state.context).toMatchObject({ assignment: 2, contractorInvoice: null });
    const fresh = stepJob(legacy(reach('new').state), ev.accept(hoursIn(2)));
    expect(fresh.ok && fresh.state.context.assignment).toBe(1);
  });
});
