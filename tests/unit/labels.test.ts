// Timeline wording: a fired SLA warning says how much of the SLA window had gone.
import { describe, expect, test } from 'vitest';
import { slaWarningTitle } from '#lib/labels.ts';

describe('slaWarningTitle', () => {
  test('names the percentage the event carries', () => {
    expect(slaWarningTitle({ key: 'initial:2026-01-01T00:00:00.000Z:warn90', percent: 90 })).toBe(
      'SLA warning: 90 % of the time used',
    );
  });

  test('reads it from the deadline key on events recorded before they carried it', () => {
    expect(slaWarningTitle({ key: 'recall:2026-01-01T00:00:00.000Z:warn75' })).toBe(
      'SLA warning: 75 % of the time used',
    );
  });

  test('says just "SLA warning" when neither has it', () => {
    expect(slaWarningTitle({})).toBe('SLA warning');
  });
});
