// Deadlines as data: the SLA and chasing timers live in the machine's context as absolute instants.
// A host reads `nextTimer` after every step and waits for "next event or that instant".

import type { ChasePolicy, JobContext, PriorityPolicy, Sla, Timer, TimerKind } from './model.ts';
import { INVOICE_CHASE_DEFAULTS } from './model.ts';
import { addHours } from './time.ts';

/** A fresh SLA window from `startedAt`, with its warning and breach timers. */
export function startSla(
  kind: Sla['kind'],
  startedAt: string,
  priority: PriorityPolicy,
): { sla: Sla; timers: Timer[] } {
  const sla: Sla = {
    kind,
    startedAt,
    dueAt: addHours(startedAt, priority.targetHours),
    breached: false,
    breachedAt: null,
    warnedPercent: 0,
    stoppedAt: null,
  };
  return { sla, timers: slaTimers(sla, priority) };
}

/**
 * The SLA timers still to fire for a running window (recomputed when the priority changes, at `now`).
 * When the breach itself is already past at `now`, the warnings before it are dropped rather than
 * fired: "75 % used" and "90 % used" landing with "breached" are stale news that only bury the breach.
 */
export function slaTimers(sla: Sla, priority: PriorityPolicy, now?: string): Timer[] {
  if (sla.stoppedAt || sla.breached) return [];
  const breach: Timer = { key: `${sla.kind}:${sla.startedAt}:breach`, kind: 'slaBreach', at: sla.dueAt };
  if (now !== undefined && sla.dueAt <= now) return [breach];
  const start = Date.parse(sla.startedAt);
  const windowMs = Date.parse(sla.dueAt) - start;
  const warnings: Timer[] = priority.warnAtPercent
    .filter((percent) => percent > sla.warnedPercent && percent < 100)
    .map((percent) => ({
      key: `${sla.kind}:${sla.startedAt}:warn${percent}`,
      kind: 'slaWarning' as const,
      at: new Date(start + Math.round((windowMs * percent) / 100)).toISOString(),
      percent,
    }));
  return [...warnings, breach];
}

export function offerTimers(contractorId: string, at: string, chase: ChasePolicy): Timer[] {
  return [
    { key: `offer:${contractorId}:${at}:remind`, kind: 'offerReminder', at: addHours(at, chase.offerReminderHours) },
    {
      key: `offer:${contractorId}:${at}:escalate`,
      kind: 'offerEscalation',
      at: addHours(at, chase.offerEscalationHours),
    },
  ];
}

export function invoiceTimer(at: string, chase: ChasePolicy): Timer {
  return { key: `invoice:${at}:remind`, kind: 'invoiceReminder', at: addHours(at, chase.invoiceReminderHours) };
}

/** The invoice chase as the agency set it, or the defaults for jobs started before it could. */
export function invoiceChase(chase: ChasePolicy): { repeatHours: number; limit: number } {
  return {
    repeatHours: chase.invoiceReminderRepeatHours ?? INVOICE_CHASE_DEFAULTS.invoiceReminderRepeatHours,
    limit: chase.invoiceReminderLimit ?? INVOICE_CHASE_DEFAULTS.invoiceReminderLimit,
  };
}

/** Which reminder an invoice reminder timer is (1 for the first). */
export const reminderNumber = (timer: Timer): number => timer.reminder ?? 1;

/**
 * The reminder after `sent` (fired at `at`), or null when `sent` was the last the agency allows. Keyed by the
 * chase it belongs to (the first reminder's key) and its number, so each is fired, and refused, once.
 */
export function nextInvoiceTimer(sent: Timer, at: string, chase: ChasePolicy): Timer | null {
  const { repeatHours, limit } = invoiceChase(chase);
  const reminder = reminderNumber(sent) + 1;
  if (reminder > limit) return null;
  const chaseKey = sent.key.replace(/#\d+$/, '');
  return { key: `${chaseKey}#${reminder}`, kind: 'invoiceReminder', at: addHours(at, repeatHours), reminder };
}

/** Timers ordered by instant, so the head is always the next deadline. */
export function sortTimers(timers: Timer[]): Timer[] {
  return [...timers].sort((a, b) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key));
}

export function withoutKinds(timers: Timer[], kinds: readonly TimerKind[]): Timer[] {
  return timers.filter((t) => !kinds.includes(t.kind));
}

export function nextTimer(context: Pick<JobContext, 'timers'>): Timer | null {
  return context.timers[0] ?? null;
}

export const SLA_KINDS: readonly TimerKind[] = ['slaWarning', 'slaBreach'];
export const OFFER_KINDS: readonly TimerKind[] = ['offerReminder', 'offerEscalation'];
