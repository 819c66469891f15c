import { describe, expect, it } from 'vitest';
import { auditActionLabel, auditCsvLine, auditFilters, jobReference } from '#lib/server/audit/log.ts';
import { ukDayStart } from '#workflows/time.ts';

describe('the audit log, read by admins', () => {
  it('starts a UK day at London midnight: 23:00 UTC the day before in summer time', () => {
    expect(ukDayStart('2026-01-15').toISOString()).toBe('2026-01-15T00:00:00.000Z');
    expect(ukDayStart('2026-07-01').toISOString()).toBe('2026-06-30T23:00:00.000Z');
    // The clocks go forward at 01:00 UTC on 29 March 2026 and back on 25 October: both days start at midnight.
    expect(ukDayStart('2026-03-29').toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(ukDayStart('2026-03-30').toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(ukDayStart('2026-10-25').toISOString()).toBe('2026-10-24T23:00:00.000Z');
    expect(ukDayStart('2026-10-26').toISOString()).toBe('2026-10-26T00:00:00.000Z');
    expect(() => ukDayStart('2026-13-45')).toThrow(RangeError);
  });

  it('finds a job by its reference however it is typed', () => {
    for (const typed of ['JOB-000011', 'job-11', 'JOB11', '11', ' 000011 '])
      expect(jobReference(typed)).toBe('JOB-000011');
    expect(jobReference('pf-2201')).toBe('PF-2201');
  });

  it('says what is wrong with a filter, and an empty field is no filter', () => {
    expect(auditFilters.parse({ job: '', person: '', action: '', from: '', to: '' })).toEqual({});
    const backwards = auditFilters.safeParse({ from: '2026-12-04', to: '2026-12-01' });
    expect(backwards.error?.issues.map((i) => i.message)).toEqual(['The “from” day is after the “to” day']);
    expect(auditFilters.safeParse({ from: '04/12/2026' }).error?.issues[0]?.message).toBe('Give dates as YYYY-MM-DD');
    expect(auditFilters.safeParse({ from: '2026-02-30' }).success).toBe(true);
    expect(auditFilters.safeParse({ from: '2026-02-99' }).error?.issues[0]?.message).toBe('That date does not exist');
  });

  it('labels actions in words', () => {
    expect(auditActionLabel('job.record_payment')).toBe('Job: record payment');
    expect(auditActionLabel('settings.branch.update')).toBe('Settings: branch update');
    expect(auditActionLabel('agency.opened')).toBe('Agency: opened');
  });

  it('writes CSV a spreadsheet reads as text: quoted where needed, never a formula', () => {
    const line = auditCsvLine({
      id: 1,
      at: '2026-07-01T08:30:05.000Z',
      actorId: 'c1',
      actorRole: 'contractor',
      who: 'Łukasz "Luke" Nowak (Nowak, Sons)',
      action: 'job.add_note',
      jobId: 'j1',
      jobReference: 'JOB-000011',
      detail: { text: '=HYPERLINK("http://evil.example")' },
    });
    expect(line).toBe(
      '2026-07-01 09:30:05,2026-07-01T08:30:05.000Z,"Łukasz ""Luke"" Nowak (Nowak, Sons)",contractor,job.add_note,JOB-000011,' +
        '"{""text"":""=HYPERLINK(\\""http://evil.example\\"")""}"',
    );
  });
});
