// Invoice and payment dates are UK days: "today" follows Europe/London, summer time included.
import { describe, expect, test } from 'vitest';
import { ukDay } from '#workflows/time.ts';

describe('ukDay', () => {
  test('is the UK date, which in summer time runs an hour ahead of UTC', () => {
    expect(ukDay(new Date('2026-07-01T23:30:00Z'))).toBe('2026-07-02');
    expect(ukDay(new Date('2026-07-01T22:59:59Z'))).toBe('2026-07-01');
  });

  test('is the UTC date in winter', () => {
    expect(ukDay(new Date('2026-12-01T23:30:00Z'))).toBe('2026-12-01');
    expect(ukDay(new Date('2026-12-02T00:00:00Z'))).toBe('2026-12-02');
  });
});
