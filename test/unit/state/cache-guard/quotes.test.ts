import { describe, expect, it } from '@jest/globals';
import { quotesRule } from '../../../../src/state/cache-guard/quotes.js';
import { ruleCheck } from './check.js';

const check = ruleCheck(quotesRule);

describe('quotes rule', () => {
  it.each([
    ['double quotes', 'Translate "good morning" to German', 'Translate "good night" to German'],
    ['single quotes', "What does 'carpe diem' mean?", "What does 'carpe noctem' mean?"],
    ['typographic quotes', 'Translate “thank you” into French', 'Translate “thank you very much” into French'],
    ['guillemets', 'Que veut dire «bonjour» ?', 'Que veut dire «bonsoir» ?'],
    ['a quote only one side has', 'Count the letters in "banana"', 'Count the letters'],
    ['a quote repeated (multiset)', 'Is "a" before "a"?', 'Is "a" before "b"?'],
  ])('rejects %s', (_, a, b) => {
    expect(check(a, b)).toBeDefined();
    expect(check(b, a)).toBeDefined();
  });

  it.each([
    ['case and spacing', 'Translate "Good  Morning" to German', 'translate "good morning" into german'],
    ['different quote marks', 'Translate "good morning"', 'Translate “good morning”'],
    ['apostrophes are not quotes', "I don't know what the dogs' bowls are", 'I do not know what the dogs bowls are'],
    ['no quotes', 'What is a haiku?', 'Explain haiku poems'],
  ])('accepts %s', (_, a, b) => {
    expect(check(a, b)).toBeUndefined();
    expect(check(b, a)).toBeUndefined();
  });
});
