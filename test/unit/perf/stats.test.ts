import { describe, expect, test } from '@jest/globals';
import { addedLatency, percentile, summarize } from '../../../perf/stats.js';

describe('percentile', () => {
  test.each([
    [50, 51],
    [90, 91],
    [99, 100],
    [0, 1],
    [100, 100],
  ])('p%s of 1..100 is %s', (p, want) => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, p)).toBe(want);
  });
  test('an empty set has no percentile', () => {
    expect(percentile(new Float64Array(0), 50)).toBeNaN();
  });
});

describe('summarize', () => {
  test('sorts numerically (not as strings) and reports the tail', () => {
    const s = summarize([10, 9, 100, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.count).toBe(11);
    expect(s.p50).toBe(6);
    expect(s.max).toBe(100);
    expect(s.p999).toBe(100);
    expect(s.mean).toBeCloseTo(155 / 11);
  });
  test('added latency is semroute minus floor per quantile', () => {
    const floor = summarize([1, 2, 3, 4]);
    const sem = summarize([2, 4, 6, 8]);
    expect(addedLatency(sem, floor)).toEqual({ p50: 3, p90: 4, p99: 4, p999: 4 });
  });
});
