// The fleet simulator's engine model on the virtual clock: prefix reuse skips prefill, slots bound
// the batch (the rest wait, as vllm:num_requests_waiting reports), KV blocks are held while running.
import { describe, expect, it } from '@jest/globals';
import { VllmEngine } from '../../../src/dev/vllm-engine.js';
import { VirtualClock } from '../../../perf/fleet/clock.js';

const MODEL = { slots: 2, kvBlocks: 100, blockTokens: 16, charsPerToken: 4, prefillMsPerToken: 1, decodeMsPerToken: 10 };

function run(engine: VllmEngine, clock: VirtualClock, prompt: string, out: number) {
  const t = { first: -1, done: -1, cached: 0 };
  const seq = { cachedTokens: 0, onFirstToken: () => (t.first = clock.now), onDone: () => ((t.done = clock.now), (t.cached = seq.cachedTokens)) };
  engine.submit(prompt, out, seq);
  return t;
}

describe('VllmEngine', () => {
  it('prefills uncached tokens only: a repeated prefix skips its blocks', () => {
    const clock = new VirtualClock();
    const e = new VllmEngine(MODEL, clock.timer());
    const doc = 'x'.repeat(640); // 160 tokens = 10 blocks
    const a = run(e, clock, doc, 1);
    clock.run();
    expect(a.first).toBe(160);
    const b = run(e, clock, `${doc}${'y'.repeat(64)}`, 1);
    const t0 = clock.now;
    clock.run();
    expect(b.first - t0).toBe(16); // only the new block
    expect(b.cached).toBe(160);
    expect(e.hits / e.queries).toBeCloseTo(160 / 336);
  });

  it('runs at most `slots` sequences; the rest wait and are reported waiting', () => {
    const clock = new VirtualClock();
    const e = new VllmEngine(MODEL, clock.timer());
    for (let i = 0; i < 5; i++) run(e, clock, `${i}`.repeat(64), 4);
    expect(e.metrics()).toMatchObject({ running: 2, waiting: 3 });
    expect(e.metrics().kvUsage).toBeCloseTo(4 / 100);
    clock.run();
    expect(e.metrics()).toEqual({ running: 0, waiting: 0, kvUsage: 0 });
  });
});

describe('VirtualClock', () => {
  it('runs events in time order, ties in insertion order', () => {
    const c = new VirtualClock();
    const seen: string[] = [];
    c.at(5, () => seen.push('b'));
    c.at(1, () => seen.push('a'));
    c.at(5, () => seen.push('c'));
    c.at(3, () => c.after(1, () => seen.push('nested@4')));
    c.run();
    expect(seen).toEqual(['a', 'nested@4', 'b', 'c']);
    expect(c.now).toBe(5);
  });
});
