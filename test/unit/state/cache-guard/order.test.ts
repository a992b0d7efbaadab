import { describe, expect, it } from '@jest/globals';
import { bigramDice, orderRule } from '../../../../src/state/cache-guard/order.js';
import { ruleCheck } from './check.js';

const check = ruleCheck(orderRule({ minOverlap: 0.5, minSharedWords: 3 }));

describe('order rule', () => {
  it.each([
    ['operands swapped', '10 divided by 2', '2 divided by 10'],
    ['a comparison reversed', 'Is Paris bigger than Rome?', 'Is Rome bigger than Paris?'],
    ['subject and object swapped', 'Did Caesar kill Brutus?', 'Did Brutus kill Caesar?'],
    ['units swapped', 'Convert km to miles', 'Convert miles to km'],
    // Unspaced scripts are read a character at a time.
    ['Chinese characters reordered', '猫比狗大吗', '狗比猫大吗'],
  ])('rejects %s', (_, a, b) => {
    expect(check(a, b)).toBeDefined();
    expect(check(b, a)).toBeDefined();
  });

  it.each([
    ['a clause moved', 'On Sunday, what are your opening hours?', 'What are your opening hours on Sunday?'],
    ['words added and dropped', 'What is 10 divided by 2?', '10 divided by 2, please'],
    ['a rewording that shares few words', 'Can dogs eat chocolate?', 'Is chocolate safe for dogs?'],
    ['case and punctuation', 'How do I get a refund for my order?', 'how do i get a refund for my order'],
  ])('accepts %s', (_, a, b) => {
    expect(check(a, b)).toBeUndefined();
    expect(check(b, a)).toBeUndefined();
  });

  it('bounds are parameters', () => {
    const lenient = ruleCheck(orderRule({ minOverlap: 0.3, minSharedWords: 3 }));
    expect(lenient('10 divided by 2', '2 divided by 10')).toBeUndefined();
    const strict = ruleCheck(orderRule({ minOverlap: 0.5, minSharedWords: 5 }));
    expect(strict('10 divided by 2', '2 divided by 10')).toBeUndefined();
  });

  it('bigram overlap is a multiset Dice coefficient', () => {
    expect(bigramDice([0, 1, 2], [0, 1, 2])).toBe(1);
    expect(bigramDice([0, 1, 0, 1], [0, 1])).toBeCloseTo(0.5);
    expect(bigramDice([0], [0])).toBe(1);
  });
});
