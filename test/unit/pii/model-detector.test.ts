// The token-classification adapter: label mapping and joining the pieces of one entity.
import { describe, expect, test } from '@jest/globals';
import { modelDetector, tokensToSpans } from '../../../src/pii/model-detector.js';
import { parseLabel } from '../../../src/pii/model-labels.js';

describe('label mapping', () => {
  test.each([
    ['B-PER', 'PERSON', true],
    ['I-PER', 'PERSON', false],
    ['PERSON', 'PERSON', false],
    ['B-EMAIL', 'EMAIL_ADDRESS', true],
    ['I-PHONE_NUMBER', 'PHONE_NUMBER', false],
    ['TELEPHONENUM', 'PHONE_NUMBER', false],
    ['B-LOC', 'STREET_ADDRESS', true],
    ['ADDRESS', 'STREET_ADDRESS', false],
    ['S-ORG', 'ORGANIZATION', true],
    ['creditcardnumber', 'CREDIT_CARD', false],
    ['B-SSN', 'US_SSN', true],
    ['E-IBAN', 'IBAN_CODE', false],
    ['b-misc', 'MISC', true],
    ['medical_record', 'MEDICAL_RECORD', false],
  ])('%s → %s', (label, type, begins) => expect(parseLabel(label)).toEqual({ type, begins }));

  test('O and empty labels are no entity; extra mappings override', () => {
    expect(parseLabel('O')).toBeUndefined();
    expect(parseLabel('')).toBeUndefined();
    expect(parseLabel('B-MISC', { MISC: 'NRP' })).toEqual({ type: 'NRP', begins: true });
  });
});

describe('tokensToSpans', () => {
  const text = 'Ask Anna Maria Lopez at Acme Corp in Paris.';
  const tok = (word: string, label: string, score = 0.9, from = 0) => {
    const start = text.indexOf(word, from);
    return { label, start, end: start + word.length, score };
  };

  test('joins B-/I- pieces across single spaces and averages their scores', () => {
    const spans = tokensToSpans(text, [
      tok('Anna', 'B-PER', 1),
      tok('Maria', 'I-PER', 0.8),
      tok('Lopez', 'I-PER', 0.9),
      tok('at', 'O'),
      tok('Acme', 'B-ORG'),
      tok('Corp', 'I-ORG'),
      tok('Paris', 'B-LOC', 0.7),
    ]);
    expect(spans.map((s) => [s.type, s.text, Number(s.score.toFixed(2)), s.source])).toEqual([
      ['PERSON', 'Anna Maria Lopez', 0.9, 'model'],
      ['ORGANIZATION', 'Acme Corp', 0.9, 'model'],
      ['STREET_ADDRESS', 'Paris', 0.7, 'model'],
    ]);
  });

  test('a B- tag after a space starts a new entity; word pieces with no gap join', () => {
    const pieces = [
      { label: 'B-PER', start: 4, end: 6, score: 0.9 }, // "An"
      { label: 'B-PER', start: 6, end: 8, score: 0.9 }, // "na" (word piece, no gap)
      { label: 'B-PER', start: 9, end: 14, score: 0.9 }, // "Maria": new entity
    ];
    expect(tokensToSpans(text, pieces).map((s) => s.text)).toEqual(['Anna', 'Maria']);
  });

  test('offsets outside the text are clamped or dropped; tokens arrive in any order', () => {
    const spans = tokensToSpans('Paris', [
      { label: 'LOC', start: 3, end: 99, score: 0.5 },
      { label: 'LOC', start: -5, end: 0, score: 0.5 },
      { label: 'LOC', start: Number.NaN, end: 2, score: 0.5 },
    ]);
    expect(spans.map((s) => [s.start, s.end, s.text])).toEqual([[3, 5, 'is']]);
  });

  test('modelDetector propagates a classifier failure (the detector contains it)', async () => {
    const failing = modelDetector({ tokens: () => Promise.reject(new Error('no session')) });
    await expect(failing.detect('x')).rejects.toThrow('no session');
  });
});
