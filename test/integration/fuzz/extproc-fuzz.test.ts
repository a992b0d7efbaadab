// The short run of the ext_proc fuzz harness (`make fuzz` runs 100,000 sequences): seeded valid and
// broken Envoy flows, hostile bodies and headers, every way a stream can end. Oracle in
// test/fuzz/driver.ts; here: no wrong answer, no hang, no leaked stream.
import { describe, expect, it } from '@jest/globals';
import { runFuzz } from '../../fuzz/run.js';

describe('ext_proc fuzz (short run)', () => {
  it('answers 2,000 seeded sequences correctly and releases every stream', async () => {
    const report = await runFuzz({ sequences: 2000, seed: 7, concurrency: 16, answerTimeoutMs: 10_000 });
    expect(report.violations.slice(0, 5)).toEqual([]);
    expect(report.leakedStreams).toBe(0);
  }, 180_000);
});
