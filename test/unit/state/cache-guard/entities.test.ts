import { describe, expect, it } from '@jest/globals';
import { entitiesRule } from '../../../../src/state/cache-guard/entities.js';
import { ruleCheck } from './check.js';

const check = ruleCheck(entitiesRule({ sentenceStart: true }));

describe('entities rule', () => {
  it.each([
    ['a different city', 'Is Paris bigger than Lyon?', 'Is Rome bigger than Lyon?'],
    ['a name at the sentence start', 'Paris is bigger than Rome?', 'Lyon is bigger than Rome?'],
    ['an acronym', 'When was NASA founded?', 'When was ESA founded?'],
    ['letters with digits', 'What is the price of an H100?', 'What is the price of an A100?'],
    ['a mixed-case name', 'How do I reset my iPhone?', 'How do I reset my iPad?'],
    ['a name only one side has', 'Best restaurants in Berlin', 'Best restaurants'],
    ['a name after a line break', 'Tell me about\nMadrid', 'Tell me about\nLisbon'],
  ])('rejects %s', (_, a, b) => {
    expect(check(a, b)).toBeDefined();
    expect(check(b, a)).toBeDefined();
  });

  it.each([
    ['the same name in lower case', 'What are your opening hours on Sunday?', 'what are your opening hours on sunday'],
    ['a name moved to the sentence start', 'Is Paris big?', 'Paris: is it big?'],
    ['a possessive', "What is Paris's population?", 'What is the population of Paris?'],
    ['a common word at the sentence start', 'Explain photosynthesis', 'Describe photosynthesis'],
    ['the pronoun I', 'How do I get a refund?', 'how can i get a refund'],
    ['no names', 'is chocolate safe for dogs', 'can dogs eat chocolate'],
  ])('accepts %s', (_, a, b) => {
    expect(check(a, b)).toBeUndefined();
    expect(check(b, a)).toBeUndefined();
  });

  it('judges capitalised first words only with sentence_start', () => {
    const off = ruleCheck(entitiesRule({ sentenceStart: false }));
    expect(off('Paris is bigger than Rome?', 'Lyon is bigger than Rome?')).toBeUndefined();
    expect(off('Is Paris bigger than Lyon?', 'Is Rome bigger than Lyon?')).toBeDefined();
  });
});
