// The one time module: instants in UK words, UK days across the clock changes, and the arithmetic the
// machine's deadlines, the seeds and the API share. In 2026 BST starts on Sunday 29 March at 01:00 UTC
// (clocks go from 01:00 to 02:00) and ends on Sunday 25 October at 01:00 UTC (02:00 BST back to 01:00).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  addCalendarDays,
  addDays,
  addHours,
  formatDateTime,
  formatDay,
  formatRemaining,
  formatTime,
  formatUkDay,
  isIsoDay,
  ukDay,
} from '#workflows/time.ts';

describe('ukDay', () => {
  test('between midnight and 1 am BST the UK day is not the UTC day', () => {
    // 00:30 BST on 30 March is 23:30 UTC on 29 March.
    expect(ukDay(new Date('2026-03-29T23:30:00Z'))).toBe('2026-03-30');
    expect(ukDay('2026-07-01T23:00:00Z')).toBe('2026-07-02');
    expect(ukDay('2026-07-01T22:59:59.999Z')).toBe('2026-07-01');
  });

  test('is the UTC day in GMT, up to the spring change on the last Sunday of March', () => {
    expect(ukDay('2026-03-28T23:30:00Z')).toBe('2026-03-28');
    expect(ukDay('2026-03-29T00:59:59Z')).toBe('2026-03-29');
    expect(ukDay('2026-12-31T23:59:59Z')).toBe('2026-12-31');
  });

  test('on the last Sunday of October the BST night still belongs to the Sunday, then GMT again', () => {
    // 00:30 BST on Sunday 25 October is 23:30 UTC on Saturday 24.
    expect(ukDay('2026-10-24T23:30:00Z')).toBe('2026-10-25');
    // After the change a late evening in UTC is the same day in the UK.
    expect(ukDay('2026-10-25T23:30:00Z')).toBe('2026-10-25');
  });
});

describe('formatDateTime', () => {
  test('writes instants in UK time, GMT or BST as it was then', () => {
    expect(formatDateTime('2026-12-01T12:02:00Z')).toBe('1 Dec 2026, 12:02');
    expect(formatDateTime(new Date('2026-07-01T12:02:00Z'))).toBe('1 Jul 2026, 13:02');
  });

  test('skips the hour the clocks go forward and repeats the hour they go back', () => {
    expect(formatDateTime('2026-03-29T00:59:00Z')).toBe('29 Mar 2026, 00:59');
    expect(formatDateTime('2026-03-29T01:00:00Z')).toBe('29 Mar 2026, 02:00');
    expect(formatDateTime('2026-10-25T00:30:00Z')).toBe('25 Oct 2026, 01:30');
    expect(formatDateTime('2026-10-25T01:30:00Z')).toBe('25 Oct 2026, 01:30');
  });

  test('says "—" for no instant', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime(undefined)).toBe('—');
  });
});

describe('formatTime', () => {
  test('is the UK time of day on the 24-hour clock', () => {
    expect(formatTime('2026-01-15T08:05:00Z')).toBe('08:05');
    expect(formatTime('2026-07-15T08:05:00Z')).toBe('09:05');
    expect(formatTime(new Date('2026-07-15T23:30:00Z'))).toBe('00:30');
  });
});

describe('formatDay and formatUkDay', () => {
  test('a day is written as it stands, never shifted by a zone', () => {
    expect(formatDay('2026-11-23')).toBe('23 Nov 2026');
    expect(formatDay('2026-03-29')).toBe('29 Mar 2026');
    expect(formatUkDay('2026-03-02')).toBe('2 March 2026');
    expect(formatUkDay('2026-10-25')).toBe('25 October 2026');
  });

  test('an instant is written as its UK day', () => {
    expect(formatDay(new Date('2026-07-01T23:30:00Z'))).toBe('2 Jul 2026');
    expect(formatDay('2026-07-01T23:30:00.000Z')).toBe('2 Jul 2026');
    expect(formatDay(new Date('2026-12-01T23:30:00Z'))).toBe('1 Dec 2026');
  });

  test('refuses a day that is not YYYY-MM-DD', () => {
    expect(() => formatUkDay('1 March 2026')).toThrow(RangeError);
    expect(isIsoDay('2026-03-01')).toBe(true);
    expect(isIsoDay('2026-03-01T00:00:00Z')).toBe(false);
  });
});

describe('formatRemaining', () => {
  const minutes = (m: number) => m * 60_000;
  test('hours and minutes under a day, days and hours beyond', () => {
    expect(formatRemaining(minutes(3 * 60 + 12))).toBe('3h 12m left');
    expect(formatRemaining(minutes(59))).toBe('59m left');
    expect(formatRemaining(minutes(26 * 60 + 30))).toBe('1d 2h left');
    expect(formatRemaining(0)).toBe('0m left');
  });

  test('past the deadline it says by how much', () => {
    expect(formatRemaining(-minutes(2 * 60 + 5))).toBe('overdue by 2h 5m');
    expect(formatRemaining(-minutes(3 * 24 * 60))).toBe('overdue by 3d 0h');
  });
});

describe('arithmetic', () => {
  test('addHours keeps the form it is given: ISO in, ISO out; Date in, Date out', () => {
    expect(addHours('2026-03-29T00:30:00.000Z', 1)).toBe('2026-03-29T01:30:00.000Z');
    expect(addHours('2026-01-01T00:00:00.000Z', -1.5)).toBe('2025-12-31T22:30:00.000Z');
    const later = addHours(new Date('2026-10-25T00:00:00Z'), 24);
    expect(later).toBeInstanceOf(Date);
    expect(later.toISOString()).toBe('2026-10-26T00:00:00.000Z');
  });

  test('hours are elapsed time: 24 hours over the spring change end at 1 am the next UK day', () => {
    const start = '2026-03-28T00:00:00.000Z'; // midnight GMT, Saturday
    expect(formatDateTime(addHours(start, 24))).toBe('29 Mar 2026, 00:00');
    expect(formatDateTime(addHours(start, 48))).toBe('30 Mar 2026, 01:00');
  });

  test('addDays counts days of 24 hours from an instant', () => {
    expect(addDays(new Date('2026-03-01T12:00:00Z'), 7).toISOString()).toBe('2026-03-08T12:00:00.000Z');
    expect(addDays(new Date('2026-03-01T12:00:00Z'), -30).toISOString()).toBe('2026-01-30T12:00:00.000Z');
  });

  test('addCalendarDays moves a day by the calendar, across months, leap days and the clock changes', () => {
    expect(addCalendarDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addCalendarDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(addCalendarDays('2026-10-25', 1)).toBe('2026-10-26');
    expect(addCalendarDays('2026-01-31', 30)).toBe('2026-03-02');
    expect(addCalendarDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addCalendarDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(() => addCalendarDays('2026-01-01T00:00:00Z', 1)).toThrow(RangeError);
  });
});

test('the module reads no clock, so the machine and the Temporal workflow may import it', () => {
  const source = readFileSync(new URL('../../workflows/time.ts', import.meta.url), 'utf8');
  expect(source).not.toMatch(/new Date\(\)|Date\.now\(|performance\.now\(/);
  expect(source).not.toMatch(/from ['"](node:|#db|#activities|#worker|#lib)/);
});
