// Guard behaviour in detail: who may do what to whose job, and what each refusal says.
import { describe, expect, test } from 'vitest';
import { pendingTimer, timerEvent } from '#workflows/job-host.ts';
import type { EventOf, JobEvent } from '#workflows/model.ts';
import { CONFIRM_INVOICE, CONFIRM_SEPARATE_PAYMENT } from '#workflows/rules.ts';
import {
  ADMIN,
  EVE,
  PAT,
  STAFF,
  SYSTEM,
  drive,
  ev,
  hoursIn,
  notifications,
  reach,
  refused,
  start,
  step,
  templates,
} from './support.ts';

describe('only the right contractor', () => {
  test('cannot accept or decline an offer made to someone else', () => {
    const { state, now } = reach('new');
    expect(refused(state, ev.accept(now, EVE))).toBe('This job has not been offered to you');
    expect(refused(state, ev.decline(now, EVE))).toBe('This job has not been offered to you');
  });

  test('cannot start or complete a job held by someone else', () => {
    const assigned = reach('assigned');
    expect(refused(assigned.state, ev.start(assigned.now, EVE))).toBe('Only the assigned contractor can start work');
    const inProgress = reach('inProgress');
    expect(refused(inProgress.state, ev.complete(inProgress.now, EVE))).toBe(
      'Only the assigned contractor can complete the job',
    );
  });

  test('cannot invoice work someone else did, nor invoice twice', () => {
    const { state, now } = reach('completed');
    expect(refused(state, ev.submitInvoice(now, EVE))).toBe('Only the contractor who did the work can invoice it');
    const invoiced = step(state, ev.submitInvoice(now)).state;
    expect(refused(invoiced, ev.submitInvoice(now))).toBe('An invoice has already been submitted for this job');
  });

  test('cannot act for staff, and staff cannot act for the contractor', () => {
    const { state, now } = reach('new');
    expect(refused(state, ev.offer(now, EVE.id, PAT))).toBe('Only agency staff can offer the job to a contractor');
    expect(refused(state, ev.accept(now, STAFF))).toBe('Only the contractor can accept the job');
    expect(refused(state, ev.note(now, SYSTEM))).toBe('Only agency staff or the contractor can add a note');
  });
});

describe('mandatory words', () => {
  test.each(['', '   ', '\n\t'])('a blank completion note (%j) is refused', (note) => {
    const { state, now } = reach('inProgress');
    expect(refused(state, ev.complete(now, PAT, note))).toBe('A completion note is required');
  });

  test('a completion without photos is fine', () => {
    const { state, now } = reach('inProgress');
    const event: JobEvent = { type: 'COMPLETE', note: 'Done', actor: PAT, at: now };
    expect(step(state, event).state.context.completionNote).toBe('Done');
  });

  test.each(['', '  '])('a blank recall reason (%j) is refused', (reason) => {
    const { state, now } = reach('completed');
    expect(refused(state, ev.recall(now, STAFF, reason))).toBe('A reason for the recall is required');
  });

  test.each(['', '  '])('a blank cancel reason (%j) is refused', (reason) => {
    const { state, now } = reach('assigned');
    expect(refused(state, ev.cancel(now, STAFF, reason))).toBe('A reason for cancelling is required');
  });

  test('a note needs text or an attachment', () => {
    const { state, now } = reach('assigned');
    expect(refused(state, { type: 'ADD_NOTE', text: ' ', actor: PAT, at: now })).toBe(
      'A note needs text or an attachment',
    );
    expect(
      step(state, { type: 'ADD_NOTE', text: '', attachmentIds: ['photo-2'], actor: PAT, at: now }).state.context
        .noteCount,
    ).toBe(1);
  });

  test("a staff note tells the contractor only when shared with them; the contractor's notes tell staff", () => {
    const { state, now } = reach('assigned');
    const notified = (event: JobEvent) => step(state, event).effects.map((e) => e.params);
    expect(notified({ type: 'ADD_NOTE', text: 'Tenant in arrears', actor: STAFF, at: now })).toEqual([]);
    expect(
      notified({ type: 'ADD_NOTE', text: 'Key under the mat', shareWithContractor: true, actor: STAFF, at: now }),
    ).toEqual([expect.objectContaining({ template: 'noteAdded', contractors: [PAT.id], staff: false })]);
    expect(notified({ type: 'ADD_NOTE', text: 'On site', actor: PAT, at: now })).toEqual([
      expect.objectContaining({ template: 'noteAdded', contractors: [], staff: true }),
    ]);
  });
});

describe('offers', () => {
  test('re-offering a job whose offer is still open tells the first contractor it has gone elsewhere', () => {
    const { state, now } = reach('new');
    expect(state.context.offeredTo).toBe(PAT.id);
    expect(notifications(step(state, ev.offer(now, EVE.id)).effects)).toEqual([
      { template: 'offerWithdrawn', contractors: [PAT.id], staff: false, data: {} },
      { template: 'jobOffered', contractors: [EVE.id], staff: false, data: {} },
    ]);
    // A first offer withdraws nothing from anyone.
    expect(templates(step(start(), ev.offer(now, PAT.id)).effects)).toEqual(['jobOffered']);
  });

  test('a decline is recorded and the job goes back to unassigned', () => {
    const { state, now } = reach('new');
    const { state: next, effects } = step(state, ev.decline(now, PAT, '  Fully booked  '));
    expect(next.status).toBe('new');
    expect(next.context).toMatchObject({
      offeredTo: null,
      contractorId: null,
      declines: [{ contractorId: 'pat', at: now, reason: 'Fully booked' }],
    });
    expect(notifications(effects)).toEqual([
      { template: 'offerDeclined', contractors: [], staff: true, data: { contractorId: 'pat' } },
    ]);
    // Without a reason, the decline is still recorded.
    const again = drive(next, [ev.offer(hoursIn(3)), ev.decline(hoursIn(4))]);
    expect(again.context.declines.map((d) => d.reason)).toEqual(['Fully booked', null]);
  });

  test('re-offering while offered replaces the offer', () => {
    const { state, now } = reach('new');
    const { state: next, effects } = step(state, ev.offer(now, EVE.id));
    expect(next.context.offeredTo).toBe('eve');
    expect(next.context.timers.filter((t) => t.kind.startsWith('offer')).map((t) => t.key)).toEqual([
      `offer:eve:${now}:remind`,
      `offer:eve:${now}:escalate`,
    ]);
    expect(notifications(effects)).toContainEqual(
      expect.objectContaining({ template: 'jobOffered', contractors: ['eve'] }),
    );
    expect(refused(next, ev.accept(now, PAT))).toBe('This job has not been offered to you');
    expect(step(next, ev.accept(now, EVE)).state.context.contractorId).toBe('eve');
  });

  test('offering again to the same contractor is refused', () => {
    const { state, now } = reach('new');
    expect(refused(state, ev.offer(now, PAT.id))).toBe('The job is already offered to that contractor');
    const assigned = reach('assigned');
    expect(refused(assigned.state, ev.offer(assigned.now, PAT.id))).toBe('That contractor already holds the job');
  });

  test('re-assigning from Assigned withdraws the job from the old contractor', () => {
    const { state, now } = reach('assigned');
    const { state: next, effects } = step(state, ev.offer(now, EVE.id, ADMIN));
    expect(next.status).toBe('new');
    expect(next.context).toMatchObject({ contractorId: null, offeredTo: 'eve' });
    expect(notifications(effects)).toEqual([
      { template: 'offerWithdrawn', contractors: ['pat'], staff: false, data: {} },
      { template: 'jobOffered', contractors: ['eve'], staff: false, data: {} },
    ]);
    expect(refused(next, ev.start(now, PAT))).toBe('Only the assigned contractor can start work');
  });

  test('re-assigning a recalled job: the old contractor keeps it until the new one accepts', () => {
    const { state, now } = reach('recalled');
    const offered = step(state, ev.offer(now, EVE.id)).state;
    expect(offered.context).toMatchObject({ contractorId: 'pat', offeredTo: 'eve' });
    expect(refused(offered, ev.start(now, PAT))).toBe('The job is being offered to another contractor');
    const { state: accepted, effects } = step(offered, ev.accept(now, EVE));
    expect(accepted.status).toBe('assigned');
    expect(accepted.context).toMatchObject({ contractorId: 'eve', offeredTo: null });
    expect(notifications(effects)).toEqual([
      { template: 'offerWithdrawn', contractors: ['pat'], staff: false, data: {} },
      { template: 'offerAccepted', contractors: [], staff: true, data: { contractorId: 'eve' } },
    ]);
  });

  test('a declined re-assignment leaves the recalled job with its contractor', () => {
    const { state, now } = reach('recalled');
    const declined = drive(state, [ev.offer(now, EVE.id), ev.decline(now, EVE)]);
    expect(declined.status).toBe('recalled');
    expect(declined.context).toMatchObject({ contractorId: 'pat', offeredTo: null });
    expect(step(declined, ev.start(now, PAT)).state.status).toBe('inProgress');
  });
});

describe('notes', () => {
  test('the contractor a job is offered to may add notes; staff hear of it', () => {
    const { state, now } = reach('new');
    const { state: next, effects } = step(state, ev.note(now, PAT, 'Can I see photos first?'));
    expect(next.context.noteCount).toBe(1);
    expect(notifications(effects)).toEqual([{ template: 'noteAdded', contractors: [], staff: true, data: {} }]);
  });

  test('staff notes shared with the contractor go to the contractor holding the job', () => {
    const { state, now } = reach('inProgress');
    expect(
      notifications(step(state, { ...ev.note(now, STAFF), shareWithContractor: true } as JobEvent).effects),
    ).toEqual([{ template: 'noteAdded', contractors: ['pat'], staff: false, data: {} }]);
  });

  test('a contractor with no part in the job may not', () => {
    const { state, now } = reach('inProgress');
    expect(refused(state, ev.note(now, EVE))).toBe('Only the contractor holding the job can add notes');
  });
});

describe('recall', () => {
  test('a completed job is recalled with its reason, and the contractor is told', () => {
    const { state, now } = reach('completed');
    const { state: next, effects } = step(state, ev.recall(now, STAFF, ' Still leaking '));
    expect(next.status).toBe('recalled');
    expect(next.context).toMatchObject({ recallCount: 1, lastRecallReason: 'Still leaking', contractorId: 'pat' });
    expect(notifications(effects)).toEqual([
      { template: 'jobRecalled', contractors: ['pat'], staff: false, data: { reason: 'Still leaking' } },
    ]);
  });

  test('a closed job not yet paid can be recalled, even once invoiced', () => {
    for (const scenario of ['closed', 'closedInvoiced'] as const) {
      const { state, now } = reach(scenario);
      expect(step(state, ev.recall(now)).state.status).toBe('recalled');
    }
  });

  test('a closed job with a payment recorded cannot', () => {
    const { state, now } = reach('closedInvoiced');
    const paid = step(state, ev.payment(now, 'client', 1000)).state;
    expect(refused(paid, ev.recall(now))).toBe('Payments are already recorded; a paid job cannot be recalled');
    expect(refused(paid, ev.raiseInvoice(now))).toBe('Payments are already recorded against the invoice');
  });
});

describe('invoice warnings come before the invoice', () => {
  const raise = (at: string, extra: Partial<EventOf<'RAISE_INVOICE'>>): JobEvent => ({
    ...(ev.raiseInvoice(at) as EventOf<'RAISE_INVOICE'>),
    ...extra,
  });

  test('a £0 invoice, or an agent price below the contractor’s cost, is refused until confirmed', () => {
    const { state, now } = reach('closed');
    expect(refused(state, raise(now, { agentNetPence: 0 }))).toBe(
      `This invoice charges the client nothing (£0.00). ${CONFIRM_INVOICE}`,
    );
    expect(refused(state, raise(now, { agentNetPence: 15000, contractorTotalPence: 18000 }))).toBe(
      `The agent price (£150.00 ex VAT) is below the contractor's cost (£180.00): the agency would lose £30.00. ${CONFIRM_INVOICE}`,
    );
    expect(step(state, raise(now, { agentNetPence: 0, confirmed: true })).state.context.invoice?.agentNetPence).toBe(0);
    expect(
      step(state, raise(now, { agentNetPence: 15000, confirmed: true })).state.context.invoice?.agentNetPence,
    ).toBe(15000);
    // At or above cost needs no confirmation.
    expect(step(state, raise(now, { agentNetPence: 18000 })).state.context.invoice).not.toBeNull();
  });

  test("the cost is the contractor's invoice net when there is one", () => {
    const closed = drive(reach('completed').state, [ev.submitInvoice(hoursIn(4.5)), ev.close(hoursIn(5))]);
    const now = hoursIn(6);
    const net = closed.context.contractorInvoice!.netPence;
    expect(refused(closed, raise(now, { agentNetPence: net - 1, contractorTotalPence: 0 }))).toMatch(
      /below the contractor's cost/,
    );
    expect(
      step(closed, raise(now, { agentNetPence: net, contractorTotalPence: 0 })).state.context.invoice,
    ).not.toBeNull();
  });
});

describe('an issued invoice is never edited: a re-raise credits it and issues a new one', () => {
  const raise = (at: string, extra: Partial<EventOf<'RAISE_INVOICE'>>): JobEvent => ({
    ...(ev.reRaiseInvoice(at) as EventOf<'RAISE_INVOICE'>),
    ...extra,
  });

  test('the credited invoice is kept with its credit note and reason; the new one is current', () => {
    const { state, now } = reach('closedInvoiced');
    const next = step(state, raise(now, { agentNetPence: 21000 })).state;
    expect(next.status).toBe('closed');
    expect(next.context.invoice).toMatchObject({ number: 'INV-0002', agentGrossPence: 25200, raisedAt: now });
    expect(next.context.invoice?.expected.client).toBe(25200);
    expect(next.context.creditedInvoices).toEqual([
      {
        number: 'INV-0001',
        grossPence: 24000,
        creditNoteNumber: 'CN-000001',
        reason: 'Billed to the wrong landlord',
        creditedAt: now,
      },
    ]);
    // And again: INV-0002 credited by CN-000002, INV-0003 current.
    const third = step(next, raise(now, { number: 'INV-0003', creditNoteNumber: 'CN-000002', creditReason: 'VAT' }));
    expect(third.state.context.creditedInvoices.map((c) => [c.number, c.creditNoteNumber])).toEqual([
      ['INV-0001', 'CN-000001'],
      ['INV-0002', 'CN-000002'],
    ]);
  });

  test('a number issued before, a missing reason or a repeated credit note is refused with the reason', () => {
    const { state, now } = reach('closedInvoiced');
    expect(refused(state, raise(now, { number: ' inv-0001 ' }))).toBe(
      'Invoice INV-0001 is already issued and cannot be edited: the corrected invoice needs a new number',
    );
    expect(refused(state, raise(now, { creditReason: '  ' }))).toBe(
      'Re-raising credits invoice INV-0001 in full: a reason for the credit note is required',
    );
    expect(refused(state, raise(now, { creditNoteNumber: undefined }))).toBe('A credit note number is required');
    const next = step(state, raise(now, {})).state;
    expect(refused(next, raise(now, { number: 'INV-0001', creditNoteNumber: 'CN-000002' }))).toBe(
      'Invoice INV-0001 was already credited (credit note CN-000001): the corrected invoice needs a new number',
    );
    expect(refused(next, raise(now, { number: 'INV-0003' }))).toBe('Credit note CN-000001 is already issued');
  });

  test('a re-raise decided on an invoice a colleague has re-raised since is refused, not applied to the new one', () => {
    const { state, now } = reach('closedInvoiced');
    expect(step(state, raise(now, { replaces: 'INV-0001' })).state.context.invoice?.number).toBe('INV-0002');
    const next = step(state, raise(now, {})).state;
    expect(refused(next, raise(now, { number: 'INV-0003', creditNoteNumber: 'CN-000002', replaces: 'INV-0001' }))).toBe(
      "Invoice INV-0001 has been re-raised since you looked: the job's invoice is now INV-0002. Check it before re-raising",
    );
  });

  test('a first raise credits nothing, and once paid the invoice is not re-raised', () => {
    const { state, now } = reach('closed');
    expect(refused(state, raise(now, { number: 'INV-0001' }))).toBe(
      'The job has no invoice to credit: raise its first invoice without a credit note',
    );
    const invoiced = reach('closedInvoiced');
    const paid = step(invoiced.state, ev.payment(invoiced.now, 'client', 1000)).state;
    expect(refused(paid, raise(invoiced.now, {}))).toBe('Payments are already recorded against the invoice');
  });
});

describe('payments', () => {
  test('a duplicate payment key is refused', () => {
    const { state, now } = reach('closedInvoiced');
    const paid = step(state, ev.payment(now, 'client', 1000, 'bacs-42')).state;
    expect(refused(paid, ev.payment(now, 'client', 1000, 'bacs-42'))).toBe('That payment is already recorded');
    expect(refused(paid, ev.payment(now, 'contractor', 500, 'bacs-42'))).toBe('That payment is already recorded');
  });

  test('the same receipt entered twice is refused until confirmed as a separate payment', () => {
    const { state, now } = reach('closedInvoiced');
    const receipt = (key: string, extra: Partial<EventOf<'RECORD_PAYMENT'>> = {}): JobEvent => ({
      ...(ev.payment(now, 'client', 12000, key) as EventOf<'RECORD_PAYMENT'>),
      reference: 'BACS 7781',
      paidOn: '2026-03-02',
      ...extra,
    });
    const paid = step(state, receipt('tab-1')).state;
    expect(paid.context.payments.at(-1)).toMatchObject({ reference: 'BACS 7781', paidOn: '2026-03-02' });
    // Another tab or person, another key: the same leg, amount, reference (any case, spaces) and day.
    for (const again of [receipt('tab-2'), receipt('tab-2', { reference: '  bacs 7781 ' })])
      expect(refused(paid, again)).toBe(
        `A payment of £120.00 on the client leg with reference BACS 7781 on 2 March 2026 is already recorded. ${CONFIRM_SEPARATE_PAYMENT}`,
      );
    // Confirmed as separate, it is recorded; so is anything that differs in leg, amount, reference or day.
    expect(step(paid, receipt('tab-2', { separate: true })).state.context.payments).toHaveLength(2);
    for (const other of [
      receipt('b', { leg: 'commission' }),
      receipt('c', { amountPence: 12001 }),
      receipt('d', { reference: 'BACS 7782' }),
      receipt('e', { paidOn: '2026-03-03' }),
    ])
      expect(step(paid, other).state.context.payments).toHaveLength(2);
    // A receipt recorded without its day matches on the rest.
    const undated = step(state, receipt('old', { paidOn: undefined })).state;
    expect(refused(undated, receipt('new'))).toMatch(
      /^A payment of £120\.00 on the client leg with reference BACS 7781 is/,
    );
  });

  test('payments need an invoice, a positive amount and a key', () => {
    const closed = reach('closed');
    expect(refused(closed.state, ev.payment(closed.now, 'client', 100))).toBe(
      'Raise the invoice before recording payments',
    );
    const { state, now } = reach('closedInvoiced');
    expect(refused(state, ev.payment(now, 'client', 0))).toBe('A payment must be a positive whole number of pence');
    expect(refused(state, ev.payment(now, 'client', 10.5))).toBe('A payment must be a positive whole number of pence');
    expect(refused(state, ev.payment(now, 'client', 100, ' '))).toBe('A payment needs an idempotency key');
  });
});

describe('timer events', () => {
  test('only the system fires deadlines', () => {
    const { state } = reach('assigned');
    const timer = pendingTimer(state)!;
    const event = { ...timerEvent(timer, timer.at), actor: STAFF };
    expect(refused(state, event)).toBe('Only the system can send an SLA warning');
  });

  // Bug fixed in workflows/rules.ts: any pending key used to satisfy any timer event, so an
  // SLA_BREACHED naming the 75 % warning's key recorded a breach hours before the deadline.
  test('a timer event must name a deadline of its own kind', () => {
    const { state } = reach('assigned');
    const warning = pendingTimer(state)!;
    expect(warning.kind).toBe('slaWarning');
    const breach = { ...timerEvent(warning, warning.at), type: 'SLA_BREACHED' } as JobEvent;
    expect(refused(state, breach)).toBe('That key belongs to a different kind of deadline');
    const offered = step(reach('new').state, ev.offer(hoursIn(2), EVE.id)).state;
    const reminder = offered.context.timers.find((t) => t.kind === 'offerReminder')!;
    expect(refused(offered, { ...timerEvent(reminder, reminder.at), type: 'INVOICE_REMINDER' } as JobEvent)).toBe(
      'That key belongs to a different kind of deadline',
    );
  });
});

describe('bringing a deadline forward', () => {
  const advance = (at: string, actor = ADMIN, key?: string): JobEvent => ({
    type: 'ADVANCE_DEADLINE',
    ...(key ? { key } : {}),
    actor,
    at,
  });

  test('is for agency admins only: staff, contractors and the system are refused in words', () => {
    const { state, now } = reach('assigned');
    expect(refused(state, advance(now, STAFF))).toBe('Only agency admins can bring a deadline forward');
    expect(refused(state, advance(now, PAT))).toBe('Only agency admins can bring a deadline forward');
    expect(refused(state, advance(now, SYSTEM))).toBe('Only agency admins can bring a deadline forward');
    expect(step(state, advance(now)).state.context.timers[0]!.at).toBe(now);
  });

  test('needs a pending deadline', () => {
    const { state, now } = reach('closedInvoiced');
    expect(state.context.timers).toEqual([]);
    expect(refused(state, advance(now))).toBe('The job has no pending deadline to bring forward');
  });

  test('naming a deadline that is no longer the next one is refused, so a stale page cannot fire another', () => {
    const { state, now } = reach('assigned');
    const [warn75, warn90] = state.context.timers;
    expect(refused(state, advance(now, ADMIN, warn90!.key))).toBe(
      'That deadline has already fired or is no longer the next one',
    );
    expect(step(state, advance(now, ADMIN, warn75!.key)).ok).toBe(true);
  });

  test('final states refuse it like everything else', () => {
    const { state, now } = reach('cancelled');
    expect(refused(state, advance(now))).toBe('The job has no pending deadline to bring forward');
  });
});

describe('final states take nothing', () => {
  test.each(['paymentComplete', 'cancelled'] as const)(
    '%s refuses every event, saying the job is finished',
    (scenario) => {
      const { state, now } = reach(scenario);
      const label = scenario === 'cancelled' ? 'Cancelled' : 'Payment Complete';
      // Events the sender could otherwise send: the refusal names the state.
      const events: JobEvent[] = [
        ev.note(now, STAFF),
        ev.note(now, PAT),
        ev.offer(now, EVE.id),
        ev.cancel(now),
        ev.priority(now),
        ev.close(now),
      ];
      for (const event of events)
        expect(refused(state, event)).toBe(`Cannot ${VERBS[event.type]} while the job is ${label}`);
      // Late money is refused too (the reason may cite the money rather than the state).
      for (const event of [ev.recall(now), ev.raiseInvoice(now), ev.payment(now, 'client', 1, 'late')])
        expect(refused(state, event)).not.toBe('');
    },
  );

  test('cancelling tells whoever was offered or held the job', () => {
    const { state, now } = reach('recalled');
    const offered = step(state, ev.offer(now, EVE.id)).state;
    const { state: cancelled, effects } = step(offered, ev.cancel(now));
    expect(cancelled.status).toBe('cancelled');
    expect(notifications(effects)).toEqual([
      { template: 'jobCancelled', contractors: ['pat', 'eve'], staff: false, data: {} },
    ]);
  });

  test('payment complete tells staff and the contractor', () => {
    const { state, now } = reach('closedInvoiced');
    const { effects } = step(
      drive(state, [ev.payment(now, 'client', 24000), ev.payment(now, 'contractor', 18000)]),
      ev.payment(now, 'commission', 5000),
    );
    expect(templates(effects)).toEqual(['paymentComplete']);
    expect(notifications(effects)[0]).toMatchObject({ contractors: ['pat'], staff: true });
  });
});

const VERBS: Partial<Record<JobEvent['type'], string>> = {
  ADD_NOTE: 'add a note',
  OFFER: 'offer the job to a contractor',
  CANCEL: 'cancel the job',
  CHANGE_PRIORITY: 'change the priority',
  CLOSE: 'close the job',
};

test('start() gives a New job with nobody on it', () => {
  expect(start()).toMatchObject({ status: 'new', context: { offeredTo: null, contractorId: null, declines: [] } });
});
