// The portal's upload retry schedule: exponential from the base, capped, with bounded jitter.
import { describe, expect, it } from 'vitest';
import { backoff } from '#lib/upload.ts';

describe('upload backoff', () => {
  it('doubles from the base delay and stops growing at 15 s', () => {
    const mid = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 5, 6].map((n) => backoff(n, 1000, mid))).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000]);
  });

  it('jitters within ±20 % so phones that lost signal together do not retry together', () => {
    expect(backoff(3, 1000, () => 0)).toBe(3200);
    expect(backoff(3, 1000, () => 0.999999)).toBeCloseTo(4800, 0);
  });
});
