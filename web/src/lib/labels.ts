// Display helpers shared by console and portal.
import { formatDay } from '#workflows/time.ts';

export { STATUS_LABELS } from '#workflows/model.ts';
export { formatPence } from '#workflows/money.ts';
// Dates and times in UK words, for pages: the one time module, re-exported so a page imports its labels from one place.
export { formatDateTime, formatDay, formatRemaining } from '#workflows/time.ts';

/**
 * A certification a job type requires, as a contractor holds it: "Gas Safe valid until 3 Mar 2027" (the last
 * day of their latest valid one) or "no valid Gas Safe".
 */
export const requiredCertificationLabel = (cert: { name: string; validUntil: string | null }): string =>
  cert.validUntil ? `${cert.name} valid until ${formatDay(cert.validUntil)}` : `no valid ${cert.name}`;

/**
 * A fired SLA warning on the timeline: "SLA warning: 75 % of the time used". The percentage is on the
 * event since it was recorded with it; older events have it only in their deadline key (`…:warn75`).
 */
export function slaWarningTitle(payload: { percent?: unknown; key?: unknown }): string {
  const fromKey = typeof payload.key === 'string' ? /:warn(\d+)$/.exec(payload.key)?.[1] : undefined;
  const percent = typeof payload.percent === 'number' ? payload.percent : fromKey ? Number(fromKey) : null;
  return percent ? `SLA warning: ${percent} % of the time used` : 'SLA warning';
}

/** A pending deadline in words: "SLA warning at 75 %", "SLA breach", "Offer reminder to the contractor". */
export function deadlineLabel(timer: { kind: string; percent?: number }): string {
  switch (timer.kind) {
    case 'slaWarning':
      return timer.percent ? `SLA warning at ${timer.percent} %` : 'SLA warning';
    case 'slaBreach':
      return 'SLA breach';
    case 'offerReminder':
      return 'Offer reminder to the contractor';
    case 'offerEscalation':
      return 'Unanswered offer escalation to staff';
    case 'invoiceReminder':
      return 'Invoice reminder to the contractor';
    default:
      return 'Deadline';
  }
}
