import { describe, expect, it } from '@jest/globals';
import { eligibilityWhy, semanticEligibility } from '../../../src/pipeline/cache-eligibility.js';
import { bagEmbedder } from '../../helpers/bag-embedder.js';

const embedder = bagEmbedder(8);
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

describe('semanticEligibility', () => {
  it('lets a text inside the embedding window be matched semantically', () => {
    expect(semanticEligibility(embedder, words(5), 1000)).toEqual({ kind: 'eligible', tokens: 7, window: 8 });
  });

  it('matches a text that fills the window by exact key only (a full window may be a cut one)', () => {
    expect(semanticEligibility(embedder, words(6), 1000)).toEqual({ kind: 'over_window', tokens: 8, window: 8 });
    expect(semanticEligibility(embedder, words(50), 1000).kind).toBe('over_window');
    expect(eligibilityWhy(semanticEligibility(embedder, words(50), 1000))).toMatch(/fills the embedding window \(8 of 8 tokens\)/);
  });

  it('matches a text over max_text_chars by exact key only, before tokenizing it', () => {
    expect(semanticEligibility(embedder, 'x'.repeat(11), 10)).toEqual({ kind: 'too_long', chars: 11, maxChars: 10 });
  });

  it('has nothing to match without an embedder or a text', () => {
    expect(semanticEligibility(undefined, 'hello', 1000)).toEqual({ kind: 'none' });
    expect(semanticEligibility(embedder, '', 1000)).toEqual({ kind: 'none' });
    expect(eligibilityWhy({ kind: 'eligible', tokens: 1, window: 8 })).toBeUndefined();
  });
});
