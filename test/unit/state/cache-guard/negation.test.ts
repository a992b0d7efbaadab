import { describe, expect, it } from '@jest/globals';
import { negationRule } from '../../../../src/state/cache-guard/negation.js';
import { ruleCheck } from './check.js';

const check = ruleCheck(negationRule({ prefixes: true }));

describe('negation rule', () => {
  it.each([
    ['"not"', 'Is chocolate safe for dogs?', 'Is chocolate not safe for dogs?'],
    ['a contraction', 'Should I restart the server?', "Shouldn't I restart the server?"],
    ['a typographic apostrophe', 'Can dogs eat grapes?', 'Can’t dogs eat grapes?'],
    ['"without"', 'Can I get a refund with a receipt?', 'Can I get a refund without a receipt?'],
    ['"except"', 'List the planets', 'List the planets except Earth'],
    ['"never"', 'Has it rained in the Atacama?', 'Has it never rained in the Atacama?'],
    ['a double negation (counted, not cancelled)', 'Is it safe?', 'Is it not unsafe?'],
    ['a negating prefix', 'Is chocolate safe for dogs?', 'Is chocolate unsafe for dogs?'],
    ['"il-"', 'Is it legal to park here?', 'Is it illegal to park here?'],
    ['"-less"', 'Is the snake harmful?', 'Is the snake harmless?'],
    ['German "nicht"', 'Ist das sicher?', 'Ist das nicht sicher?'],
  ])('rejects %s', (_, a, b) => {
    expect(check(a, b)).toBeDefined();
    expect(check(b, a)).toBeDefined();
  });

  it.each([
    ['a contraction written out', "Isn't chocolate bad for dogs?", 'Is chocolate not bad for dogs?'],
    ['no negation either side', 'Is chocolate safe for dogs?', 'can dogs safely eat chocolate'],
    ['a prefixed word in both', 'Why is it unsafe?', 'Why is this unsafe?'],
    ['a word that only looks prefixed', 'How do I install it?', 'Steps to install it'],
    ['a short remainder ("into" is not "to")', 'Convert km into miles', 'Convert km to miles'],
  ])('accepts %s', (_, a, b) => {
    expect(check(a, b)).toBeUndefined();
    expect(check(b, a)).toBeUndefined();
  });

  it('checks prefixes only when asked to', () => {
    expect(ruleCheck(negationRule({ prefixes: false }))('Is chocolate safe?', 'Is chocolate unsafe?')).toBeUndefined();
  });
});
