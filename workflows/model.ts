// The job's vocabulary: statuses, roles, events and the facts the machine keeps.
// Pure types and constants only, safe for the Temporal workflow bundle.

export const JOB_STATUSES = [
  'new',
  'assigned',
  'inProgress',
  'completed',
  'closed',
  'recalled',
  'paymentComplete',
  'cancelled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const STATUS_LABELS: Record<JobStatus, string> = {
  new: 'New',
  assigned: 'Assigned',
  inProgress: 'In Progress',
  completed: 'Completed',
  closed: 'Closed',
  recalled: 'Recalled',
  paymentComplete: 'Payment Complete',
  cancelled: 'Cancelled',
};

// Named sets of statuses, so a list, a count or a badge asks what it means ("is the SLA running?") rather
// than repeating statuses that drift apart. tests/machine/status-sets.test.ts proves each against the machine.
// `completed` (the contractor says the work is done) is open and unresolved, but it is no one's workload
// and its SLA has stopped: the agency still has to review it (close or recall) and money is still to come.

/** Final: the machine's final states. The job takes no more events and keeps no timers. */
export const FINAL_STATUSES: readonly JobStatus[] = ['paymentComplete', 'cancelled'];

/** Open: the job can still change (everything but the final states), Completed and Closed included. */
export const OPEN_STATUSES: readonly JobStatus[] = JOB_STATUSES.filter((s) => !FINAL_STATUSES.includes(s));

/** Workload: site work still to do: offered, held, under way, or recalled to be put right. What counts as a
 * contractor's open jobs, and the portal's Active list (the job held by them). Completed is not: the work is done. */
export const WORKLOAD_STATUSES: readonly JobStatus[] = ['new', 'assigned', 'inProgress', 'recalled'];

/** Past work: the rest, work done or given up (Completed, Closed, Payment Complete, Cancelled): the portal's History. */
export const PAST_WORK_STATUSES: readonly JobStatus[] = JOB_STATUSES.filter((s) => !WORKLOAD_STATUSES.includes(s));

/** SLA running: the SLA clock runs while there is site work to do, from creation or a recall until COMPLETE.
 * The machine keeps the SLA breach timer pending in exactly these (until it fires). At risk and breached
 * filters, the countdown and the open-SLA index use it. */
export const SLA_RUNNING_STATUSES: readonly JobStatus[] = WORKLOAD_STATUSES;

/** Unresolved: the agency has not signed the job off: work to do, or done and awaiting review. Closed and after
 * are resolved (only money may remain). A property's open jobs; the job page's "finished" is the rest. */
export const UNRESOLVED_STATUSES: readonly JobStatus[] = [...WORKLOAD_STATUSES, 'completed'];

/** Offerable: the statuses that take OFFER, so staff may (re-)offer the job to a contractor. */
export const OFFERABLE_STATUSES: readonly JobStatus[] = ['new', 'assigned', 'recalled'];

/** Invoiceable: the statuses that take the contractor's SUBMIT_INVOICE (the work is done, the job not paid off). */
export const INVOICEABLE_STATUSES: readonly JobStatus[] = ['completed', 'closed'];

/** Whether `status` (a job's, or a string from the read model or a page) is in `set`. */
export const hasStatus = (set: readonly JobStatus[], status: string): boolean =>
  (set as readonly string[]).includes(status);

export type Role = 'admin' | 'staff' | 'contractor' | 'system';

/** Who sent an event. For a contractor, `id` is the agency's contractor record id. */
export interface Actor {
  id: string;
  role: Role;
}

export interface PriorityPolicy {
  code: string;
  name: string;
  /** Hours from the SLA start to its deadline. */
  targetHours: number;
  /** Percentages of the SLA window at which a warning fires, ascending (e.g. [75, 90]). */
  warnAtPercent: number[];
}

/** The agency's chasing windows, in hours. */
export interface ChasePolicy {
  offerReminderHours: number;
  offerEscalationHours: number;
  /** From completion (or a query) to the first invoice reminder. */
  invoiceReminderHours: number;
  /** Between one invoice reminder and the next. Absent on jobs started before agencies could set it: see INVOICE_CHASE_DEFAULTS. */
  invoiceReminderRepeatHours?: number;
  /** How many reminders the contractor gets; staff are alerted once with the last. Absent: see INVOICE_CHASE_DEFAULTS. */
  invoiceReminderLimit?: number;
}

/** The invoice chase for jobs whose policy predates the setting (and the agencies' column defaults): weekly, three times. */
export const INVOICE_CHASE_DEFAULTS = { invoiceReminderRepeatHours: 168, invoiceReminderLimit: 3 } as const;

export type TimerKind = 'slaWarning' | 'slaBreach' | 'offerReminder' | 'offerEscalation' | 'invoiceReminder';

/** A durable deadline, kept as data in the machine's context (never an XState `after`). */
export interface Timer {
  key: string;
  kind: TimerKind;
  /** ISO-8601 UTC instant. */
  at: string;
  percent?: number;
  /** Which invoice reminder this is, from 2 on (absent: the first). */
  reminder?: number;
}

export interface Sla {
  kind: 'initial' | 'recall';
  startedAt: string;
  dueAt: string;
  breached: boolean;
  breachedAt: string | null;
  /** Highest warning percentage sent so far (0 when none). */
  warnedPercent: number;
  /** Set when the work is completed: the clock stops. */
  stoppedAt: string | null;
}

export const PAYMENT_LEGS = ['client', 'contractor', 'commission'] as const;
export type PaymentLeg = (typeof PAYMENT_LEGS)[number];

interface ContractorInvoice {
  number: string;
  netPence: number;
  vatPence: number;
  totalPence: number;
  submittedAt: string;
}

/** The agency's invoice to the client and what each payment leg expects. */
interface AgencyInvoice {
  number: string;
  agentNetPence: number;
  vatRateBp: number;
  vatPence: number;
  agentGrossPence: number;
  contractorTotalPence: number;
  expected: Record<PaymentLeg, number>;
  raisedAt: string;
}

/**
 * An agency invoice that was credited in full when the job's invoice was re-raised: an issued invoice is never
 * edited, so a correction is a credit note for it plus a new invoice with a new number.
 */
export interface CreditedInvoice {
  number: string;
  grossPence: number;
  /** The credit note that cancelled it (the agency's own sequence, e.g. CN-000001). */
  creditNoteNumber: string;
  /** Why, as staff typed it: printed on the credit note. */
  reason: string;
  creditedAt: string;
}

export interface Payment {
  key: string;
  leg: PaymentLeg;
  /** Money into the leg; negative for a refund (money paid back, e.g. to correct an over-payment). */
  amountPence: number;
  reference: string;
  /** The day the money moved (YYYY-MM-DD) when staff said, which with leg, amount and reference identifies a receipt. */
  paidOn?: string;
  at: string;
}

export interface JobInput {
  jobId: string;
  reference: string;
  agencyId: string;
  createdAt: string;
  priority: PriorityPolicy;
  chase: ChasePolicy;
}

export interface JobContext extends JobInput {
  offeredTo: string | null;
  contractorId: string | null;
  /**
   * Which assignment of the job this is: 0 until a contractor first accepts it, one more at every ACCEPT.
   * The contractor invoice belongs to the current assignment (a new one starts without it), so after a
   * recall the contractor the job is re-assigned to invoices their own work.
   */
  assignment: number;
  declines: { contractorId: string; at: string; reason: string | null }[];
  sla: Sla;
  timers: Timer[];
  recallCount: number;
  lastRecallReason: string | null;
  completionNote: string | null;
  noteCount: number;
  /** The current assignment's contractor invoice (see `assignment`). */
  contractorInvoice: ContractorInvoice | null;
  /** The job's current agency invoice: the only one the client owes. */
  invoice: AgencyInvoice | null;
  /** Earlier invoices of the job, each credited in full by a credit note when the invoice was re-raised. Oldest first. */
  creditedInvoices: CreditedInvoice[];
  payments: Payment[];
}

interface Base {
  actor: Actor;
  /** When the engine accepted the event (ISO-8601 UTC). Set by the engine's clock, never by callers. */
  at: string;
  /**
   * The job's status as the sender saw it when deciding (the console's Close, Recall and Cancel send it). If the
   * job has moved on since (a colleague's Close landed first), the event is refused (rules.ts, `staleRefusal`)
   * rather than applied to a job its sender did not see: two decisions taken on one view never both apply.
   */
  seenStatus?: JobStatus;
}

export type JobEvent = Base &
  (
    | { type: 'OFFER'; contractorId: string }
    | { type: 'ACCEPT' }
    | { type: 'DECLINE'; reason?: string }
    | { type: 'START' }
    | {
        type: 'ADD_NOTE';
        text: string;
        attachmentIds?: string[];
        /** A staff note the contractor may read (staff notes are internal unless shared). Recorded, ignored by the machine. */
        shareWithContractor?: boolean;
      }
    | { type: 'COMPLETE'; note: string; attachmentIds?: string[] }
    | { type: 'CLOSE' }
    | { type: 'RECALL'; reason: string }
    | { type: 'CANCEL'; reason: string }
    | { type: 'CHANGE_PRIORITY'; priority: PriorityPolicy }
    | {
        type: 'SUBMIT_INVOICE';
        number: string;
        netPence: number;
        vatPence: number;
        totalPence: number;
        /** Ledger metadata the machine ignores (projected by activities/finance): the invoice's own date and document. */
        issuedOn?: string;
        documentId?: string;
      }
    /** Staff send the contractor's invoice back: it is set aside and the contractor may submit a corrected one. */
    | { type: 'QUERY_INVOICE'; reason: string }
    | {
        type: 'RAISE_INVOICE';
        number: string;
        agentNetPence: number;
        vatRateBp: number;
        contractorTotalPence: number;
        /** Defaults to agent net minus contractor net. */
        commissionPence?: number;
        /** Ledger metadata the machine ignores: the landlord's approved budget, and who the invoice is to (the
         * landlord or a named client) with their billing address, as the VAT invoice names them. */
        budgetPence?: number;
        clientName?: string;
        clientAddress?: string;
        /**
         * Re-raising an issued invoice credits it in full: the credit note's number (allocated by the agency's
         * sequence, never typed) and the reason staff gave, both required when the job already has an invoice.
         */
        creditNoteNumber?: string;
        creditReason?: string;
        /**
         * The invoice number the sender saw as current (the console's re-raise sends it): if a colleague has
         * re-raised the job since, the event is refused rather than crediting an invoice its sender never saw.
         */
        replaces?: string;
        /**
         * Staff have seen the warning (nothing to charge the client, or a price below the contractor's cost)
         * and raise the invoice anyway; without it such an invoice is refused with the warning.
         */
        confirmed?: boolean;
      }
    | {
        type: 'RECORD_PAYMENT';
        key: string;
        leg: PaymentLeg;
        amountPence: number;
        reference: string;
        /** The day the money moved (ISO date); with leg, amount and reference it identifies the receipt. */
        paidOn?: string;
        /** Ledger metadata the machine ignores: the payment run it was part of. */
        runId?: string;
        /**
         * Staff confirm this is a second, separate payment although one with the same leg, amount, reference
         * and day is already recorded (without it that is refused as the same receipt entered twice).
         */
        separate?: boolean;
      }
    /**
     * An agency admin brings the next pending deadline forward to now (operators, demos, tests), so the
     * engine fires it at once through the ordinary timer path. `key` (optional) names the deadline the
     * admin saw: if another one has become next meanwhile, the event is refused rather than firing that.
     */
    | { type: 'ADVANCE_DEADLINE'; key?: string }
    /** `percent`: the share of the SLA window used, copied from the deadline so the timeline can say it. */
    | { type: 'SLA_WARNING'; key: string; percent?: number }
    | { type: 'SLA_BREACHED'; key: string }
    | { type: 'OFFER_REMINDER'; key: string }
    | { type: 'OFFER_ESCALATION'; key: string }
    | { type: 'INVOICE_REMINDER'; key: string }
  );

export type JobEventType = JobEvent['type'];
export type EventOf<T extends JobEventType> = Extract<JobEvent, { type: T }>;
/** What a caller sends: the engine stamps `at`. */
export type JobCommand = JobEvent extends infer E ? (E extends JobEvent ? Omit<E, 'at'> : never) : never;

export const EVENT_TYPES = [
  'OFFER',
  'ACCEPT',
  'DECLINE',
  'START',
  'ADD_NOTE',
  'COMPLETE',
  'CLOSE',
  'RECALL',
  'CANCEL',
  'CHANGE_PRIORITY',
  'SUBMIT_INVOICE',
  'QUERY_INVOICE',
  'RAISE_INVOICE',
  'RECORD_PAYMENT',
  'ADVANCE_DEADLINE',
  'SLA_WARNING',
  'SLA_BREACHED',
  'OFFER_REMINDER',
  'OFFER_ESCALATION',
  'INVOICE_REMINDER',
] as const satisfies readonly JobEventType[];

/** The timer events, keyed by the kind of deadline that fires them. */
export const TIMER_EVENT: Record<TimerKind, JobEventType> = {
  slaWarning: 'SLA_WARNING',
  slaBreach: 'SLA_BREACHED',
  offerReminder: 'OFFER_REMINDER',
  offerEscalation: 'OFFER_ESCALATION',
  invoiceReminder: 'INVOICE_REMINDER',
};

export type NotificationTemplate =
  | 'jobOffered'
  | 'offerWithdrawn'
  | 'offerAccepted'
  | 'offerDeclined'
  | 'workStarted'
  | 'workCompleted'
  | 'jobRecalled'
  | 'jobClosed'
  | 'jobCancelled'
  | 'noteAdded'
  | 'slaWarning'
  | 'slaBreached'
  | 'offerReminder'
  | 'offerEscalation'
  | 'invoiceReminder'
  | 'invoiceOverdue'
  | 'invoiceSubmitted'
  | 'invoiceQueried'
  | 'invoiceApproved'
  | 'paymentComplete';

/** An effect the machine asks its host to carry out. Pure data; hosts turn it into I/O. */
export interface NotifyEffect {
  type: 'notify';
  params: {
    template: NotificationTemplate;
    /** Contractor record ids to tell. */
    contractors: string[];
    /** Whether the agency's staff should hear of it. */
    staff: boolean;
    data: Record<string, string | number | null>;
  };
}
export type Effect = NotifyEffect;
