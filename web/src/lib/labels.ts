// Display helpers shared by console and portal.
export { STATUS_LABELS } from '#workflows/model.ts';
export { formatPence } from '#workflows/money.ts';

const dateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'Europe/London',
});
export const formatDateTime = (d: Date | string | null | undefined) => (d ? dateTime.format(new Date(d)) : '—');

const ukDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' });
/** The day it is in the UK as YYYY-MM-DD: what an agency or contractor calls today, summer time included
 * (the UTC date is still yesterday between midnight and 1am BST). Invoice and payment dates are UK days. */
export const ukDay = (at: Date = new Date()) => ukDate.format(at);

const longDay = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
/** A UK day (YYYY-MM-DD, as `ukDay` gives it) the way people write it: "2 March 2026". The day is already the
 * UK's, so it is formatted as it stands (at UTC), never shifted by a time zone. */
export const formatUkDay = (isoDay: string) => longDay.format(new Date(`${isoDay}T00:00:00Z`));

/** "3h 12m left" / "overdue by 2h 5m", for the SLA countdown. */
export function formatRemaining(ms: number): string {
  const abs = Math.abs(ms);
  const d = Math.floor(abs / 86_400_000);
  const h = Math.floor((abs % 86_400_000) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const text = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m`;
  return ms >= 0 ? `${text} left` : `overdue by ${text}`;
}

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
