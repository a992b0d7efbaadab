import { describe, expect, it } from '@jest/globals';
import { InflightTracker } from '../../../src/routing/load.js';

describe('InflightTracker', () => {
  it('counts per model and each end counts once', () => {
    const t = new InflightTracker();
    const a1 = t.begin('a');
    const a2 = t.begin('a');
    t.begin('b');
    expect([t.get('a'), t.get('b'), t.get('c')]).toEqual([2, 1, 0]);
    a1();
    a1();
    expect(t.get('a')).toBe(1);
    a2();
    expect(t.get('a')).toBe(0);
  });
});
