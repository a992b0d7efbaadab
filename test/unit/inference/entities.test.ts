import { describe, expect, test } from '@jest/globals';
import { aggregateEntities, parseTag, type TokenPrediction } from '../../../src/inference/entities.js';

/** Builds predictions for whitespace-separated words of `text`; `##x` pieces continue a word. */
function preds(text: string, tagged: [piece: string, label: string, score?: number][]): TokenPrediction[] {
  let cursor = 0;
  return tagged.map(([piece, label, score]) => {
    const continuation = piece.startsWith('##');
    const surface = continuation ? piece.slice(2) : piece;
    const start = text.indexOf(surface, cursor);
    cursor = start + surface.length;
    return { label, score: score ?? 0.9, start, end: cursor, continuation };
  });
}

const spans = (text: string, tagged: [string, string, number?][]) => aggregateEntities(text, preds(text, tagged)).map((s) => [s.label, s.text]);

describe('parseTag', () => {
  test.each([
    ['O', 'O', ''],
    ['B-PER', 'B', 'PER'],
    ['I_LOC', 'I', 'LOC'],
    ['S-ORG', 'S', 'ORG'],
    ['U-ORG', 'S', 'ORG'],
    ['L-ORG', 'E', 'ORG'],
    ['EMAIL', 'I', 'EMAIL'],
  ])('%s', (label, prefix, type) => {
    expect(parseTag(label)).toEqual({ prefix, type });
  });
});

describe('aggregateEntities', () => {
  test('IOB2: B- starts, I- continues, O ends; scores are averaged', () => {
    const text = 'John Smith met Mary in Paris';
    const out = aggregateEntities(text, preds(text, [['John', 'B-PER', 0.8], ['Smith', 'I-PER', 0.6], ['met', 'O'], ['Mary', 'B-PER'], ['in', 'O'], ['Paris', 'B-LOC']]));
    expect(out).toEqual([
      { label: 'PER', start: 0, end: 10, score: expect.closeTo(0.7, 6), text: 'John Smith' },
      { label: 'PER', start: 15, end: 19, score: 0.9, text: 'Mary' },
      { label: 'LOC', start: 23, end: 28, score: 0.9, text: 'Paris' },
    ]);
  });

  test('I- without B- starts an entity; I- of another type starts a new one', () => {
    expect(spans('call Bob Paris now', [['call', 'O'], ['Bob', 'I-PER'], ['Paris', 'I-LOC'], ['now', 'O']])).toEqual([
      ['PER', 'Bob'],
      ['LOC', 'Paris'],
    ]);
  });

  test('B- after B- of the same type splits adjacent entities', () => {
    expect(spans('Ann Bob', [['Ann', 'B-PER'], ['Bob', 'B-PER']])).toEqual([
      ['PER', 'Ann'],
      ['PER', 'Bob'],
    ]);
  });

  test('## pieces join their word, whatever their own label', () => {
    expect(spans('Johnathan left', [['John', 'B-PER'], ['##ath', 'O'], ['##an', 'I-LOC'], ['left', 'O']])).toEqual([['PER', 'Johnathan']]);
  });

  test('## pieces of a word tagged O stay out', () => {
    expect(spans('unhappy Bob', [['un', 'O'], ['##happy', 'B-PER'], ['Bob', 'B-PER']])).toEqual([['PER', 'Bob']]);
  });

  test('BIOES: E- and S- close the entity', () => {
    expect(spans('New York City Bob Ann', [['New', 'B-LOC'], ['York', 'I-LOC'], ['City', 'E-LOC'], ['Bob', 'S-PER'], ['Ann', 'I-PER']])).toEqual([
      ['LOC', 'New York City'],
      ['PER', 'Bob'],
      ['PER', 'Ann'],
    ]);
  });

  test('tokens without an offset (special tokens) are skipped', () => {
    const text = 'Bob';
    const out = aggregateEntities(text, [
      { label: 'B-PER', score: 1, start: -1, end: -1, continuation: false },
      { label: 'B-PER', score: 1, start: 0, end: 3, continuation: false },
    ]);
    expect(out.map((s) => s.text)).toEqual(['Bob']);
  });
});
