import { describe, expect, it } from '@jest/globals';
import { bigramDice, orderRule, pairOrderAgreement } from '../../../../src/state/cache-guard/order.js';
import { ruleCheck } from './check.js';

const check = ruleCheck(orderRule({ minOverlap: 0.5, minSharedWords: 3 }));

describe('order rule', () => {
  it.each([
    ['operands swapped', '10 divided by 2', '2 divided by 10'],
    ['a comparison reversed', 'Is Paris bigger than Rome?', 'Is Rome bigger than Paris?'],
    ['subject and object swapped', 'Did Caesar kill Brutus?', 'Did Brutus kill Caesar?'],
    ['units swapped', 'Convert km to miles', 'Convert miles to km'],
    ['a comparison of plain nouns reversed', 'Is a dog bigger than a cat?', 'Is a cat bigger than a dog?'],
    ['places swapped', "What's the best route from Boston to Oslo?", "What's the best route from Oslo to Boston?"],
    ['operands swapped with few words shared', 'Calculate 18 - 42', '42 minus 18'],
    ['names swapped across a rewording', 'Was Galileo born before Einstein?', 'Is it true that Einstein was older than Galileo?'],
    // Unspaced scripts are read a character at a time: numbers still swap.
    ['Chinese operands swapped', '10除以2', '2除以10'],
  ])('rejects %s', (_, a, b) => {
    expect(check(a, b)).toBeDefined();
    expect(check(b, a)).toBeDefined();
  });

  it.each([
    ['a clause moved', 'On Sunday, what are your opening hours?', 'What are your opening hours on Sunday?'],
    ['words added and dropped', 'What is 10 divided by 2?', '10 divided by 2, please'],
    ['a rewording that shares few words', 'Can dogs eat chocolate?', 'Is chocolate safe for dogs?'],
    ['a rewording that keeps the overall order', 'Is it safe to give chocolate to my cat?', 'Is chocolate safe for a cat?'],
    ['names in the same order', 'Was Beethoven born earlier than Mozart?', 'Is it true that Beethoven was older than Mozart?'],
    ['two names in a moved clause', "In Paris, what's the weather on Sunday?", "What's the weather on Sunday in Paris?"],
    ['case and punctuation', 'How do I get a refund for my order?', 'how do i get a refund for my order'],
  ])('accepts %s', (_, a, b) => {
    expect(check(a, b)).toBeUndefined();
    expect(check(b, a)).toBeUndefined();
  });

  it('bounds are parameters', () => {
    const lenient = ruleCheck(orderRule({ minOverlap: 0.3, minSharedWords: 3 }));
    expect(lenient('10 divided by 2', '2 divided by 10')).toBeUndefined();
    const fewWords = ruleCheck(orderRule({ minOverlap: 0.5, minSharedWords: 5 }));
    expect(fewWords('Is a dog bigger than a cat?', 'Is a cat bigger than a dog?')).toBeUndefined();
    // Swapped anchors reject however few words are shared.
    expect(fewWords('10 divided by 2', '2 divided by 10')).toBeDefined();
  });

  it('pair order agreement counts the pairs in the same order', () => {
    expect(pairOrderAgreement([0, 1, 2], [0, 1, 2], 3)).toBe(1);
    expect(pairOrderAgreement([0, 1, 2], [2, 1, 0], 3)).toBe(0);
    expect(pairOrderAgreement([0, 1, 2], [1, 0, 2], 3)).toBeCloseTo(2 / 3);
  });

  it('bigram overlap is a multiset Dice coefficient', () => {
    expect(bigramDice([0, 1, 2], [0, 1, 2])).toBe(1);
    expect(bigramDice([0, 1, 0, 1], [0, 1])).toBeCloseTo(0.5);
    expect(bigramDice([0], [0])).toBe(1);
  });
});
