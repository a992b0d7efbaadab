import { describe, expect, it } from '@jest/globals';
import { directionRule } from '../../../../src/state/cache-guard/direction.js';
import { ruleCheck } from './check.js';

const check = ruleCheck(directionRule);

describe('direction rule', () => {
  it.each([
    ['more / less', 'Which costs more, tea or coffee?', 'Which costs less, tea or coffee?'],
    ['greater / fewer', 'Count the rows with greater than 5 items', 'Count the rows with fewer than 5 items'],
    ['above / below', 'Is 30 above the limit?', 'Is 30 below the limit?'],
    ['at least / at most', 'Pick at least 3 books', 'Pick at most 3 books'],
    ['increase / decrease, inflected', 'How do I increase my credit score?', 'How do I lower my credit score?'],
    ['increasing / decreasing', 'Sort by increasing price', 'Sort by decreasing price'],
    ['to / from a place', 'Flights to Paris on Friday', 'Flights from Paris on Friday'],
    ['to / from an account', 'Transfer $100 to my savings', 'Transfer $100 from my savings'],
    ['before / after', 'Should I stretch before running?', 'Should I stretch after running?'],
    ['buy / sell', 'When should I buy bitcoin?', 'When should I sell bitcoin?'],
    ['encode / decode', 'How do I encode a URL in Python?', 'How do I decode a URL in Python?'],
    ['add / remove', 'How do I add a git remote?', 'How do I remove a git remote?'],
    ['start / stop', 'How do I start the server?', 'How do I stop the server?'],
    ['ascending / descending', 'Sort the list in ascending order', 'Sort the list in descending order'],
  ])('rejects %s', (_, a, b) => {
    expect(check(a, b)).toBeDefined();
    expect(check(b, a)).toBeDefined();
  });

  it.each([
    ['synonyms on the same side', 'Which is bigger, the sun or the moon?', 'Which is larger, the sun or the moon?'],
    ['"to" as the infinitive marker', 'How do I reset my password?', 'How to reset my password'],
    ['"to" against no direction word', 'Send the file to the server', 'Send the file'],
    ['one side only in one text', 'Give me more examples', 'Give me examples'],
    ['both sides in one text', 'Convert from km to miles', 'Convert km to miles'],
    ['"into" and "to"', 'Convert 10 km to miles', 'convert 10 km into miles'],
    ['no direction words', 'What is the capital of France?', 'Capital city of France?'],
  ])('accepts %s', (_, a, b) => {
    expect(check(a, b)).toBeUndefined();
    expect(check(b, a)).toBeUndefined();
  });

  it('names the pair', () => {
    expect(check('Flights to Paris', 'Flights from Paris')).toBe('to / from: to vs from');
  });
});
