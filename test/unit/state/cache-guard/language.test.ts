import { describe, expect, it } from '@jest/globals';
import { languageRule } from '../../../../src/state/cache-guard/language.js';
import { ruleCheck } from './check.js';

const check = ruleCheck(languageRule);

describe('language rule', () => {
  it.each([
    ['English / French', 'What is the capital of France?', 'Quelle est la capitale de la France ?'],
    ['English / German', 'How do I reset my password?', 'Wie kann ich mein Passwort zurücksetzen?'],
    ['Spanish / Portuguese', '¿Cuál es la capital de Francia?', 'Qual é a capital da França?'],
    ['Latin / Cyrillic script', 'What is the capital of Russia?', 'Какая столица России?'],
    ['Chinese / Japanese', '日本的首都是哪里？', '日本の首都はどこですか？'],
  ])('rejects %s', (_, a, b) => {
    expect(check(a, b)).toBeDefined();
    expect(check(b, a)).toBeDefined();
  });

  it.each([
    ['the same language', 'What is the capital of France?', 'tell me the capital city of france'],
    ['a text too short to tell', 'What is the capital of France?', 'France capital?'],
    ['code against prose', 'What does x = y do in Python?', 'x = y python'],
  ])('accepts %s', (_, a, b) => {
    expect(check(a, b)).toBeUndefined();
    expect(check(b, a)).toBeUndefined();
  });
});
