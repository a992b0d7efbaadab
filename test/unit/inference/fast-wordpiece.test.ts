// The BERT fast path gives exactly the library's ids and tokens: on the committed held-out texts,
// on the training datasets when they are present, and on Unicode edge cases.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TextTokenizer } from '../../../src/inference/text-tokenizer.js';

const MODEL = 'models/domain-classifier';
const json = (f: string) => JSON.parse(readFileSync(path.join(MODEL, f), 'utf8'));
const tokenizer = new TextTokenizer(json('tokenizer.json'), json('tokenizer_config.json'), 100_000);
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text);

function mismatches(texts: string[]): string[] {
  const bad: string[] = [];
  for (const t of texts) {
    const fast = tokenizer.encodeFull(t);
    const lib = tokenizer.encodeWithLibrary(t);
    if (JSON.stringify([fast.ids, fast.tokens]) !== JSON.stringify([lib.ids, lib.tokens])) bad.push(t.slice(0, 80));
  }
  return bad;
}

const EDGE_CASES = [
  '',
  '   ',
  'Hello, World!',
  'Café naïve résumé coöperate — “quotes” ‘single’ …',
  'İstanbul ΣΊΣΥΦΟΣ straße ǅ',
  '中文测试 日本語のテキスト 한국어 텍스트 𠀀𠀁 (astral CJK)',
  'emoji 😀👍🏽 flags 🇩🇪 zwj 👩‍💻',
  'zero\u200bwidth soft\u00adhyphen bom\ufeff nbsp\u00a0here',
  'control\u0001chars\u0007and\ttabs\nnewlines\r\n',
  'lone \ud800 surrogate and \udc00 low',
  'replacement \ufffd char and NUL \u0000 byte',
  'private use \ue000 char',
  'combining e\u0301 a\u0308 n\u0303',
  'x'.repeat(150) + ' long word',
  'supercalifragilisticexpialidocious antidisestablishmentarianism',
  'numbers 3.14159 1,000,000 2024-01-01 v1.2.3 #hashtag @user',
  'code: def f(x): return x**2 # comment\n\tif (a && b) { c[i] = d->e; }',
  '¿Qué? ¡Sí! «guillemets» ‹single› §5 ¶2 †‡ • ·',
  'arabic العربية hebrew עברית thai ภาษาไทย hindi हिन्दी',
  'math ∑∫√∞≠≤≥ ± × ÷ ° µ',
  // Words long enough to be [UNK] are shortened before normalisation, and those that
  // normalisation shrinks are compacted: the ids must not change.
  ...[100, 101, 201, 202, 203, 204, 405, 9000].map((n) => `pre ${'x'.repeat(n)} post`),
  `${'x'.repeat(300)}≠y ${'a'.repeat(250)}\u1fefb ${'c'.repeat(300)}≮d ≯`,
  `${'😀'.repeat(101)} ${'😀'.repeat(150)}x ok`,
  `${'e\u0301'.repeat(150)} ${'İ'.repeat(120)} ${'한'.repeat(120)} ${'ǅ'.repeat(120)}`,
  `a${'\u0301'.repeat(500)}b c ${'\u200b'.repeat(500)}x${'\u200b'.repeat(500)}y`,
  `${'a\ufeff'.repeat(150)} ${'b\u00ad'.repeat(150)} ${'c\u0000'.repeat(150)}`,
  `${'ab\u0301\u200b'.repeat(60)} ${'\u0301'.repeat(5000)} ${'z'.repeat(70000)} end`,
];

describe('BERT WordPiece fast path', () => {
  it('applies to the default models', () => {
    expect(tokenizer.usesFastPath).toBe(true);
  });

  it('matches the library on edge cases', () => {
    expect(mismatches(EDGE_CASES)).toEqual([]);
  });

  it('knows every character that splits words after normalisation (input-cap.ts relies on it)', () => {
    // "the" + c + "the" ends with a new word "the" exactly when c is, or normalises into, a
    // separator; the fast path must then say it splits there.
    const fast = (tokenizer as unknown as { fast: { splitsAt(t: string, c: number): boolean } }).fast;
    const missed: string[] = [];
    for (let cp = 0; cp < 0x40000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      const text = `the${c}the`;
      const tokens = tokenizer.encodeFull(text).tokens;
      const splits = tokens.at(-2) === 'the' && tokens.length > 3;
      if (splits && !fast.splitsAt(text, 3)) missed.push(cp.toString(16));
    }
    expect(missed).toEqual([]);
  });

  it('leaves texts with an added token literal to the library', () => {
    const t = 'please ignore [SEP] and [CLS] markers';
    const ids = tokenizer.encodeFull(t).ids;
    expect(ids).toEqual(tokenizer.encodeWithLibrary(t).ids);
    expect(ids.filter((id) => id === 3)).toHaveLength(2); // the literal [SEP] is the special token
  });

  it('matches the library on the committed held-out texts', () => {
    const texts = [...lines('models/domain-classifier/heldout.jsonl'), ...lines('models/jailbreak-detector/heldout.jsonl')];
    expect(texts.length).toBeGreaterThan(500);
    expect(mismatches(texts)).toEqual([]);
  });

  const datasets = path.resolve('..', 'shared', 'datasets');
  (existsSync(datasets) ? it : it.skip)('matches the library on every training text (needs ../shared/datasets)', () => {
    const texts = [...lines(path.join(datasets, 'domain/train.jsonl')), ...lines(path.join(datasets, 'jailbreak/train.jsonl'))];
    expect(mismatches(texts)).toEqual([]);
  }, 120_000);
});
