// Notification wording: what staff and contractors read in the console and in email.
import { describe, expect, it } from 'vitest';
import { emailFor, renderMessage } from '#activities/messages.ts';

const job = { reference: 'JOB-000012', title: 'Leak under sink', address: '9 Clifton Down, BS8 3HT' };

describe('notification messages', () => {
  it('give SLA deadlines as dates for people in UK time, not ISO timestamps', () => {
    expect(renderMessage('slaBreached', job, { dueAt: '2026-12-01T12:02:01.675Z' }).body).toBe(
      'SLA breached: job JOB-000012 (Leak under sink) was due 1 Dec 2026, 12:02.',
    );
    // Summer time: 11:30 UTC is 12:30 in the UK.
    expect(renderMessage('slaWarning', job, { dueAt: '2026-07-01T11:30:00.000Z', percent: 75 }).body).toBe(
      'SLA warning: job JOB-000012 (Leak under sink) has used 75% of its time; due 1 Jul 2026, 12:30.',
    );
  });

  it('end a typed reason with one full stop, whether or not it had its own', () => {
    expect(renderMessage('invoiceQueried', job, { number: 'PP-1', reason: 'Please itemise.' }).body).toBe(
      'The agency has queried your invoice PP-1 for job JOB-000012 (Leak under sink): Please itemise. Please submit a corrected invoice in the portal.',
    );
    expect(renderMessage('jobRecalled', job, { reason: 'Tap still drips' }).body).toBe(
      'Job JOB-000012 (Leak under sink) has been recalled: Tap still drips. Please return to the property.',
    );
  });

  it('have subjects that say what happened, not only the job title', () => {
    expect(renderMessage('jobOffered', job, {}).subject).toBe('JOB-000012 offered to you: Leak under sink');
    expect(renderMessage('offerReminder', job, {}).subject).toBe(
      'Reminder: JOB-000012 is waiting for your answer: Leak under sink',
    );
    expect(renderMessage('jobRecalled', job, { reason: 'x' }).subject).toBe('JOB-000012 recalled: Leak under sink');
    expect(renderMessage('jobCancelled', job, {}).subject).toBe('JOB-000012 cancelled: Leak under sink');
    // Every template says something of its own: no two subjects for one job are the same.
    const templates = [
      'jobOffered',
      'offerWithdrawn',
      'offerAccepted',
      'offerDeclined',
      'workStarted',
      'workCompleted',
      'jobRecalled',
      'jobClosed',
      'jobCancelled',
      'noteAdded',
      'slaWarning',
      'slaBreached',
      'offerReminder',
      'offerEscalation',
      'invoiceReminder',
      'invoiceSubmitted',
      'invoiceQueried',
      'invoiceApproved',
      'paymentComplete',
    ] as const;
    const subjects = templates.map((t) => renderMessage(t, job, { dueAt: null, percent: 50 }).subject);
    expect(new Set(subjects).size).toBe(templates.length);
    subjects.forEach((s) => expect(s).toContain('JOB-000012'));
  });
});

describe('job emails', () => {
  const message = renderMessage('jobOffered', job, {});
  const context = {
    agencyId: '5b0c3e8e-0000-4000-8000-000000000001',
    agencyName: 'Harbour Lettings',
    jobId: '9d7e6f00-0000-4000-8000-000000000002',
    appUrl: 'https://fettle.example',
  };

  it('name the agency to contractors, who may work for several, and link to the job in the portal', () => {
    expect(emailFor('contractor', message, context)).toEqual({
      subject: 'Harbour Lettings: JOB-000012 offered to you: Leak under sink',
      body:
        'You have been offered job JOB-000012: Leak under sink at 9 Clifton Down, BS8 3HT. Please accept or decline it in the portal.\n\n' +
        `Open the job: https://fettle.example/portal/jobs/${context.jobId}?agency=${context.agencyId}\n\n` +
        'Harbour Lettings (sent by Fettle)',
    });
  });

  it('link staff to the job in the console', () => {
    const staff = emailFor('staff', renderMessage('workCompleted', job, {}), context);
    expect(staff.subject).toBe('JOB-000012 marked complete: Leak under sink');
    expect(staff.body).toMatch(new RegExp(`\\n\\nOpen the job: https://fettle.example/jobs/${context.jobId}$`));
  });

  it('carry no link when the app does not know its address', () => {
    expect(emailFor('contractor', message, { ...context, appUrl: undefined }).body).not.toContain('http');
  });
});
