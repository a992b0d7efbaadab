import { describe, expect, test } from '@jest/globals';
import { arrivalOffsets, mulberry32 } from '../../../perf/arrivals.js';

describe('arrivalOffsets', () => {
  test('uniform arrivals are evenly spaced at 1000/rate ms', () => {
    const t = arrivalOffsets(100, 1, 'uniform', mulberry32(1));
    expect(t.length).toBe(100);
    expect(t[1]! - t[0]!).toBeCloseTo(10);
    expect(t[99]).toBeCloseTo(990);
  });
  test('poisson arrivals average the rate, ascend, and stay inside the run', () => {
    const t = arrivalOffsets(1000, 10, 'poisson', mulberry32(7));
    expect(t.length).toBeGreaterThan(9700);
    expect(t.length).toBeLessThan(10300);
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThanOrEqual(t[i - 1]!);
    expect(t[t.length - 1]!).toBeLessThan(10_000);
  });
  test('the same seed gives the same schedule; another seed another', () => {
    const a = arrivalOffsets(500, 1, 'poisson', mulberry32(3));
    expect(arrivalOffsets(500, 1, 'poisson', mulberry32(3))).toEqual(a);
    expect(arrivalOffsets(500, 1, 'poisson', mulberry32(4))).not.toEqual(a);
  });
  test('a zero rate schedules nothing', () => {
    expect(arrivalOffsets(0, 5, 'uniform', mulberry32(1)).length).toBe(0);
  });
});
