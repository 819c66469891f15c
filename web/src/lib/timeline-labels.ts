// What each recorded event is called on a job's timeline. The history (`job_events`) holds the machine's events
// plus CREATED, the job's first row; each audience's labels are a complete record of those types, so a new event
// added to workflows/model.ts does not compile until it has a name here (it used to show as its raw type).
import type { JobEventType } from '#workflows/model.ts';
import { formatPence, slaWarningTitle } from './labels.ts';

/** Every type a job's history can hold. */
type TimelineEventType = JobEventType | 'CREATED';

/** The console's names (staff see every event). */
export const STAFF_EVENT_TITLE = {
  CREATED: 'Job created',
  OFFER: 'Offered to a contractor',
  ACCEPT: 'Contractor accepted',
  DECLINE: 'Contractor declined',
  START: 'Work started',
  ADD_NOTE: 'Case note',
  COMPLETE: 'Marked complete',
  CLOSE: 'Closed',
  RECALL: 'Recalled',
  CANCEL: 'Cancelled',
  CHANGE_PRIORITY: 'Priority changed',
  SUBMIT_INVOICE: 'Contractor invoice submitted',
  QUERY_INVOICE: 'Contractor invoice queried',
  RAISE_INVOICE: 'Invoice raised',
  RECORD_PAYMENT: 'Payment recorded',
  SLA_WARNING: 'SLA warning',
  SLA_BREACHED: 'SLA breached',
  OFFER_REMINDER: 'Offer reminder sent',
  OFFER_ESCALATION: 'Unanswered offer escalated',
  INVOICE_REMINDER: 'Invoice reminder sent',
  ADVANCE_DEADLINE: 'Next deadline brought forward to now',
} as const satisfies Record<TimelineEventType, string>;

/**
 * The portal's names, in the contractor's words. The server shows a contractor only some of these
 * (web/src/lib/server/api/contractor-view.ts); the others are named all the same, so widening that list never
 * shows a raw type.
 */
export const CONTRACTOR_EVENT_TITLE = {
  CREATED: 'Job raised',
  OFFER: 'Offered to you',
  ACCEPT: 'Accepted',
  DECLINE: 'Declined',
  START: 'Work started',
  ADD_NOTE: 'Note',
  COMPLETE: 'Marked complete',
  CLOSE: 'Closed by the agency',
  RECALL: 'Recalled by the agency',
  CANCEL: 'Cancelled',
  CHANGE_PRIORITY: 'Priority changed',
  SUBMIT_INVOICE: 'Invoice submitted',
  QUERY_INVOICE: 'Invoice queried by the agency',
  RAISE_INVOICE: 'Invoice raised by the agency',
  RECORD_PAYMENT: 'Payment to you recorded',
  SLA_WARNING: 'SLA warning',
  SLA_BREACHED: 'SLA deadline passed',
  OFFER_REMINDER: 'Offer reminder sent',
  OFFER_ESCALATION: 'Offer passed to the agency',
  INVOICE_REMINDER: 'Invoice reminder sent',
  ADVANCE_DEADLINE: 'Deadline brought forward',
} as const satisfies Record<TimelineEventType, string>;

const isKnown = (type: string): type is TimelineEventType => Object.hasOwn(STAFF_EVENT_TITLE, type);

/** A name from `titles` for a type read from the database (a string): an unknown one shows as it is. */
export const titleFor = (titles: Record<TimelineEventType, string>, type: string): string =>
  isKnown(type) ? titles[type] : type;

const LEGS: Record<string, string> = {
  client: 'from the client',
  contractor: 'to the contractor',
  commission: 'commission',
};

/**
 * A console timeline entry's title: who an offer went to, what a priority became, how much a payment was, so two
 * offers or two changes can be told apart; otherwise the event's name.
 */
export function staffEventTitle(
  type: string,
  p: Record<string, unknown>,
  contractorNames: Record<string, string>,
): string {
  if (type === 'OFFER' && typeof p.contractorId === 'string' && contractorNames[p.contractorId])
    return `Offered to ${contractorNames[p.contractorId]}`;
  const priority = p.priority as { name?: string; code?: string } | undefined;
  if (type === 'SLA_WARNING') return slaWarningTitle(p);
  if (type === 'CHANGE_PRIORITY' && priority?.name) return `Priority changed to ${priority.name} (${priority.code})`;
  if (type === 'RECORD_PAYMENT' && typeof p.amountPence === 'number') {
    const leg = typeof p.leg === 'string' ? (LEGS[p.leg] ?? p.leg) : String(p.leg);
    return p.amountPence < 0
      ? `Refund of ${formatPence(-p.amountPence)} recorded (${leg})`
      : `Payment of ${formatPence(p.amountPence)} recorded (${leg})`;
  }
  return titleFor(STAFF_EVENT_TITLE, type);
}

/** What the console calls a record about a job kept outside its engine history (the audit log's action). */
export const STAFF_RECORD_TITLE: Readonly<Record<string, string>> = {
  'finance.invoice_approved': 'Contractor invoice approved',
  'finance.credit_note': 'Credit note issued',
};

/** The agency invoice's figures one RAISE_INVOICE set, as the machine reads them (job-machine.ts raiseInvoice). */
interface RaisedFigures {
  number: string;
  agentNetPence: number;
  vatRateBp: number;
  contractorTotalPence: number;
  commissionPence: number;
  budgetPence: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const percent = (bp: number) => `${(bp / 100).toFixed(2).replace(/\.?0+$/, '')}%`;

const FIGURES: readonly [keyof RaisedFigures, string, (v: never) => string][] = [
  ['number', 'invoice number', (v: string) => v],
  ['agentNetPence', 'agent price', formatPence],
  ['vatRateBp', 'VAT rate', percent],
  ['contractorTotalPence', 'contractor cost', formatPence],
  ['commissionPence', 'commission', formatPence],
  ['budgetPence', 'budget', (v: number | null) => (v === null ? 'none' : formatPence(v))],
];

/**
 * What each re-raised agency invoice changed, by the seq of its RAISE_INVOICE: "Agent price £150.00 → £180.00;
 * commission £30.00 → £60.00" against the raise before it ("Nothing changed" for the same figures again). A first
 * raise has no entry. Commission left out of a raise is the machine's default: agent price less the net of the
 * contractor's invoice standing then (or the contractor cost when there is none).
 */
export function reRaisedInvoiceChanges(
  events: readonly { seq: number; type: string; payload: unknown }[],
): Map<number, string> {
  const changes = new Map<number, string>();
  let contractorNet: number | null = null;
  let previous: RaisedFigures | null = null;
  for (const e of events) {
    const p = (e.payload ?? {}) as Record<string, unknown>;
    if (e.type === 'SUBMIT_INVOICE') contractorNet = num(p.netPence);
    if (e.type === 'QUERY_INVOICE') contractorNet = null;
    if (e.type !== 'RAISE_INVOICE') continue;
    const agentNetPence = num(p.agentNetPence) ?? 0;
    const contractorTotalPence = num(p.contractorTotalPence) ?? 0;
    const raised: RaisedFigures = {
      number: typeof p.number === 'string' ? p.number.trim() : '',
      agentNetPence,
      vatRateBp: num(p.vatRateBp) ?? 0,
      contractorTotalPence,
      commissionPence: num(p.commissionPence) ?? Math.max(0, agentNetPence - (contractorNet ?? contractorTotalPence)),
      budgetPence: num(p.budgetPence),
    };
    if (previous) {
      const was = previous;
      const parts = FIGURES.filter(([key]) => was[key] !== raised[key]).map(
        ([key, label, show]) => `${label} ${show(was[key] as never)} → ${show(raised[key] as never)}`,
      );
      const text = parts.join('; ');
      changes.set(e.seq, text ? text.charAt(0).toUpperCase() + text.slice(1) : 'Nothing changed');
    }
    previous = raised;
  }
  return changes;
}
