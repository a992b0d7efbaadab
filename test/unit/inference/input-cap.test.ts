// The tokenizer's input cap: a text of any shape and length hands the tokenizer at most
// maxInputChars characters, and the tokens a model sees are those of the uncapped text
// (tokenized whole by the same real tokenizer, then truncated), or, for texts sparse in tokens
// (long runs of whitespace or [UNK] words), a prefix of them.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_INPUT_CHARS, MIN_INPUT_CHARS, safeCut, type CutRules } from '../../../src/inference/input-cap.js';
import { TextTokenizer } from '../../../src/inference/text-tokenizer.js';

const MODEL = 'models/domain-classifier';
const json = (f: string) => JSON.parse(readFileSync(path.join(MODEL, f), 'utf8')) as Record<string, unknown>;
const tokenizer = (maxLength: number, config: Record<string, unknown> = json('tokenizer_config.json')) => new TextTokenizer(json('tokenizer.json'), config, maxLength);
const t512 = tokenizer(512);

/** Tokenize the whole text (no cap, no prefix windows), then truncate as the tokenizer does. */
function uncapped(tok: TextTokenizer, text: string): number[] {
  const ids = tok.encodeFull(text).ids;
  return ids.length <= tok.maxLength ? ids : [...ids.slice(0, tok.maxLength - 1), ids[ids.length - 1]!];
}

/** Every text the tokenizer is handed while encoding `text`. */
function handedOver(tok: TextTokenizer, text: string): number[] {
  const seen: number[] = [];
  const original = tok.encodeFull.bind(tok);
  tok.encodeFull = (t: string) => {
    seen.push(t.length);
    return original(t);
  };
  try {
    tok.encode(text);
  } finally {
    delete (tok as { encodeFull?: unknown }).encodeFull;
  }
  return seen;
}

/** A deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const repeat = (unit: string, chars: number) => unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
const hex = (chars: number, seed = 1) => {
  const r = rng(seed);
  return Array.from({ length: chars }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
};

/** Random text from pieces that exercise every rule of the cut: separators, long words, marks, invisible characters, emoji, CJK, added-token literals. */
function mixed(chars: number, seed: number): string {
  const r = rng(seed);
  const pieces = ['the', 'Café', 'naïve', ' ', '  ', '\n', '.', ',', '!', '“q”', '中文', '😀', '👩‍💻', 'e\u0301', '\u200b', '\ufeff', 'İ', '한국어', '≠', '\u1fef', '[SEP]', '[CL', 'x'.repeat(99), 'y'.repeat(101), 'z'.repeat(250), hex(600, seed), '\t', 'a\u0301\u0301\u0301'];
  const out: string[] = [];
  let n = 0;
  while (n < chars) {
    const p = pieces[Math.floor(r() * pieces.length)]!;
    out.push(p);
    n += p.length;
  }
  return out.join('');
}

const FOUR_MB = 4 * 1024 * 1024;

/** 4 MB bodies' worth of text of every shape the request path must survive. */
const SHAPES: Array<[string, (chars: number) => string]> = [
  ['one word', (n) => repeat('a', n)],
  ['hex dump', (n) => hex(n)],
  ['base64', (n) => repeat('QUJDRGVmZ2hpams0NTY3ODkrLw==', n)],
  ['many words', (n) => repeat('lorem ipsum dolor sit amet, consectetur adipiscing elit. ', n)],
  ['all whitespace', (n) => repeat(' \n\t ', n)],
  ['all punctuation', (n) => repeat('!?.,;:', n)],
  ['multi-byte UTF-8', (n) => repeat('é', n)],
  ['emoji', (n) => repeat('😀', n)],
  ['CJK', (n) => repeat('中文字符', n)],
  ['minified JSON', (n) => repeat('{"k":[1,2,{"v":"x"}]},', n)],
  ['combining marks', (n) => `a${repeat('\u0301', n - 1)}`],
  ['invisible characters', (n) => repeat('\u200b', n)],
  ['mixed', (n) => mixed(n, 7).slice(0, n)],
];

describe('the tokenizer input cap', () => {
  it('is max_length tokens of at most 2 × (max_input_chars_per_word + 1) characters, within its floor and ceiling', () => {
    expect(t512.maxInputChars).toBe(510 * 202);
    expect(tokenizer(8).maxInputChars).toBe(MIN_INPUT_CHARS);
    expect(tokenizer(32_768).maxInputChars).toBe(MAX_INPUT_CHARS);
    expect(t512.inputReadLimit).toBeGreaterThan(t512.maxInputChars);
  });

  it.each(SHAPES)('hands the tokenizer at most maxInputChars of a 4 MB text (%s)', (_name, make) => {
    const text = make(FOUR_MB);
    const seen = handedOver(t512, text);
    expect(Math.max(...seen)).toBeLessThanOrEqual(t512.maxInputChars);
    // At most a first window and the capped text: sparse text jumps straight to the cap.
    expect(seen.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(t512.maxInputChars + 4 * t512.maxLength);
    expect(t512.encode(text).textChars).toBeLessThanOrEqual(t512.maxInputChars);
  });

  it.each(SHAPES)('depends only on the first inputReadLimit characters (%s)', (_name, make) => {
    const text = make(2 * t512.inputReadLimit);
    expect(t512.encode(text.slice(0, t512.inputReadLimit)).ids).toEqual(t512.encode(text).ids);
  });

  // Dense or uniform text: the first max_length tokens lie well within the cap, or the text is one
  // [UNK] word, whitespace, punctuation: the capped tokens are exactly the uncapped ones.
  const exact = SHAPES.filter(([name]) => name !== 'mixed');
  it.each(exact)('gives exactly the uncapped tokens past the cap (%s)', (_name, make) => {
    for (const maxLength of [8, 64, 512]) {
      const tok = tokenizer(maxLength);
      for (const chars of [tok.maxInputChars - 1, tok.maxInputChars, tok.maxInputChars + 1, tok.maxInputChars + 333, 2 * tok.maxInputChars + 17]) {
        const text = make(chars);
        expect(tok.encode(text).ids).toEqual(uncapped(tok, text));
      }
    }
  });

  it('gives exactly the uncapped tokens on random mixed text of many lengths', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const text = mixed(t512.maxInputChars + 2000 * seed, seed);
      expect(t512.encode(text).ids).toEqual(uncapped(t512, text));
      const short = text.slice(0, 300 * seed);
      expect(t512.encode(short).ids).toEqual(uncapped(t512, short));
    }
  });

  it('never changes a text that fits in the cap', () => {
    for (let seed = 1; seed <= 6; seed++) {
      for (const maxLength of [8, 512]) {
        const tok = tokenizer(maxLength);
        const text = mixed(tok.maxInputChars, seed).slice(0, tok.maxInputChars);
        expect(tok.cappedInput(text)).toBe(text);
        expect(tok.encode(text).ids).toEqual(uncapped(tok, text));
      }
    }
  });

  it('keeps a word that crosses the cap whole, or cuts it only when it is [UNK] either way', () => {
    // Sparse filler (100 [UNK] words of 999 characters, then spaces) puts the word crossing the
    // cap among the kept tokens, so a wrong cut would show.
    const H = t512.maxInputChars;
    const fillerWords = 100;
    const UNK = t512.encode('x'.repeat(500)).ids[1]!;
    for (const [word, wordTokens] of [['short', 0], ['x'.repeat(99), 0], ['x'.repeat(150), 0], ['x'.repeat(203), 0], ['x'.repeat(5000), 1], ['ab\u0301'.repeat(300), 1]] as const) {
      const before = H - Math.floor(word.length / 2);
      const filler = `${'q'.repeat(999)} `.repeat(fillerWords).padEnd(before, ' ');
      const text = `${filler}${word} tail words after it`;
      const capped = t512.encode(text).ids;
      const full = uncapped(t512, text);
      expect(full.slice(0, capped.length - 1)).toEqual(capped.slice(0, -1));
      // [CLS], the filler's [UNK]s, the crossing word only when it is [UNK] whole and cut, [SEP].
      expect(capped).toHaveLength(fillerWords + wordTokens + 2);
      if (wordTokens) expect(capped.at(-2)).toBe(UNK);
    }
  });

  it('shows a prefix of the uncapped tokens for text too sparse in tokens for the cap (documented)', () => {
    const sparse = [
      `${' '.repeat(FOUR_MB)}hello world`,
      `${'\u200b'.repeat(FOUR_MB)}hello`,
      repeat(`${hex(5000)} `, 600_000),
      `hello ${'x'.repeat(FOUR_MB)} world`,
    ];
    for (const text of sparse) {
      const capped = t512.encode(text).ids;
      const full = uncapped(t512, text);
      expect(capped.length).toBeLessThanOrEqual(full.length);
      expect(full.slice(0, capped.length - 1)).toEqual(capped.slice(0, -1));
    }
    // And the trailing whitespace or one long word of a text changes nothing.
    expect(t512.encode(`hello ${' '.repeat(FOUR_MB)}`).ids).toEqual(uncapped(t512, 'hello'));
    expect(t512.encode(`hello ${'x'.repeat(FOUR_MB)}`).ids).toEqual(uncapped(t512, `hello ${'x'.repeat(500)}`));
  });

  it('caps the library path too (a tokenizer the fast path does not take)', () => {
    const lib = tokenizer(64, { ...json('tokenizer_config.json'), tokenizer_class: 'XLMRobertaTokenizer' });
    expect(lib.usesFastPath).toBe(false);
    for (const [, make] of [SHAPES[0]!, SHAPES[3]!, SHAPES[4]!]) {
      const text = make(lib.maxInputChars + 5000);
      expect(Math.max(...handedOver(lib, text))).toBeLessThanOrEqual(lib.maxInputChars);
      expect(lib.encode(text).ids).toEqual(uncapped(lib, text));
    }
  });
});

describe('safeCut', () => {
  const rules = (over: Partial<CutRules> = {}): CutRules => ({ splitsAt: (t, c) => t[c] === ' ', lookback: 8, addedTokens: [], ...over });

  it('cuts at the nearest split at or before the position, else inside the word', () => {
    expect(safeCut('aaa bbbbbb', 7, rules())).toBe(3);
    expect(safeCut('aaaaaaaaaaaaaaaa', 12, rules())).toBe(12);
    expect(safeCut('short', 10, rules())).toBe(5);
  });

  it('never splits a surrogate pair or an added-token literal', () => {
    expect(safeCut('😀😀😀😀😀😀😀😀', 5, rules())).toBe(4);
    expect(safeCut('aaaaaaaaaaa[SEP]bbbbbbbbbbbb', 13, rules({ addedTokens: ['[SEP]'] }))).toBe(11);
  });

  it('cuts before a word that normalisation shrinks below [UNK] length', () => {
    const r = rules({ overlongWord: (piece) => piece.replace(/\u0301/g, '').length > 3 });
    expect(safeCut(`xx a${'\u0301'.repeat(20)}b`, 20, r)).toBe(2);
    expect(safeCut(`xx ${'abcdefghijkl'.repeat(3)}`, 30, r)).toBe(30);
  });
});
