// The job's lifecycle as an XState v5 machine. Pure and deterministic: no I/O, no clock.
// Time arrives on events (`at`, stamped by the engine); deadlines are data in the context;
// side effects are named `notify` requests the host carries out.

import { assertEvent, assign, setup } from 'xstate';
import {
  OFFER_KINDS,
  SLA_KINDS,
  invoiceChase,
  invoiceTimer,
  nextInvoiceTimer,
  offerTimers,
  reminderNumber,
  slaTimers,
  sortTimers,
  startSla,
  withoutKinds,
} from './deadlines.ts';
import type { JobContext, JobEvent, JobInput, NotifyEffect } from './model.ts';
import { PAYMENT_LEGS } from './model.ts';
import { reconcileLeg, vatOn } from './money.ts';
import { refusal } from './rules.ts';
import { addHours } from './time.ts';

type Notify = NotifyEffect['params'];
const note = (
  template: Notify['template'],
  to: Partial<Pick<Notify, 'contractors' | 'staff'>>,
  data: Notify['data'] = {},
) => ({ template, contractors: to.contractors ?? [], staff: to.staff ?? false, data }) satisfies Notify;
const holder = (c: JobContext) => (c.contractorId ? [c.contractorId] : []);

export const jobMachine = setup({
  types: {
    context: {} as JobContext,
    events: {} as JobEvent,
    input: {} as JobInput,
  },
  actions: {
    // Effect request: the host turns it into notifications. Never runs I/O here.
    notify: (_args, _params: Notify) => {},

    offer: assign(({ context, event }) => {
      assertEvent(event, 'OFFER');
      return {
        offeredTo: event.contractorId,
        timers: sortTimers([
          ...withoutKinds(context.timers, OFFER_KINDS),
          ...offerTimers(event.contractorId, event.at, context.chase),
        ]),
      };
    }),
    unassign: assign({ contractorId: () => null }),
    // A new assignment: the previous holder's invoice (a job recalled after invoicing) is theirs, in the
    // ledger under their assignment, and the contractor accepting now may invoice their own work.
    accept: assign(({ context }) => ({
      contractorId: context.offeredTo,
      offeredTo: null,
      assignment: context.assignment + 1,
      contractorInvoice: null,
      timers: withoutKinds(context.timers, OFFER_KINDS),
    })),
    decline: assign(({ context, event }) => {
      assertEvent(event, 'DECLINE');
      return {
        offeredTo: null,
        declines: [
          ...context.declines,
          { contractorId: event.actor.id, at: event.at, reason: event.reason?.trim() || null },
        ],
        timers: withoutKinds(context.timers, OFFER_KINDS),
      };
    }),
    countNote: assign({ noteCount: ({ context }) => context.noteCount + 1 }),
    complete: assign(({ context, event }) => {
      assertEvent(event, 'COMPLETE');
      const timers = withoutKinds(context.timers, [...SLA_KINDS, ...OFFER_KINDS]);
      return {
        completionNote: event.note.trim(),
        noteCount: context.noteCount + 1,
        sla: { ...context.sla, stoppedAt: event.at },
        timers: sortTimers(context.contractorInvoice ? timers : [...timers, invoiceTimer(event.at, context.chase)]),
      };
    }),
    recall: assign(({ context, event }) => {
      assertEvent(event, 'RECALL');
      const { sla, timers } = startSla('recall', event.at, context.priority);
      return {
        recallCount: context.recallCount + 1,
        lastRecallReason: event.reason.trim(),
        sla,
        timers: sortTimers([...withoutKinds(context.timers, ['invoiceReminder']), ...timers]),
      };
    }),
    clearTimers: assign({ timers: () => [] }),
    changePriority: assign(({ context, event }) => {
      assertEvent(event, 'CHANGE_PRIORITY');
      // Same start, new target: the deadline moves; warnings already sent are not repeated, and a target
      // so short that the new deadline has passed already fires only the breach (see slaTimers).
      const dueAt = addHours(context.sla.startedAt, event.priority.targetHours);
      const sla = { ...context.sla, dueAt };
      return {
        priority: event.priority,
        sla,
        timers: sortTimers([...withoutKinds(context.timers, SLA_KINDS), ...slaTimers(sla, event.priority, event.at)]),
      };
    }),
    // The next pending deadline falls due now: the engine's ordinary timer path fires it straight after
    // (embedded: this step rewrites the engine.timers row; Temporal: the loop re-reads its next deadline).
    advanceDeadline: assign(({ context, event }) => {
      assertEvent(event, 'ADVANCE_DEADLINE');
      const [next, ...rest] = context.timers;
      if (!next) return {};
      return { timers: sortTimers([{ ...next, at: next.at < event.at ? next.at : event.at }, ...rest]) };
    }),
    slaWarned: assign(({ context, event }) => {
      assertEvent(event, 'SLA_WARNING');
      const timer = context.timers.find((t) => t.key === event.key);
      return {
        sla: { ...context.sla, warnedPercent: Math.max(context.sla.warnedPercent, timer?.percent ?? 0) },
        timers: context.timers.filter((t) => t.key !== event.key),
      };
    }),
    slaBreached: assign(({ context, event }) => ({
      sla: { ...context.sla, breached: true, breachedAt: event.at },
      timers: withoutKinds(context.timers, SLA_KINDS),
    })),
    dropTimer: assign(({ context, event }) => {
      assertEvent(event, ['OFFER_REMINDER', 'OFFER_ESCALATION']);
      return { timers: context.timers.filter((t) => t.key !== event.key) };
    }),
    // The chase goes on at the agency's interval until its last reminder; then it stops.
    chaseInvoice: assign(({ context, event }) => {
      assertEvent(event, 'INVOICE_REMINDER');
      const sent = context.timers.find((t) => t.key === event.key);
      const next = sent ? nextInvoiceTimer(sent, event.at, context.chase) : null;
      const rest = context.timers.filter((t) => t.key !== event.key);
      return { timers: next ? sortTimers([...rest, next]) : rest };
    }),
    submitInvoice: assign(({ context, event }) => {
      assertEvent(event, 'SUBMIT_INVOICE');
      const { number, netPence, vatPence, totalPence, at } = event;
      return {
        contractorInvoice: { number: number.trim(), netPence, vatPence, totalPence, submittedAt: at },
        timers: withoutKinds(context.timers, ['invoiceReminder']),
      };
    }),
    // The queried invoice is set aside (its record stays in the event history) and the chaser restarts,
    // so a contractor who never sends the correction is reminded like one who never invoiced.
    queryInvoice: assign(({ context, event }) => {
      assertEvent(event, 'QUERY_INVOICE');
      return {
        contractorInvoice: null,
        timers: sortTimers([
          ...withoutKinds(context.timers, ['invoiceReminder']),
          invoiceTimer(event.at, context.chase),
        ]),
      };
    }),
    // Re-raising credits the current invoice in full (its credit note and reason are kept) before the new one,
    // with its own number, becomes the job's invoice: an issued invoice is never edited.
    raiseInvoice: assign(({ context, event }) => {
      assertEvent(event, 'RAISE_INVOICE');
      const previous = context.invoice;
      const creditedInvoices = previous
        ? [
            ...context.creditedInvoices,
            {
              number: previous.number,
              grossPence: previous.agentGrossPence,
              creditNoteNumber: (event.creditNoteNumber ?? '').trim(),
              reason: (event.creditReason ?? '').trim(),
              creditedAt: event.at,
            },
          ]
        : context.creditedInvoices;
      const vatPence = vatOn(event.agentNetPence, event.vatRateBp);
      const contractorNet = context.contractorInvoice?.netPence ?? event.contractorTotalPence;
      const commission = event.commissionPence ?? Math.max(0, event.agentNetPence - contractorNet);
      return {
        invoice: {
          number: event.number.trim(),
          agentNetPence: event.agentNetPence,
          vatRateBp: event.vatRateBp,
          vatPence,
          agentGrossPence: event.agentNetPence + vatPence,
          contractorTotalPence: event.contractorTotalPence,
          expected: { client: event.agentNetPence + vatPence, contractor: event.contractorTotalPence, commission },
          raisedAt: event.at,
        },
        creditedInvoices,
      };
    }),
    recordPayment: assign(({ context, event }) => {
      assertEvent(event, 'RECORD_PAYMENT');
      const { key, leg, amountPence, reference, paidOn, at } = event;
      const payment = { key, leg, amountPence, reference: reference.trim(), at };
      return { payments: [...context.payments, paidOn === undefined ? payment : { ...payment, paidOn }] };
    }),
  },
  guards: {
    allowed: ({ context, event }) => refusal(context, event) === null,
    allSettled: ({ context }) =>
      context.invoice !== null &&
      PAYMENT_LEGS.every(
        (leg) => reconcileLeg(leg, context.invoice!.expected[leg], context.payments).state === 'settled',
      ),
  },
}).createMachine({
  id: 'job',
  context: ({ input }) => {
    const { sla, timers } = startSla('initial', input.createdAt, input.priority);
    return {
      ...input,
      offeredTo: null,
      contractorId: null,
      assignment: 0,
      declines: [],
      sla,
      timers: sortTimers(timers),
      recallCount: 0,
      lastRecallReason: null,
      completionNote: null,
      noteCount: 0,
      contractorInvoice: null,
      invoice: null,
      creditedInvoices: [],
      payments: [],
    };
  },
  initial: 'new',
  // Events every open state takes: notes, SLA timers and chasers, and bringing a deadline forward. Final states take nothing.
  on: {
    ADD_NOTE: {
      guard: 'allowed',
      actions: [
        'countNote',
        {
          type: 'notify',
          params: ({ context, event }) =>
            // A staff note reaches the contractor only when shared with them; internal notes tell no one.
            event.actor.role === 'contractor'
              ? note('noteAdded', { staff: true })
              : note('noteAdded', { contractors: event.shareWithContractor ? holder(context) : [] }),
        },
      ],
    },
    // Admin only, whenever a deadline is pending (rules.ts); no notification of its own: the deadline's does.
    ADVANCE_DEADLINE: { guard: 'allowed', actions: 'advanceDeadline' },
    SLA_WARNING: {
      guard: 'allowed',
      actions: [
        'slaWarned',
        {
          type: 'notify',
          params: ({ context }) =>
            note(
              'slaWarning',
              { staff: true, contractors: holder(context) },
              { dueAt: context.sla.dueAt, percent: context.sla.warnedPercent },
            ),
        },
      ],
    },
    SLA_BREACHED: {
      guard: 'allowed',
      actions: [
        'slaBreached',
        {
          type: 'notify',
          params: ({ context }) =>
            note('slaBreached', { staff: true, contractors: holder(context) }, { dueAt: context.sla.dueAt }),
        },
      ],
    },
    OFFER_REMINDER: {
      guard: 'allowed',
      actions: [
        'dropTimer',
        {
          type: 'notify',
          params: ({ context }) => note('offerReminder', { contractors: context.offeredTo ? [context.offeredTo] : [] }),
        },
      ],
    },
    OFFER_ESCALATION: {
      guard: 'allowed',
      actions: [
        'dropTimer',
        {
          type: 'notify',
          params: ({ context }) => note('offerEscalation', { staff: true }, { contractorId: context.offeredTo }),
        },
      ],
    },
    // Told before `chaseInvoice` drops the timer, so the messages can say which reminder this is.
    INVOICE_REMINDER: {
      guard: 'allowed',
      actions: [
        {
          type: 'notify',
          params: ({ context, event }) =>
            note('invoiceReminder', { contractors: holder(context) }, { reminder: invoiceReminderOf(context, event) }),
        },
        {
          type: 'notify',
          // Staff hear once, with the last reminder: after it the machine stops chasing, so someone must.
          params: ({ context, event }) => {
            const reminder = invoiceReminderOf(context, event);
            return note(
              'invoiceOverdue',
              { staff: reminder >= invoiceChase(context.chase).limit },
              { reminders: reminder },
            );
          },
        },
        'chaseInvoice',
      ],
    },
  },
  states: {
    new: {
      on: {
        OFFER: { guard: 'allowed', actions: reofferActions() },
        ACCEPT: {
          guard: 'allowed',
          target: 'assigned',
          actions: [
            'accept',
            {
              type: 'notify',
              params: ({ context }) => note('offerAccepted', { staff: true }, { contractorId: context.contractorId }),
            },
          ],
        },
        DECLINE: {
          guard: 'allowed',
          actions: [
            'decline',
            {
              type: 'notify',
              params: ({ event }) => note('offerDeclined', { staff: true }, { contractorId: event.actor.id }),
            },
          ],
        },
        CHANGE_PRIORITY: { guard: 'allowed', actions: 'changePriority' },
        CANCEL: { guard: 'allowed', target: 'cancelled', actions: cancelActions() },
      },
    },
    assigned: {
      on: {
        START: {
          guard: 'allowed',
          target: 'inProgress',
          actions: { type: 'notify', params: () => note('workStarted', { staff: true }) },
        },
        OFFER: {
          guard: 'allowed',
          target: 'new',
          actions: [
            { type: 'notify', params: ({ context }) => note('offerWithdrawn', { contractors: holder(context) }) },
            'unassign',
            'offer',
            { type: 'notify', params: ({ event }) => note('jobOffered', { contractors: [event.contractorId] }) },
          ],
        },
        CHANGE_PRIORITY: { guard: 'allowed', actions: 'changePriority' },
        CANCEL: { guard: 'allowed', target: 'cancelled', actions: cancelActions() },
      },
    },
    inProgress: {
      on: {
        COMPLETE: {
          guard: 'allowed',
          target: 'completed',
          actions: ['complete', { type: 'notify', params: () => note('workCompleted', { staff: true }) }],
        },
        CHANGE_PRIORITY: { guard: 'allowed', actions: 'changePriority' },
        CANCEL: { guard: 'allowed', target: 'cancelled', actions: cancelActions() },
      },
    },
    completed: {
      on: {
        CLOSE: {
          guard: 'allowed',
          target: 'closed',
          actions: { type: 'notify', params: ({ context }) => note('jobClosed', { contractors: holder(context) }) },
        },
        RECALL: { guard: 'allowed', target: 'recalled', actions: recallActions() },
        SUBMIT_INVOICE: { guard: 'allowed', actions: invoiceSubmittedActions() },
        QUERY_INVOICE: { guard: 'allowed', actions: invoiceQueriedActions() },
      },
    },
    closed: {
      always: { guard: 'allSettled', target: 'paymentComplete' },
      on: {
        RECALL: { guard: 'allowed', target: 'recalled', actions: recallActions() },
        SUBMIT_INVOICE: { guard: 'allowed', actions: invoiceSubmittedActions() },
        QUERY_INVOICE: { guard: 'allowed', actions: invoiceQueriedActions() },
        RAISE_INVOICE: { guard: 'allowed', actions: 'raiseInvoice' },
        RECORD_PAYMENT: { guard: 'allowed', actions: 'recordPayment' },
      },
    },
    recalled: {
      on: {
        START: {
          guard: 'allowed',
          target: 'inProgress',
          actions: { type: 'notify', params: () => note('workStarted', { staff: true }) },
        },
        OFFER: { guard: 'allowed', actions: reofferActions() },
        ACCEPT: {
          guard: 'allowed',
          target: 'assigned',
          actions: [
            { type: 'notify', params: ({ context }) => note('offerWithdrawn', { contractors: holder(context) }) },
            'accept',
            {
              type: 'notify',
              params: ({ context }) => note('offerAccepted', { staff: true }, { contractorId: context.contractorId }),
            },
          ],
        },
        DECLINE: {
          guard: 'allowed',
          actions: [
            'decline',
            {
              type: 'notify',
              params: ({ event }) => note('offerDeclined', { staff: true }, { contractorId: event.actor.id }),
            },
          ],
        },
        CHANGE_PRIORITY: { guard: 'allowed', actions: 'changePriority' },
        CANCEL: { guard: 'allowed', target: 'cancelled', actions: cancelActions() },
      },
    },
    paymentComplete: {
      type: 'final',
      entry: [
        'clearTimers',
        {
          type: 'notify',
          params: ({ context }) => note('paymentComplete', { staff: true, contractors: holder(context) }),
        },
      ],
    },
    cancelled: {
      type: 'final',
      entry: 'clearTimers',
    },
  },
});

/** Which reminder of the chase the firing INVOICE_REMINDER is (its timer is still in the context). */
function invoiceReminderOf(context: JobContext, event: JobEvent): number {
  const timer = 'key' in event ? context.timers.find((t) => t.key === event.key) : undefined;
  return timer ? reminderNumber(timer) : 1;
}

/** Offering a job not yet accepted: a contractor whose offer is still open is told it has gone elsewhere
 * (before `offer` replaces them), then the new one is offered it. */
function reofferActions() {
  return [
    {
      type: 'notify',
      params: ({ context, event }: { context: JobContext; event: JobEvent }) =>
        note('offerWithdrawn', {
          contractors:
            context.offeredTo && event.type === 'OFFER' && context.offeredTo !== event.contractorId
              ? [context.offeredTo]
              : [],
        }),
    },
    'offer',
    {
      type: 'notify',
      params: ({ event }: { event: JobEvent }) =>
        note('jobOffered', { contractors: event.type === 'OFFER' ? [event.contractorId] : [] }),
    },
  ] as const;
}

function cancelActions() {
  return {
    type: 'notify',
    params: ({ context }: { context: JobContext }) =>
      note('jobCancelled', {
        contractors: [context.contractorId, context.offeredTo].filter((id): id is string => !!id),
      }),
  } as const;
}

function recallActions() {
  return [
    'recall',
    {
      type: 'notify',
      params: ({ context }: { context: JobContext }) =>
        note('jobRecalled', { contractors: holder(context) }, { reason: context.lastRecallReason }),
    },
  ] as const;
}

function invoiceSubmittedActions() {
  return [
    'submitInvoice',
    {
      type: 'notify',
      params: ({ context }: { context: JobContext }) =>
        note(
          'invoiceSubmitted',
          { staff: true },
          {
            number: context.contractorInvoice?.number ?? null,
            totalPence: context.contractorInvoice?.totalPence ?? null,
          },
        ),
    },
  ] as const;
}

function invoiceQueriedActions() {
  return [
    // Told before the invoice is set aside, so the message can name it.
    {
      type: 'notify',
      params: ({ context, event }: { context: JobContext; event: JobEvent }) =>
        note(
          'invoiceQueried',
          { contractors: holder(context) },
          {
            number: context.contractorInvoice?.number ?? null,
            reason: event.type === 'QUERY_INVOICE' ? event.reason.trim() : null,
          },
        ),
    },
    'queryInvoice',
  ] as const;
}
