import { describe, expect, it } from '@jest/globals';
import type { RuleNode } from '../../../src/config/schema.js';
import { evaluateRule, ruleSignalNames } from '../../../src/routing/rules.js';
import type { SignalResult } from '../../../src/signals/types.js';

const signals = new Map<string, SignalResult>([
  ['a', { matched: true, confidence: 0.8 }],
  ['b', { matched: true, confidence: 0.4 }],
  ['c', { matched: false, confidence: 0.3 }],
  ['failed', { matched: false, confidence: 0, error: 'timeout' }],
]);

describe('evaluateRule', () => {
  it.each<[string, RuleNode, boolean, number]>([
    ['a signal', 'a', true, 0.8],
    ['an unmatched signal', 'c', false, 0],
    ['a signal that failed', 'failed', false, 0],
    ['a signal nobody computed', 'unknown', false, 0],
    ['empty AND always matches', { all: [] }, true, 1],
    ['empty OR never matches', { any: [] }, false, 0],
    ['AND = mean', { all: ['a', 'b'] }, true, 0.6],
    ['AND with a miss', { all: ['a', 'c'] }, false, 0],
    ['OR = max of the matching', { any: ['b', 'a', 'c'] }, true, 0.8],
    ['NOT of a miss', { not: ['c'] }, true, 1],
    ['NOT of a match', { not: ['a'] }, false, 0],
    ['NOT of an AND that misses', { not: [{ all: ['a', 'c'] }] }, true, 1],
    ['nested', { all: ['a', { any: ['c', { not: ['c'] }] }] }, true, 0.9],
  ])('%s', (_name, rule, matched, confidence) => {
    const r = evaluateRule(rule, signals);
    expect(r.matched).toBe(matched);
    expect(r.confidence).toBeCloseTo(confidence);
  });

  it('collects the signal names a tree reads', () => {
    expect([...ruleSignalNames({ all: ['a', { any: ['b', { not: ['c'] }] }, 'a'] })]).toEqual(['a', 'b', 'c']);
  });
});
