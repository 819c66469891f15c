// The emergency rules of a tenant's repair report: deterministic, in order, the gas instruction first.
import { describe, expect, it } from 'vitest';
import {
  assessReport,
  FIRST_AID,
  GAS_EMERGENCY_NUMBER,
  isHeatingSeason,
  NO_FACTS,
  REPORT_CATEGORIES,
  ukMonthOf,
} from '#workflows/report-rules.ts';

const JANUARY = 1;
const JULY = 7;

describe('assessReport', () => {
  it('makes a gas smell an emergency whose first instruction is to leave and call 0800 111 999', () => {
    const a = assessReport('gas', NO_FACTS, JULY);
    expect(a).toMatchObject({ emergency: true, reason: 'Gas smell reported', suggestedPriority: 'P1' });
    expect(a.firstInstruction).toMatch(
      /^Leave the property now and call the National Gas Emergency number 0800 111 999/,
    );
    expect(FIRST_AID.gas[0]).toContain(GAS_EMERGENCY_NUMBER);
  });

  it('puts the gas rule before every other rule', () => {
    const all = { vulnerable: true, noHeat: true, uncontainedWater: true, noPower: true, insecure: true };
    expect(assessReport('gas', all, JANUARY).reason).toBe('Gas smell reported');
    expect(assessReport('leak', all, JANUARY).reason).toBe('Water coming in that cannot be stopped');
  });

  it('flags uncontained water, no power and an insecure home as emergencies in any month', () => {
    for (const month of [JANUARY, JULY]) {
      expect(assessReport('leak', { ...NO_FACTS, uncontainedWater: true }, month).emergency).toBe(true);
      expect(assessReport('electrics', { ...NO_FACTS, noPower: true }, month).reason).toBe(
        'No electricity in the home',
      );
      expect(assessReport('locks', { ...NO_FACTS, insecure: true }, month).reason).toBe(
        'The property cannot be secured',
      );
    }
  });

  it('makes no heat an emergency only in winter for a vulnerable household', () => {
    const cold = { ...NO_FACTS, noHeat: true, vulnerable: true };
    expect(assessReport('heating', cold, JANUARY)).toMatchObject({
      emergency: true,
      reason: 'No heating in winter for a vulnerable household',
    });
    expect(assessReport('heating', cold, JULY)).toMatchObject({ emergency: false, suggestedPriority: 'P2' });
    expect(assessReport('heating', { ...NO_FACTS, noHeat: true }, JANUARY)).toMatchObject({
      emergency: false,
      suggestedPriority: 'P2',
    });
  });

  it('suggests urgent for leaks, heating, electrics and locks, routine otherwise', () => {
    expect(assessReport('leak', NO_FACTS, JULY).suggestedPriority).toBe('P2');
    expect(assessReport('damp', NO_FACTS, JULY)).toEqual({
      emergency: false,
      reason: null,
      suggestedPriority: 'P3',
      firstInstruction: null,
    });
  });

  it('gives every category first aid', () => {
    for (const c of REPORT_CATEGORIES) expect(FIRST_AID[c].length).toBeGreaterThan(0);
  });
});

describe('winter', () => {
  it('runs October to April by the UK month, which turns at UK midnight', () => {
    expect([1, 2, 3, 4, 10, 11, 12].every(isHeatingSeason)).toBe(true);
    expect([5, 6, 7, 8, 9].some(isHeatingSeason)).toBe(false);
    // 23:30 UTC on 30 September is 00:30 on 1 October in London (BST).
    expect(ukMonthOf(new Date('2026-09-30T23:30:00Z'))).toBe(10);
    expect(ukMonthOf(new Date('2026-09-30T22:30:00Z'))).toBe(9);
  });
});
