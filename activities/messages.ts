// What each notification says. Plain text; the same words go to email and the console.
import type { NotificationTemplate } from '#workflows/model.ts';
import { formatDateTime } from '#workflows/time.ts';

interface MessageJob {
  reference: string;
  title: string;
  address: string;
}

type Data = Record<string, string | number | null>;

// Instants in words for people in the UK ("1 Dec 2026, 12:02"), in UK time: GMT or BST as it was then.
const when = (iso: Data[string] | undefined) =>
  typeof iso === 'string' && !Number.isNaN(Date.parse(iso)) ? formatDateTime(iso) : String(iso ?? '');

/** A reason people typed, ended with one full stop whether or not they typed their own. */
const sentenceOf = (text: unknown) => {
  const t = typeof text === 'string' ? text.trim() : '';
  return t ? (/[.!?]$/.test(t) ? t : `${t}.`) : '';
};

const TEMPLATES: Record<NotificationTemplate, (job: MessageJob, data: Data) => string> = {
  jobOffered: (j) =>
    `You have been offered job ${j.reference}: ${j.title} at ${j.address}. Please accept or decline it in the portal.`,
  offerWithdrawn: (j) => `Job ${j.reference} (${j.title}) has been re-assigned and is no longer yours.`,
  offerAccepted: (j) => `The contractor accepted job ${j.reference}: ${j.title}.`,
  offerDeclined: (j) => `The contractor declined job ${j.reference}: ${j.title}. Choose another contractor.`,
  workStarted: (j) => `Work has started on job ${j.reference}: ${j.title}.`,
  workCompleted: (j) =>
    `Job ${j.reference} (${j.title}) was marked complete by the contractor and is ready for review.`,
  jobRecalled: (j, d) =>
    `Job ${j.reference} (${j.title}) has been recalled: ${sentenceOf(d.reason)} Please return to the property.`,
  jobClosed: (j) => `Job ${j.reference} (${j.title}) has been closed by the agency. Thank you.`,
  jobCancelled: (j) => `Job ${j.reference} (${j.title}) has been cancelled by the agency.`,
  noteAdded: (j) => `A note was added to job ${j.reference}: ${j.title}.`,
  slaWarning: (j, d) =>
    `SLA warning: job ${j.reference} (${j.title}) has used ${d.percent}% of its time; due ${when(d.dueAt)}.`,
  slaBreached: (j, d) => `SLA breached: job ${j.reference} (${j.title}) was due ${when(d.dueAt)}.`,
  offerReminder: (j) =>
    `Reminder: job ${j.reference} (${j.title}) at ${j.address} is waiting for you to accept or decline.`,
  offerEscalation: (j) =>
    `No answer from the contractor offered job ${j.reference} (${j.title}). Consider another contractor.`,
  invoiceReminder: (j) => `Reminder: please submit your invoice for completed job ${j.reference} (${j.title}).`,
  invoiceOverdue: (j, d) =>
    `Still no invoice for job ${j.reference} (${j.title}) after ${d.reminders} reminder${d.reminders === 1 ? '' : 's'} to the contractor. Reminders have stopped: please chase the contractor directly.`,
  invoiceSubmitted: (j, d) => `Invoice ${d.number ?? ''} was submitted for job ${j.reference} (${j.title}).`,
  invoiceQueried: (j, d) =>
    `The agency has queried your invoice ${d.number ?? ''} for job ${j.reference} (${j.title}): ${sentenceOf(d.reason)} Please submit a corrected invoice in the portal.`,
  invoiceApproved: (j, d) =>
    `Your invoice ${d.number ?? ''} for job ${j.reference} (${j.title}) has been approved for payment.`,
  paymentComplete: (j) => `All payments for job ${j.reference} (${j.title}) are complete.`,
};

// What happened, in a subject line: a reader sees it in the inbox list without opening the message, and two
// emails about one job can be told apart. Every template has one (a Record, so a new template needs one too).
const SUBJECTS: Record<NotificationTemplate, (ref: string) => string> = {
  jobOffered: (r) => `${r} offered to you`,
  offerWithdrawn: (r) => `${r} re-assigned: no longer yours`,
  offerAccepted: (r) => `${r} accepted by the contractor`,
  offerDeclined: (r) => `${r} declined by the contractor`,
  workStarted: (r) => `${r} work started`,
  workCompleted: (r) => `${r} marked complete`,
  jobRecalled: (r) => `${r} recalled`,
  jobClosed: (r) => `${r} closed`,
  jobCancelled: (r) => `${r} cancelled`,
  noteAdded: (r) => `${r} note added`,
  slaWarning: (r) => `SLA warning on ${r}`,
  slaBreached: (r) => `SLA breached on ${r}`,
  offerReminder: (r) => `Reminder: ${r} is waiting for your answer`,
  offerEscalation: (r) => `${r} offer unanswered`,
  invoiceReminder: (r) => `Reminder: invoice for ${r}`,
  invoiceOverdue: (r) => `Invoice overdue for ${r}`,
  invoiceSubmitted: (r) => `Invoice submitted for ${r}`,
  invoiceQueried: (r) => `Invoice queried for ${r}`,
  invoiceApproved: (r) => `Invoice approved for ${r}`,
  paymentComplete: (r) => `${r} payments complete`,
};

/**
 * The email one audience gets about a job. Contractors work for several agencies, so theirs says which
 * agency it is from, first ("Harbour Lettings: JOB-000011 offered to you: Leak under sink"), and signs off
 * in its name; each audience's link opens the job where they work on it (the portal, or the console).
 */
export function emailFor(
  audience: 'contractor' | 'staff',
  message: { subject: string; body: string },
  context: { agencyId: string; agencyName: string; jobId: string; appUrl?: string },
): { subject: string; body: string } {
  const path = audience === 'contractor' ? `/portal/jobs/${context.jobId}` : `/jobs/${context.jobId}`;
  // The portal link names the agency, so it opens the job whichever agency the contractor last picked.
  const link = context.appUrl
    ? `${context.appUrl}${path}${audience === 'contractor' ? `?agency=${context.agencyId}` : ''}`
    : null;
  const open = link ? `\n\nOpen the job: ${link}` : '';
  return audience === 'contractor'
    ? {
        subject: `${context.agencyName}: ${message.subject}`,
        body: `${message.body}${open}\n\n${context.agencyName} (sent by Fettle)`,
      }
    : { subject: message.subject, body: `${message.body}${open}` };
}

/** The subject says what happened, then which job ("JOB-000014 offered to you: Leak under sink"). */
export function renderMessage(
  template: NotificationTemplate,
  job: MessageJob,
  data: Data,
): { subject: string; body: string } {
  const body = TEMPLATES[template](job, data);
  return { subject: `${SUBJECTS[template](job.reference)}: ${job.title}`, body };
}
