// Every notification that asks staff to act can be settled: no "needs action" item waits for ever.
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, FINAL_STATUSES } from '#workflows/model.ts';
import { ACTION_TEMPLATES, settledBy, settlingEvents } from '#workflows/notifications.ts';

describe('action notifications', () => {
  it('each is settled by some event short of the job ending', () => {
    for (const template of ACTION_TEMPLATES) expect(settlingEvents(template), template).not.toEqual([]);
  });

  it('all are settled when the job reaches a final status, whatever the event', () => {
    for (const type of EVENT_TYPES)
      for (const status of FINAL_STATUSES) expect(settledBy(type, status)).toEqual(ACTION_TEMPLATES);
  });

  it('a deadline firing settles nothing: it is what raises them', () => {
    for (const type of [
      'SLA_WARNING',
      'SLA_BREACHED',
      'OFFER_REMINDER',
      'OFFER_ESCALATION',
      'INVOICE_REMINDER',
    ] as const)
      expect(settledBy(type, 'assigned')).toEqual([]);
  });
});
