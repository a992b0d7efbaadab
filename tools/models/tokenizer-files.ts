// The Hugging Face tokenizer files (tokenizer.json, tokenizer_config.json,
// special_tokens_map.json) for a BERT-style WordPiece vocabulary, and loading them back.
import { Tokenizer } from '@huggingface/tokenizers';

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
export const PAD_ID = 0;
export const UNK_ID = 1;
export const CLS_ID = 2;
export const SEP_ID = 3;
export const MODEL_MAX_LENGTH = 512;

export interface TokenizerFiles {
  tokenizer: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  specialTokensMap: Record<string, string>;
}

const NORMALIZER = {
  type: 'BertNormalizer',
  clean_text: true,
  handle_chinese_chars: true,
  strip_accents: true,
  lowercase: true,
};

/** `vocab[i]` is the token with id i; the first five must be SPECIAL_TOKENS in order. */
export function tokenizerFiles(vocab: readonly string[]): TokenizerFiles {
  SPECIAL_TOKENS.forEach((token, id) => {
    if (vocab[id] !== token) throw new Error(`vocab[${id}] must be ${token}`);
  });
  const vocabObject: Record<string, number> = {};
  vocab.forEach((token, id) => {
    vocabObject[token] = id;
  });
  const special = (id: number) => ({ id: SPECIAL_TOKENS[id], ids: [id], tokens: [SPECIAL_TOKENS[id]] });
  const tokenizer = {
    version: '1.0',
    truncation: { direction: 'Right', max_length: MODEL_MAX_LENGTH, strategy: 'LongestFirst', stride: 0 },
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: NORMALIZER,
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': special(CLS_ID), '[SEP]': special(SEP_ID) },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: vocabObject,
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    strip_accents: null,
    tokenize_chinese_chars: true,
    model_max_length: MODEL_MAX_LENGTH,
    clean_up_tokenization_spaces: true,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  };
  const specialTokensMap = {
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  };
  return { tokenizer, tokenizerConfig, specialTokensMap };
}

// The package's type declarations do not resolve under NodeNext (extensionless re-exports), so
// the part used here is declared locally.
export interface WordPieceTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[]; tokens: string[]; attention_mask: number[] };
  normalizer: { normalize(text: string): string } | null;
  pre_tokenizer: { pre_tokenize_text(text: string): string[] } | null;
}
const TokenizerClass = Tokenizer as unknown as new (tokenizerJson: object, tokenizerConfig: object) => WordPieceTokenizer;

/** A tokenizer built from the files, exactly as a consumer would load them from disk. */
export function loadTokenizer(files: Pick<TokenizerFiles, 'tokenizer' | 'tokenizerConfig'>): WordPieceTokenizer {
  return new TokenizerClass(files.tokenizer, files.tokenizerConfig);
}

/**
 * Token ids for `text`: [CLS] … [SEP], cut like HF truncation to at most `maxLength` ids
 * (the [SEP] is kept). Long inputs are cut by characters first so tokenizing stays cheap.
 */
export function encodeIds(tokenizer: WordPieceTokenizer, text: string, maxLength = MODEL_MAX_LENGTH): number[] {
  const ids = tokenizer.encode(text.slice(0, maxLength * 12), { add_special_tokens: true }).ids;
  if (ids.length <= maxLength) return ids;
  const cut = ids.slice(0, maxLength - 1);
  cut.push(SEP_ID);
  return cut;
}
