import { describe, expect, test } from '@jest/globals';
import { Tokenizer } from '@huggingface/tokenizers';
import { TextTokenizer } from '../../../src/inference/text-tokenizer.js';
import { bertTokenizerJson } from '../../integration/inference/fixtures/tiny-model.js';

const WORDS = ['the', 'cat', 'sat', 'on', 'mat', 'a', '##s', 'dog', '.', ','];
const tokenizerJson = bertTokenizerJson(WORDS) as Record<string, unknown>;
const config = { do_lower_case: true, cls_token: '[CLS]', sep_token: '[SEP]', unk_token: '[UNK]', pad_token: '[PAD]' };

/** The reference: tokenize everything, keep the first max-1 tokens and the final [SEP]. */
function reference(text: string, max: number): number[] {
  const t = new Tokenizer(tokenizerJson, config) as unknown as { encode(s: string): { ids: number[] } };
  const ids = t.encode(text).ids;
  return ids.length <= max ? ids : [...ids.slice(0, max - 1), ids[ids.length - 1]!];
}

describe('TextTokenizer', () => {
  test('marks special tokens and keeps short texts whole', () => {
    const t = new TextTokenizer(tokenizerJson, config, 16);
    const enc = t.encode('The cats sat.');
    expect(enc.tokens).toEqual(['[CLS]', 'the', 'cat', '##s', 'sat', '.', '[SEP]']);
    expect(enc.special).toEqual([true, false, false, false, false, false, true]);
  });

  test.each([
    ['many short words', 'the cat sat on a mat. '.repeat(400)],
    ['long runs of spaces', `the cat${' '.repeat(3000)}sat on the mat ${'dog '.repeat(300)}`],
    ['one long unbroken word then words', `${'x'.repeat(5000)} ${'cat '.repeat(100)}`],
    ['unknown words and punctuation', 'zebra, the cats; ünïcode 🐈 dogs... '.repeat(200)],
  ])('truncating a long text (%s) matches tokenizing it whole', (_name, text) => {
    for (const max of [8, 64, 512]) {
      const enc = new TextTokenizer(tokenizerJson, config, max).encode(text);
      expect(enc.ids).toEqual(reference(text, max));
      expect(enc.tokens.at(-1)).toBe('[SEP]');
    }
  });
});
