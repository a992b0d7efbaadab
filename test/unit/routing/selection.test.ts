import { describe, expect, it } from '@jest/globals';
import type { ModelConfig } from '../../../src/config/schema.js';
import { selectCandidate, type Candidate } from '../../../src/routing/selection.js';

function candidate(name: string, over: Partial<ModelConfig> = {}, weight = 1): Candidate {
  return {
    config: { model: name, weight, reasoning: 'default' },
    model: { name, endpoints: [], api: ['chat', 'completions'], reasoning_family: 'none', tags: [], ...over },
  };
}

const ctx = { promptTokens: 1000, outputTokens: 0 };

describe('selectCandidate', () => {
  const small = candidate('small', { max_context_tokens: 8192, cost_per_million_tokens: { input: 0.1, output: 0.4 }, tags: ['fast'] });
  const big = candidate('big', { max_context_tokens: 131072, cost_per_million_tokens: { input: 1, output: 3 }, tags: ['long'] });
  const mid = candidate('mid', { max_context_tokens: 32768, cost_per_million_tokens: { input: 0.2, output: 0.3 } });

  it('first: the first listed candidate that fits', () => {
    expect(selectCandidate([small, big], 'first', [], ctx)!.candidate.model.name).toBe('small');
    expect(selectCandidate([small, big], 'first', [], { promptTokens: 20_000, outputTokens: 0 })!.candidate.model.name).toBe('big');
  });

  it('counts the requested output tokens against the context', () => {
    const s = selectCandidate([small, big], 'first', [], { promptTokens: 7000, outputTokens: 2000 })!;
    expect(s.candidate.model.name).toBe('big');
    expect(s.reason).toContain('1 candidate(s) too small');
  });

  it('falls back to the largest context when nothing fits', () => {
    const s = selectCandidate([small, mid], 'cheapest', [], { promptTokens: 500_000, outputTokens: 0 })!;
    expect(s.candidate.model.name).toBe('mid');
    expect(s.reason).toMatch(/no candidate fits/);
  });

  it('require_tags skips candidates without the tags', () => {
    expect(selectCandidate([small, big], 'first', ['long'], ctx)!.candidate.model.name).toBe('big');
  });

  it('cheapest: the lowest expected price for this request', () => {
    // 1000 prompt tokens, 256 assumed output: small 0.1*1000+0.4*256 < mid 0.2*1000+0.3*256.
    expect(selectCandidate([big, mid, small], 'cheapest', [], ctx)!.candidate.model.name).toBe('small');
    // A long answer makes the low output price of mid win: 0.1*1000+0.4*8000=3300 > 0.2*1000+0.3*8000=2600.
    expect(selectCandidate([big, small, mid], 'cheapest', [], { promptTokens: 1000, outputTokens: 6000 })!.candidate.model.name).toBe('mid');
  });

  it('weighted: shares follow the weights', () => {
    const a = candidate('a', {}, 3);
    const b = candidate('b', {}, 1);
    expect(selectCandidate([a, b], 'weighted', [], { ...ctx, random: () => 0.74 })!.candidate.model.name).toBe('a');
    expect(selectCandidate([a, b], 'weighted', [], { ...ctx, random: () => 0.76 })!.candidate.model.name).toBe('b');
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    let countA = 0;
    for (let i = 0; i < 4000; i++) if (selectCandidate([a, b], 'weighted', [], { ...ctx, random })!.candidate.model.name === 'a') countA++;
    expect(countA / 4000).toBeGreaterThan(0.72);
    expect(countA / 4000).toBeLessThan(0.78);
  });

  it('least_loaded: fewest in flight, first on a tie', () => {
    const load = new Map([['small', 3], ['mid', 1], ['big', 1]]);
    const s = selectCandidate([small, big, mid], 'least_loaded', [], { ...ctx, load: (m) => load.get(m) ?? 0 })!;
    expect(s.candidate.model.name).toBe('big');
    expect(s.reason).toContain('1 in flight');
  });

  it('no candidates: undefined', () => {
    expect(selectCandidate([], 'first', [], ctx)).toBeUndefined();
  });
});
