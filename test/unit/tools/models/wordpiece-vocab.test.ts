import { describe, expect, test } from '@jest/globals';
import { SPECIAL_TOKENS, loadTokenizer, tokenizerFiles } from '../../../../tools/models/tokenizer-files.js';
import { buildWordPieceVocab, countWords, createWordSplitter } from '../../../../tools/models/wordpiece-vocab.js';

const CORPUS = [
  'The cell divides by mitosis.',
  'Mitosis and meiosis: the cell cycle!',
  'Cells divide; the CELL wall holds.',
  'Meiosis halves the chromosomes of the cell.',
];

describe('WordPiece vocabulary', () => {
  test('words are split like the written tokenizer: lowercased, accents stripped, punctuation alone', () => {
    expect(createWordSplitter()('Café, déjà-vu!')).toEqual(['cafe', ',', 'deja', '-', 'vu', '!']);
  });

  test('specials first, then the alphabet with ## forms, then frequent words by count', () => {
    const vocab = buildWordPieceVocab(countWords(CORPUS, createWordSplitter()), { size: 80, minCharCount: 1 });
    expect(vocab.slice(0, 5)).toEqual([...SPECIAL_TOKENS]);
    expect(vocab).toContain('e');
    expect(vocab).toContain('##e');
    expect(vocab).toContain('cell');
    expect(vocab.indexOf('the')).toBeLessThan(vocab.indexOf('mitosis'));
    expect(new Set(vocab).size).toBe(vocab.length);
    expect(vocab.length).toBeLessThanOrEqual(80);
  });

  test('a small budget keeps whole words for the most frequent and pieces cover the rest', () => {
    const counts = countWords(CORPUS, createWordSplitter());
    const vocab = buildWordPieceVocab(counts, { size: 60, minCharCount: 1, wordShare: 0.5 });
    const tokenizer = loadTokenizer(tokenizerFiles(vocab));
    const tokens = tokenizer.encode('chromosomes', { add_special_tokens: false }).tokens;
    expect(tokens.join('').replace(/##/g, '')).toBe('chromosomes');
    expect(tokens).not.toContain('[UNK]');
  });

  test('the same corpus always gives the same vocabulary', () => {
    const build = () => buildWordPieceVocab(countWords(CORPUS, createWordSplitter()), { size: 70, minCharCount: 1 });
    expect(build()).toEqual(build());
  });
});
