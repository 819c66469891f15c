// Who may send which event, and why an event is refused, in words a person can read.
// The machine's guards call `refusal`; hosts call `explain` when the machine does not take an event.

import type { EventOf, JobContext, JobEvent, JobEventType, Payment, Role } from './model.ts';
import { PAYMENT_LEGS, STATUS_LABELS, TIMER_EVENT, type JobStatus, type PaymentLeg } from './model.ts';
import { formatPence } from './money.ts';
import { formatUkDay, isIsoDay } from './time.ts';

type Check<T extends JobEventType> = (context: JobContext, event: EventOf<T>) => string | null;

interface Rule<T extends JobEventType> {
  /** Said in refusals: "Only staff can <verb>". */
  verb: string;
  roles: readonly Role[];
  check?: Check<T>;
}

const STAFF = ['staff'] as const; // admins act as staff (see roleOf)
const ADMIN = ['admin'] as const; // agency admins only: plain staff may not
const CONTRACTOR = ['contractor'] as const;
const SYSTEM = ['system'] as const;

const blank = (text: string | undefined | null) => !text || text.trim().length === 0;
const isPence = (n: number) => Number.isSafeInteger(n) && n >= 0;
/** What a payment leg holds so far, refunds taken off. */
/**
 * The words a refusal of an apparently repeated receipt ends with: the console offers the confirmation
 * (RECORD_PAYMENT with `separate: true`) when a refusal ends so.
 */
export const CONFIRM_SEPARATE_PAYMENT = 'If it is a second, separate payment, confirm it as one.';

const sameReference = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * A payment already recorded that this one repeats: the same leg, amount and reference (ignoring case and
 * spaces around it) and, when both say, the same day. Two people or two tabs entering one bank line is the
 * usual cause; a genuinely separate payment is recorded with `separate`.
 */
const sameReceipt = (c: JobContext, e: EventOf<'RECORD_PAYMENT'>) =>
  c.payments.find(
    (p) =>
      p.leg === e.leg &&
      p.amountPence === e.amountPence &&
      sameReference(p.reference, e.reference) &&
      (p.paidOn === undefined || e.paidOn === undefined || p.paidOn === e.paidOn),
  );

/** The refusal of a receipt `p` repeats, or null when it repeats none. */
const repeatedReceipt = (p: Payment | undefined) =>
  p
    ? `A ${p.amountPence < 0 ? 'refund' : 'payment'} of ${formatPence(Math.abs(p.amountPence))} on the ${p.leg} ` +
      `leg with reference ${p.reference}${p.paidOn && isIsoDay(p.paidOn) ? ` on ${formatUkDay(p.paidOn)}` : ''} ` +
      `is already recorded. ${CONFIRM_SEPARATE_PAYMENT}`
    : null;

/** The words an invoice warning ends with: the console offers the confirmation (`confirmed: true`). */
export const CONFIRM_INVOICE = 'Confirm to raise it anyway.';

/** What is wrong with an invoice's price that staff should see before the client does, or null. */
function invoiceWarning(c: JobContext, e: EventOf<'RAISE_INVOICE'>): string | null {
  if (e.confirmed) return null;
  if (e.agentNetPence === 0) return `This invoice charges the client nothing (£0.00). ${CONFIRM_INVOICE}`;
  // The contractor's cost as the commission is worked out: their invoice's net, or the total typed.
  const cost = c.contractorInvoice?.netPence ?? e.contractorTotalPence;
  if (e.agentNetPence < cost)
    return (
      `The agent price (${formatPence(e.agentNetPence)} ex VAT) is below the contractor's cost ` +
      `(${formatPence(cost)}): the agency would lose ${formatPence(cost - e.agentNetPence)}. ${CONFIRM_INVOICE}`
    );
  return null;
}

/** Why this invoice number cannot be issued on the job again (it is current, or was credited), or null. */
function invoiceNumberUsed(c: JobContext, number: string): string | null {
  const n = number.trim().toLowerCase();
  if (c.invoice && c.invoice.number.toLowerCase() === n)
    return `Invoice ${c.invoice.number} is already issued and cannot be edited: the corrected invoice needs a new number`;
  const credited = c.creditedInvoices.find((i) => i.number.toLowerCase() === n);
  return credited
    ? `Invoice ${credited.number} was already credited (credit note ${credited.creditNoteNumber}): the corrected invoice needs a new number`
    : null;
}

/** What a re-raise (the job has an invoice already) lacks to credit the current invoice, or null; a first raise credits nothing. */
function creditMissing(c: JobContext, e: EventOf<'RAISE_INVOICE'>): string | null {
  const seen = e.replaces?.trim();
  if (seen && seen.toLowerCase() !== c.invoice?.number.toLowerCase())
    return c.invoice
      ? `Invoice ${seen} has been re-raised since you looked: the job's invoice is now ${c.invoice.number}. Check it before re-raising`
      : `Invoice ${seen} is not the job's invoice`;
  if (!c.invoice)
    return blank(e.creditNoteNumber)
      ? null
      : 'The job has no invoice to credit: raise its first invoice without a credit note';
  if (blank(e.creditReason))
    return `Re-raising credits invoice ${c.invoice.number} in full: a reason for the credit note is required`;
  const cn = (e.creditNoteNumber ?? '').trim();
  if (!cn) return 'A credit note number is required';
  return c.creditedInvoices.some((i) => i.creditNoteNumber.toLowerCase() === cn.toLowerCase())
    ? `Credit note ${cn} is already issued`
    : null;
}

const paidInto = (context: JobContext, leg: PaymentLeg) =>
  context.payments.reduce((sum, p) => (p.leg === leg ? sum + p.amountPence : sum), 0);

const timerDue = (context: JobContext, event: { type: JobEventType; key: string; at: string }): string | null => {
  const timer = context.timers.find((t) => t.key === event.key);
  if (!timer) return 'That deadline is no longer pending';
  if (TIMER_EVENT[timer.kind] !== event.type) return 'That key belongs to a different kind of deadline';
  if (timer.at > event.at) return 'That deadline is not due yet';
  return null;
};

function onlyOfferedContractor(context: JobContext, event: JobEvent): string | null {
  return event.actor.id === context.offeredTo ? null : 'This job has not been offered to you';
}

const RULES: { [T in JobEventType]: Rule<T> } = {
  OFFER: {
    verb: 'offer the job to a contractor',
    roles: STAFF,
    check: (c, e) =>
      blank(e.contractorId)
        ? 'Choose a contractor'
        : e.contractorId === c.offeredTo
          ? 'The job is already offered to that contractor'
          : e.contractorId === c.contractorId
            ? 'That contractor already holds the job'
            : null,
  },
  ACCEPT: { verb: 'accept the job', roles: CONTRACTOR, check: onlyOfferedContractor },
  DECLINE: { verb: 'decline the job', roles: CONTRACTOR, check: onlyOfferedContractor },
  START: {
    verb: 'start work',
    roles: CONTRACTOR,
    check: (c, e) =>
      e.actor.id !== c.contractorId
        ? 'Only the assigned contractor can start work'
        : c.offeredTo
          ? 'The job is being offered to another contractor'
          : null,
  },
  ADD_NOTE: {
    verb: 'add a note',
    roles: ['staff', 'contractor'],
    check: (c, e) =>
      e.actor.role === 'contractor' && e.actor.id !== c.contractorId && e.actor.id !== c.offeredTo
        ? 'Only the contractor holding the job can add notes'
        : blank(e.text) && !e.attachmentIds?.length
          ? 'A note needs text or an attachment'
          : null,
  },
  COMPLETE: {
    verb: 'complete the job',
    roles: CONTRACTOR,
    check: (c, e) =>
      e.actor.id !== c.contractorId
        ? 'Only the assigned contractor can complete the job'
        : blank(e.note)
          ? 'A completion note is required'
          : null,
  },
  CLOSE: { verb: 'close the job', roles: STAFF },
  RECALL: {
    verb: 'recall the job',
    roles: STAFF,
    check: (c, e) =>
      blank(e.reason)
        ? 'A reason for the recall is required'
        : c.payments.length > 0
          ? 'Payments are already recorded; a paid job cannot be recalled'
          : null,
  },
  CANCEL: {
    verb: 'cancel the job',
    roles: STAFF,
    check: (_c, e) => (blank(e.reason) ? 'A reason for cancelling is required' : null),
  },
  CHANGE_PRIORITY: {
    verb: 'change the priority',
    roles: STAFF,
    check: (c, e) =>
      !(e.priority.targetHours > 0)
        ? 'The priority needs a positive SLA target'
        : e.priority.code === c.priority.code
          ? 'The job already has that priority'
          : null,
  },
  SUBMIT_INVOICE: {
    verb: 'submit an invoice',
    roles: CONTRACTOR,
    check: (c, e) =>
      e.actor.id !== c.contractorId
        ? 'Only the contractor who did the work can invoice it'
        : c.contractorInvoice // the current assignment's: a contractor re-assigned the job after a recall invoices afresh
          ? 'An invoice has already been submitted for this job'
          : blank(e.number)
            ? 'An invoice number is required'
            : ![e.netPence, e.vatPence, e.totalPence].every(isPence)
              ? 'Amounts must be whole pence, not negative'
              : e.netPence + e.vatPence !== e.totalPence
                ? 'Net plus VAT must equal the total'
                : null,
  },
  QUERY_INVOICE: {
    verb: 'query the contractor invoice',
    roles: STAFF,
    check: (c, e) =>
      !c.contractorInvoice
        ? 'There is no contractor invoice to query'
        : c.payments.some((p) => p.leg === 'contractor')
          ? 'The contractor has already been paid for this invoice'
          : blank(e.reason)
            ? 'A reason for the query is required'
            : null,
  },
  RAISE_INVOICE: {
    verb: 'raise an invoice',
    roles: STAFF,
    check: (c, e) =>
      c.payments.length > 0
        ? 'Payments are already recorded against the invoice'
        : blank(e.number)
          ? 'An invoice number is required'
          : ![e.agentNetPence, e.contractorTotalPence, e.vatRateBp, e.commissionPence ?? 0].every(isPence)
            ? 'Amounts must be whole pence, not negative'
            : (invoiceNumberUsed(c, e.number) ?? creditMissing(c, e) ?? invoiceWarning(c, e)),
  },
  RECORD_PAYMENT: {
    verb: 'record a payment',
    roles: STAFF,
    check: (c, e) =>
      !c.invoice
        ? 'Raise the invoice before recording payments'
        : !PAYMENT_LEGS.includes(e.leg)
          ? 'Unknown payment leg'
          : !Number.isSafeInteger(e.amountPence) || e.amountPence === 0
            ? 'A payment must be a positive whole number of pence'
            : e.amountPence < 0 && paidInto(c, e.leg) + e.amountPence < 0
              ? `A refund cannot be more than the leg has been paid (${formatPence(paidInto(c, e.leg))})`
              : blank(e.key)
                ? 'A payment needs an idempotency key'
                : c.payments.some((p) => p.key === e.key)
                  ? 'That payment is already recorded'
                  : e.separate
                    ? null
                    : repeatedReceipt(sameReceipt(c, e)),
  },
  ADVANCE_DEADLINE: {
    verb: 'bring a deadline forward',
    roles: ADMIN,
    check: (c, e) => {
      const next = c.timers[0];
      if (!next) return 'The job has no pending deadline to bring forward';
      if (e.key !== undefined && e.key !== next.key)
        return 'That deadline has already fired or is no longer the next one';
      return null;
    },
  },
  SLA_WARNING: { verb: 'send an SLA warning', roles: SYSTEM, check: timerDue },
  SLA_BREACHED: { verb: 'record an SLA breach', roles: SYSTEM, check: timerDue },
  OFFER_REMINDER: { verb: 'remind the contractor of an offer', roles: SYSTEM, check: timerDue },
  OFFER_ESCALATION: { verb: 'escalate an unanswered offer', roles: SYSTEM, check: timerDue },
  INVOICE_REMINDER: { verb: 'chase the contractor invoice', roles: SYSTEM, check: timerDue },
};

const roleOf = (role: Role): Role => (role === 'admin' ? 'staff' : role);

const ROLE_NAMES: Record<Role, string> = {
  admin: 'agency admins',
  staff: 'agency staff',
  contractor: 'the contractor',
  system: 'the system',
};

/** Why this actor may not send this event in this context (ignoring the state), or null when allowed. */
export function refusal(context: JobContext, event: JobEvent): string | null {
  const rule = RULES[event.type] as Rule<JobEventType> | undefined;
  if (!rule) return `Unknown event ${String(event.type)}`;
  // An admin may do what staff may (roleOf), and what is for admins alone.
  if (!rule.roles.includes(event.actor.role) && !rule.roles.includes(roleOf(event.actor.role))) {
    return `Only ${rule.roles.map((r) => ROLE_NAMES[r]).join(' or ')} can ${rule.verb}`;
  }
  return rule.check ? rule.check(context, event) : null;
}

/** Why an event decided on a status the job has since left (`seenStatus`) is refused, or null when it has not:
 * in the machine's words for the status it is in now, and the one its sender saw. */
export function staleRefusal(status: JobStatus, event: JobEvent): string | null {
  if (event.seenStatus === undefined || event.seenStatus === status) return null;
  const rule = RULES[event.type] as Rule<JobEventType> | undefined;
  return `Cannot ${rule?.verb ?? event.type} while the job is ${STATUS_LABELS[status]} (it was ${STATUS_LABELS[event.seenStatus]} when you looked)`;
}

/** The reason for a refused event: the actor's rule first, else the state. */
export function explain(status: JobStatus, context: JobContext, event: JobEvent): string {
  const rule = RULES[event.type] as Rule<JobEventType> | undefined;
  return refusal(context, event) ?? `Cannot ${rule?.verb ?? event.type} while the job is ${STATUS_LABELS[status]}`;
}
