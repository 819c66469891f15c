// Validation failures read as sentences naming the field, through the API's error map.
import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { describeIssues } from '#lib/server/api/issues.ts';

const schema = z.object({
  reason: z.string().trim().min(1).max(1000),
  agentNetPence: z.number().int().min(0).max(1_000_000_000),
  email: z.email(),
  paidOn: z.iso.date(),
  title: z.string().trim().min(3, 'Give the job a short title'),
  leg: z.enum(['client', 'contractor']),
});

const issuesOf = (input: unknown) => {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected a failure');
  return result.error.issues;
};

describe('describeIssues', () => {
  test('names each field and says what is wrong, without zod internals', () => {
    const message = describeIssues(
      issuesOf({
        reason: '   ',
        agentNetPence: 2_000_000_000,
        email: 'nope',
        paidOn: '2026-13-01',
        title: 'ab',
        leg: 'landlord',
      }),
    );
    expect(message).toBe(
      'Enter the reason. The agent net is too large. Enter a valid email. Enter a valid paid on. Give the job a short title. Choose a leg',
    );
    expect(message).not.toMatch(/expected|regex|\^|Too (small|big)/);
  });

  test('a missing or fractional number is said plainly', () => {
    expect(
      describeIssues(
        issuesOf({
          reason: 'x',
          agentNetPence: 10.5,
          email: 'a@b.co',
          paidOn: '2026-01-01',
          title: 'Leak',
          leg: 'client',
        }),
      ),
    ).toBe('The agent net must be a whole number');
    expect(
      describeIssues(
        issuesOf({ agentNetPence: 1, email: 'a@b.co', paidOn: '2026-01-01', title: 'Leak', leg: 'client' }),
      ),
    ).toBe('Enter the reason');
  });

  test('text typed where a number belongs (a form sends NaN) is said to need a number', () => {
    expect(
      describeIssues(
        issuesOf({
          reason: 'x',
          agentNetPence: NaN,
          email: 'a@b.co',
          paidOn: '2026-01-01',
          title: 'Leak',
          leg: 'client',
        }),
      ),
    ).toBe('Enter the agent net as a number');
  });

  test("a form's own names for its fields are used", () => {
    expect(
      describeIssues(
        issuesOf({ reason: '', agentNetPence: 1, email: 'a@b.co', paidOn: '2026-13-01', title: 'Leak', leg: 'client' }),
        { paidOn: 'date paid' },
      ),
    ).toBe('Enter the reason. Enter a valid date paid');
  });
});
