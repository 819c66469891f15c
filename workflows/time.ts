// Time, one place for it: instant arithmetic, the UK day, and dates and times in words for people in the UK.
//
// Storage and the machine keep instants (UTC timestamps, ISO strings); a person reads them in Europe/London,
// GMT or BST as it was then. A day a person names (an invoice date, a date paid, a statement period, a
// certificate's expiry) is a UK day, written YYYY-MM-DD: it has no time zone of its own, so it is compared as
// a string and formatted as it stands, never shifted.
//
// Pure and deterministic, safe for the Temporal workflow bundle: nothing here reads a clock. Every function
// takes the instant it works on; callers pass their clock's `now` (the API context's, the engine's, the seed's).

export const UK_TIME_ZONE = 'Europe/London';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** A UK day, YYYY-MM-DD ("2026-03-29"). */
export type IsoDay = string;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** True for a YYYY-MM-DD string (a day, not an instant). */
export const isIsoDay = (value: string): boolean => ISO_DAY.test(value);

const toDate = (at: Date | string): Date => (typeof at === 'string' ? new Date(at) : at);

/** `hours` after an instant (negative: before). An ISO string in, an ISO string out: the machine's timers. */
export function addHours(at: string, hours: number): string;
export function addHours(at: Date, hours: number): Date;
export function addHours(at: Date | string, hours: number): Date | string {
  const moved = new Date(toDate(at).getTime() + hours * HOUR_MS);
  return typeof at === 'string' ? moved.toISOString() : moved;
}

/** `days` of 24 hours after an instant (negative: before): "expires in 7 days", "the last 30 days". */
export const addDays = (at: Date, days: number): Date => new Date(at.getTime() + days * DAY_MS);

/** The day `days` after a UK day (negative: before), by the calendar: "2026-03-31" + 1 is "2026-04-01". */
export function addCalendarDays(day: IsoDay, days: number): IsoDay {
  if (!isIsoDay(day)) throw new RangeError(`Not a YYYY-MM-DD day: ${day}`);
  // A day has no zone; UTC midnight is only a vehicle for the calendar arithmetic, and has no summer time.
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

// en-CA writes dates as YYYY-MM-DD.
const ukDate = new Intl.DateTimeFormat('en-CA', { timeZone: UK_TIME_ZONE });

/**
 * The day it is in the UK at `at`, as YYYY-MM-DD: what an agency or contractor calls that day, summer time
 * included (between midnight and 1 am BST the UTC date is still yesterday). Pass the clock's now for "today".
 */
export const ukDay = (at: Date | string): IsoDay => ukDate.format(toDate(at));

/**
 * The instant a UK day starts: midnight in London, which is 23:00 UTC the day before in summer time. (Clocks
 * change at 01:00 UTC, so midnight is never skipped or repeated.) A day's end is the next day's start.
 */
export function ukDayStart(day: IsoDay): Date {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  if (!isIsoDay(day) || Number.isNaN(midnightUtc)) throw new RangeError(`Not a YYYY-MM-DD day: ${day}`);
  const hourBefore = new Date(midnightUtc - HOUR_MS);
  return ukDay(hourBefore) === day ? hourBefore : new Date(midnightUtc);
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: UK_TIME_ZONE });
/** An instant in words, in UK time: "1 Dec 2026, 12:02"; "—" when there is none. */
export const formatDateTime = (at: Date | string | null | undefined): string =>
  at ? dateTime.format(toDate(at)) : '—';

const timeOfDay = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short', timeZone: UK_TIME_ZONE });
/** The UK time of day of an instant, 24-hour clock: "09:05". */
export const formatTime = (at: Date | string): string => timeOfDay.format(toDate(at));

// A day is formatted at UTC, where its midnight was put: formatting it in London would not move it either,
// but UTC says that no zone is involved.
const mediumDay = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
const longDay = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' });
const dayAsDate = (day: IsoDay) => {
  if (!isIsoDay(day)) throw new RangeError(`Not a YYYY-MM-DD day: ${day}`);
  return new Date(`${day}T00:00:00Z`);
};

/**
 * A UK day, or the UK day of an instant, short: "23 Nov 2026". For tables and documents (PDFs, lists).
 * A YYYY-MM-DD string is a day already; any other string or a Date is an instant, and its UK day is shown.
 */
export function formatDay(dayOrInstant: Date | string): string {
  const day = typeof dayOrInstant === 'string' && isIsoDay(dayOrInstant) ? dayOrInstant : ukDay(toDate(dayOrInstant));
  return mediumDay.format(dayAsDate(day));
}

/** A UK day (YYYY-MM-DD, as `ukDay` gives it) the way people write it in a sentence: "2 March 2026". */
export const formatUkDay = (day: IsoDay): string => longDay.format(dayAsDate(day));

/** A span of time left (or, negative, overdue), for the SLA countdown: "3h 12m left", "overdue by 2d 5h". */
export function formatRemaining(ms: number): string {
  const abs = Math.abs(ms);
  const d = Math.floor(abs / DAY_MS);
  const h = Math.floor((abs % DAY_MS) / HOUR_MS);
  const m = Math.floor((abs % HOUR_MS) / MINUTE_MS);
  const text = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m`;
  return ms >= 0 ? `${text} left` : `overdue by ${text}`;
}
