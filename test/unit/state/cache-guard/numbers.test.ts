import { describe, expect, it } from '@jest/globals';
import { numbersRule } from '../../../../src/state/cache-guard/numbers.js';
import { ruleCheck } from './check.js';

const check = ruleCheck(numbersRule({ numberWords: true }));

describe('numbers rule', () => {
  it.each([
    ['a different count', 'Give me 3 tips', 'Give me 10 tips'],
    ['a different percentage', 'What is 5% of 200?', 'What is 7% of 200?'],
    ['units swapped between the numbers', 'Convert 10 km to miles', 'Convert 10 miles to km'],
    ['a unit word not next to a number', 'Convert 10 km to miles', 'Convert 10 km to feet'],
    ['one number more', 'Add 2 and 3', 'Add 2 and 3 and 4'],
    ['a repeated number (multiset)', 'Is 7 times 7 49?', 'Is 7 times 49?'],
    ['a negative number', 'What is -5 squared?', 'What is 5 squared?'],
    ['a currency', 'Convert $100 to yen', 'Convert €100 to yen'],
    ['a decimal', 'Is 3.5 bigger than 3?', 'Is 3.25 bigger than 3?'],
    ['a number word against another value', 'Give me ten tips', 'Give me 12 tips'],
    ['a scale word', 'What is 2 million divided by 4?', 'What is 2 thousand divided by 4?'],
    ['an ordinal', 'Who was the third president?', 'Who was the fourth president?'],
    ['a temperature scale', 'Is 30°C hot?', 'Is 30°F hot?'],
    ['a plain 1 against a 2', 'Which one of these 2 is older?', 'Which 2 of these 3 are older?'],
    ['another operation', '23 minus 42', 'What is 23 divided by 42?'],
    ['an operation sign against a word', 'Calculate 56 - 7', 'What is 56 times 7?'],
  ])('rejects %s', (_, a, b) => {
    expect(check(a, b)).toBeDefined();
    expect(check(b, a)).toBeDefined();
  });

  it.each([
    ['spacing', 'Convert 10 km to miles', 'convert 10km to miles'],
    ['number words and unit spellings', 'Convert 10 km to miles', 'Convert ten kilometres into miles'],
    ['percent written out', 'What is 5% of 200?', 'what is 5 percent of 200'],
    ['per cent in two words', 'What is 5% of 200?', 'what is 5 per cent of 200'],
    ['thousands separators', 'Is 1,000 bigger than 999?', 'Is 1000 bigger than 999?'],
    ['trailing zeros', 'Split $3.50 three ways', 'Split $3.5 3 ways'],
    ['a currency word', 'Convert $100 to yen', 'Convert 100 dollars to yen'],
    ['compound number words', 'Is twenty-one prime?', 'Is 21 prime?'],
    ['scale words', 'What is two hundred thousand plus 1?', 'What is 200000 plus 1?'],
    ['a lone "one" as a pronoun', 'Which one is better, tea or coffee?', 'Which is better, tea or coffee?'],
    ['a lone "one" as a plain 1', 'Add one and 2', 'Add 1 and 2'],
    ['ordinals written both ways', 'Who was the 3rd president?', 'Who was the third president?'],
    ['the same numbers reworded', 'What is 10 divided by 2?', '10 / 2 = ?'],
    ['no numbers at all', 'How do I reset my password?', 'password reset steps'],
    ['a hyphen between numbers is no minus', 'Pick a number 5-10', 'Pick a number 5 - 10'],
    ['an operation as a sign and as a word', 'Calculate 365 - 11', 'Subtract 11 from 365'],
    ['an operation named on one side only', 'What do you get when you take 7 away from 120?', '120 minus 7'],
    ['operation words without numbers', 'Is it less work to rent?', 'Is renting less work?'],
  ])('accepts %s', (_, a, b) => {
    expect(check(a, b)).toBeUndefined();
    expect(check(b, a)).toBeUndefined();
  });

  it('reads number words only when asked to', () => {
    const digitsOnly = ruleCheck(numbersRule({ numberWords: false }));
    expect(digitsOnly('Give me ten tips', 'Give me 10 tips')).toBeDefined();
    expect(digitsOnly('Give me ten tips', 'Give me twelve tips')).toBeUndefined();
  });

  it('names what differs', () => {
    expect(check('Convert 10 km to miles', 'Convert 10 miles to km')).toBe('numbers differ: 10 km / 10 mi');
  });
});
