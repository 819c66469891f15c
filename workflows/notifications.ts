// Which staff notifications ask someone to act, and which of a job's events settle them. Pure: the read
// model (activities/record-transition.ts) marks a notification resolved when its job moves past the point
// it was about, so the console's "needs action" list and bell count only what still needs someone.
import { FINAL_STATUSES, type JobEvent, type JobStatus, type NotificationTemplate } from './model.ts';

/** What staff must act on: answer an accepted or refused offer, review finished work or an invoice, chase an SLA or a
 * missing invoice. Everything else the engine tells staff (work started, a note, payments complete) is activity. */
export const ACTION_TEMPLATES = [
  'offerAccepted',
  'offerDeclined',
  'offerEscalation',
  'workCompleted',
  'invoiceSubmitted',
  'invoiceOverdue',
  'slaWarning',
  'slaBreached',
] as const satisfies readonly NotificationTemplate[];
type ActionTemplate = (typeof ACTION_TEMPLATES)[number];

const SLA: ActionTemplate[] = ['slaWarning', 'slaBreached'];
const OFFER: ActionTemplate[] = ['offerAccepted', 'offerDeclined', 'offerEscalation'];

/**
 * The action notifications an accepted event settles: an offer answered or made again, work started or
 * reviewed, an invoice in or queried, an SLA that stopped running. Every type is listed (a Record), so a new
 * event has to say what it settles.
 */
const SETTLED_BY: Record<JobEvent['type'], readonly ActionTemplate[]> = {
  // A new offer answers a refusal and an unanswered one alike.
  OFFER: ['offerDeclined', 'offerEscalation'],
  ACCEPT: ['offerEscalation'],
  DECLINE: ['offerEscalation'],
  START: ['offerAccepted'],
  // The SLA stops when the work is done.
  COMPLETE: [...SLA, 'offerAccepted'],
  RECALL: ['workCompleted'],
  CLOSE: [...SLA, ...OFFER, 'workCompleted'],
  CANCEL: ACTION_TEMPLATES,
  SUBMIT_INVOICE: ['invoiceOverdue'],
  QUERY_INVOICE: ['invoiceSubmitted'],
  RAISE_INVOICE: [],
  RECORD_PAYMENT: [],
  ADD_NOTE: [],
  CHANGE_PRIORITY: [],
  ADVANCE_DEADLINE: [],
  // A deadline firing raises notifications; it settles none.
  SLA_WARNING: [],
  SLA_BREACHED: [],
  OFFER_REMINDER: [],
  OFFER_ESCALATION: [],
  INVOICE_REMINDER: [],
};

/** What the event settles, given the status it led to: at a final status, everything about the job is settled. */
export function settledBy(event: JobEvent['type'], to: JobStatus): readonly ActionTemplate[] {
  return FINAL_STATUSES.includes(to) ? ACTION_TEMPLATES : SETTLED_BY[event];
}

/** The events that settle `template` (besides reaching a final status): for a notification written late. */
export function settlingEvents(template: ActionTemplate): JobEvent['type'][] {
  return (Object.keys(SETTLED_BY) as JobEvent['type'][]).filter((type) => SETTLED_BY[type].includes(template));
}

export const isActionTemplate = (template: NotificationTemplate): template is ActionTemplate =>
  (ACTION_TEMPLATES as readonly NotificationTemplate[]).includes(template);
