import { describe, expect, test } from '@jest/globals';
import { Tokenizer } from '@huggingface/tokenizers';
import { CLS_ID, SEP_ID, SPECIAL_TOKENS, UNK_ID, encodeIds, tokenizerFiles } from '../../../../tools/models/tokenizer-files.js';

const VOCAB = [...SPECIAL_TOKENS, 'the', 'cell', 'divides', '##s', 'mito', '##sis', 'e', '##e', '.', ','];

function fromDisk(): Tokenizer {
  // Serialise and parse like a consumer reading tokenizer.json / tokenizer_config.json.
  const files = JSON.parse(JSON.stringify(tokenizerFiles(VOCAB)));
  return new Tokenizer(files.tokenizer, files.tokenizerConfig);
}

describe('tokenizer files', () => {
  test('tokenizer.json encodes a sentence to [CLS] … [SEP] with lowercase, accent stripping and ## pieces', () => {
    const encoded = fromDisk().encode('The Cëll divides, mitosis.', { add_special_tokens: true });
    expect(encoded.tokens).toEqual(['[CLS]', 'the', 'cell', 'divides', ',', 'mito', '##sis', '.', '[SEP]']);
    expect(encoded.ids).toEqual([CLS_ID, 5, 6, 7, 14, 9, 10, 13, SEP_ID]);
    expect(encoded.attention_mask).toEqual(Array(9).fill(1));
  });

  test('unknown words become [UNK]', () => {
    expect(fromDisk().encode('zebra', { add_special_tokens: true }).ids).toEqual([CLS_ID, UNK_ID, SEP_ID]);
  });

  test('special tokens have the BERT ids and the config names them', () => {
    const files = tokenizerFiles(VOCAB);
    const model = files.tokenizer.model as { vocab: Record<string, number>; continuing_subword_prefix: string };
    expect(SPECIAL_TOKENS.map((t) => model.vocab[t])).toEqual([0, 1, 2, 3, 4]);
    expect(model.continuing_subword_prefix).toBe('##');
    expect(files.tokenizerConfig).toMatchObject({ do_lower_case: true, model_max_length: 512, cls_token: '[CLS]' });
    expect(files.specialTokensMap).toEqual({ pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]', mask_token: '[MASK]' });
  });

  test('encodeIds truncates like HF: at most maxLength ids, ending in [SEP]', () => {
    const ids = encodeIds(fromDisk(), 'the cell '.repeat(50), 8);
    expect(ids).toHaveLength(8);
    expect(ids[0]).toBe(CLS_ID);
    expect(ids[7]).toBe(SEP_ID);
  });

  test('a vocabulary without the specials first is rejected', () => {
    expect(() => tokenizerFiles(['the', ...SPECIAL_TOKENS])).toThrow(/\[PAD\]/);
  });
});
