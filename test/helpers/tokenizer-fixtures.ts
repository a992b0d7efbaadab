// Small tokenizer.json files in the shapes real exports have: BERT WordPiece (DistilBERT; the
// repo's own tools/models/tokenizer-files.ts), XLM-RoBERTa's Unigram with Metaspace and <s> </s>,
// ModernBERT's byte-level BPE with [CLS] [SEP] after the vocabulary, and mmBERT's Gemma-style BPE
// (spaces replaced by ▁, byte fallback, <bos> … <eos>). Each knows its vocabulary by id.
import { tokenizerFiles, SPECIAL_TOKENS } from '../../tools/models/tokenizer-files.js';

export interface TokenizerFixture {
  tokenizer: Record<string, unknown>;
  /** What tokenizer_config.json holds for such a model. */
  tokenizerConfig: Record<string, unknown>;
  /** Token by id. */
  vocab: string[];
  pad: number;
  /** Ids the post-processor puts before and after a text. */
  head: number[];
  tail: number[];
}

const added = (id: number, content: string, extra: Record<string, unknown> = {}) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
  ...extra,
});

function template(first: string, firstId: number, last: string, lastId: number) {
  return {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: first, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: last, type_id: 0 } }],
    pair: [
      { SpecialToken: { id: first, type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: last, type_id: 0 } },
      { Sequence: { id: 'B', type_id: 1 } },
      { SpecialToken: { id: last, type_id: 1 } },
    ],
    special_tokens: {
      [first]: { id: first, ids: [firstId], tokens: [first] },
      [last]: { id: last, ids: [lastId], tokens: [last] },
    },
  };
}

/** DistilBERT / BERT: lowercasing WordPiece, [CLS] … [SEP], [PAD] = 0. */
export function wordPieceFixture(words: readonly string[]): TokenizerFixture {
  const vocab = [...SPECIAL_TOKENS, ...words];
  const files = tokenizerFiles(vocab);
  return {
    tokenizer: files.tokenizer,
    tokenizerConfig: { ...files.tokenizerConfig, tokenizer_class: 'DistilBertTokenizer' },
    vocab,
    pad: 0,
    head: [2],
    tail: [3],
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * XLM-RoBERTa: SentencePiece Unigram (pieces with scores, "▁" starts a word), cased, <s> = 0,
 * <pad> = 1, </s> = 2, <unk> = 3, <mask> last. `words` become "▁word" pieces, `subwords` bare pieces.
 */
export function unigramFixture(words: readonly string[], subwords: readonly string[] = []): TokenizerFixture {
  const pieces: [string, number][] = [
    ['<s>', 0],
    ['<pad>', 0],
    ['</s>', 0],
    ['<unk>', 0],
    ['▁', -3],
    ...words.map((w): [string, number] => [`▁${w}`, -5]),
    ...subwords.map((w): [string, number] => [w, -6]),
    ...[...LETTERS].map((c): [string, number] => [c, -12]),
  ];
  const mask = pieces.length;
  pieces.push(['<mask>', 0]);
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [added(0, '<s>'), added(1, '<pad>'), added(2, '</s>'), added(3, '<unk>'), added(mask, '<mask>', { lstrip: true })],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Precompiled', precompiled_charsmap: 'ALQCAACEAAAAAACAAQAAAAAAAAAA' },
        { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
      ],
    },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', add_prefix_space: true, prepend_scheme: 'always', split: true },
    post_processor: template('<s>', 0, '</s>', 2),
    decoder: { type: 'Metaspace', replacement: '▁', add_prefix_space: true, prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 3, vocab: pieces, byte_fallback: false },
  };
  return {
    tokenizer,
    tokenizerConfig: {
      tokenizer_class: 'XLMRobertaTokenizer',
      model_max_length: 512,
      bos_token: '<s>',
      eos_token: '</s>',
      cls_token: '<s>',
      sep_token: '</s>',
      pad_token: '<pad>',
      unk_token: '<unk>',
      mask_token: '<mask>',
    },
    vocab: pieces.map((p) => p[0]),
    pad: 1,
    head: [0],
    tail: [2],
  };
}

/** Merges that build each word from its first character, one character at a time. */
function chains(words: readonly string[]): { tokens: string[]; merges: [string, string][] } {
  const tokens: string[] = [];
  const merges: [string, string][] = [];
  const seenToken = new Set<string>();
  const seenMerge = new Set<string>();
  for (const w of words) {
    const chars = [...w];
    let prefix = chars[0]!;
    for (const c of chars.slice(1)) {
      const next = prefix + c;
      if (!seenMerge.has(`${prefix} ${c}`)) {
        seenMerge.add(`${prefix} ${c}`);
        merges.push([prefix, c]);
      }
      if (!seenToken.has(next)) {
        seenToken.add(next);
        tokens.push(next);
      }
      prefix = next;
    }
  }
  return { tokens, merges };
}

/** GPT-2's byte ↔ printable-character table. */
function byteChars(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const out = new Array<string>(256);
  bs.forEach((b, i) => (out[b] = String.fromCodePoint(cs[i]!)));
  return out;
}

/**
 * ModernBERT (OLMo's tokenizer): byte-level BPE, every byte a token, the specials after the
 * vocabulary ([UNK], [CLS], [SEP], [PAD], [MASK]), [CLS] … [SEP].
 */
export function byteLevelBpeFixture(words: readonly string[]): TokenizerFixture {
  // Words after a space ("Ġword") first: pre-tokenized words never mix the two kinds.
  const { tokens, merges } = chains([...words.map((w) => `Ġ${w}`), ...words]);
  const vocab = [...byteChars(), ...tokens];
  const specials = ['[UNK]', '[CLS]', '[SEP]', '[PAD]', '[MASK]'];
  const first = vocab.length;
  vocab.push(...specials);
  const id = (t: string) => first + specials.indexOf(t);
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((s) => added(id(s), s)),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: template('[CLS]', id('[CLS]'), '[SEP]', id('[SEP]')),
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab.slice(0, first).map((t, i) => [t, i])),
      merges,
    },
  };
  return {
    tokenizer,
    tokenizerConfig: {
      tokenizer_class: 'PreTrainedTokenizerFast',
      model_max_length: 8192,
      clean_up_tokenization_spaces: true,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      mask_token: '[MASK]',
    },
    vocab,
    pad: id('[PAD]'),
    head: [id('[CLS]')],
    tail: [id('[SEP]')],
  };
}

/**
 * mmBERT (Gemma 2's tokenizer): spaces become "▁" in the normalizer, no pre-tokenizer, BPE with
 * byte fallback (<0x00>…<0xFF>), <pad> = 0, <eos> = 1, <bos> = 2, <unk> = 3, <mask> = 4,
 * <bos> … <eos>.
 */
export function gemmaBpeFixture(words: readonly string[]): TokenizerFixture {
  const specials = ['<pad>', '<eos>', '<bos>', '<unk>', '<mask>'];
  const bytes = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  const { tokens, merges } = chains([...words.map((w) => `▁${w}`), ...words]);
  const vocab = [...specials, ...bytes, '▁', ...LETTERS, ...tokens.filter((t) => !LETTERS.includes(t))];
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((s, i) => added(i, s)),
    normalizer: { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
    pre_tokenizer: null,
    post_processor: template('<bos>', 2, '<eos>', 1),
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
      merges,
    },
  };
  return {
    tokenizer,
    tokenizerConfig: {
      tokenizer_class: 'GemmaTokenizer',
      model_max_length: 8192,
      bos_token: '<bos>',
      eos_token: '<eos>',
      cls_token: '<bos>',
      sep_token: '<eos>',
      pad_token: '<pad>',
      unk_token: '<unk>',
      mask_token: '<mask>',
    },
    vocab,
    pad: 0,
    head: [2],
    tail: [1],
  };
}
