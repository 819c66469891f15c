// Notification wording: what staff and contractors read in the console and in email.
import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../activities/messages.ts';

const job = { reference: 'JOB-000012', title: 'Leak under sink', address: '9 Clifton Down, BS8 3HT' };

describe('notification messages', () => {
  it('give SLA deadlines as dates for people in UK time, not ISO timestamps', () => {
    expect(renderMessage('slaBreached', job, { dueAt: '2026-12-01T12:02:01.675Z' }).body).toBe('SLA breached: job JOB-000012 (Leak under sink) was due 1 Dec 2026, 12:02.');
    // Summer time: 11:30 UTC is 12:30 in the UK.
    expect(renderMessage('slaWarning', job, { dueAt: '2026-07-01T11:30:00.000Z', percent: 75 }).body).toBe(
      'SLA warning: job JOB-000012 (Leak under sink) has used 75% of its time; due 1 Jul 2026, 12:30.',
    );
  });

  it('end a typed reason with one full stop, whether or not it had its own', () => {
    expect(renderMessage('invoiceQueried', job, { number: 'PP-1', reason: 'Please itemise.' }).body).toBe(
      'The agency has queried your invoice PP-1 for job JOB-000012 (Leak under sink): Please itemise. Please submit a corrected invoice in the portal.',
    );
    expect(renderMessage('jobRecalled', job, { reason: 'Tap still drips' }).body).toBe('Job JOB-000012 (Leak under sink) has been recalled: Tap still drips. Please return to the property.');
  });
});
