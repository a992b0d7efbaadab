// The model's tokenizer (@huggingface/tokenizers reads WordPiece, BPE and Unigram from
// tokenizer.json), with truncation that keeps the final special token(s) such as [SEP] or </s>.
import { Tokenizer } from '@huggingface/tokenizers';
import { FastBertWordPiece } from './fast-wordpiece.js';
import type { JsonObject } from './folder.js';
import { cutLookback, inputCharBudget, safeCut, type CutRules } from './input-cap.js';
import { DEFAULTS } from './types.js';

export interface EncodedText {
  ids: number[];
  tokens: string[];
  /** True where the post-processor added the token ([CLS], [SEP], <s>, …). */
  special: boolean[];
  /** The tokens come from text.slice(0, textChars) (a long text is tokenized up to a safe cut). */
  textChars: number;
}

/** The surface form conventions of the tokenizer's model, used to align tokens to text. */
export interface TokenStyle {
  /** WordPiece's continuing-subword prefix ("##"), if any. */
  continuationPrefix: string | undefined;
  /** Byte-level BPE (GPT-2/RoBERTa): tokens spell bytes, "Ġ" is a space. */
  byteLevel: boolean;
  /** SentencePiece metaspace: "▁" marks a word start. */
  metaspace: string | undefined;
}

// Tokenizers store "no limit" as a huge sentinel (1e30).
const UNBOUNDED = 1_000_000;

/**
 * min(configured, tokenizer_config.model_max_length, the positions config.json allows): that is
 * max_position_embeddings, less the padding_idx + 1 positions RoBERTa-style models never use (their
 * positions start after the pad id: XLM-RoBERTa's 514 embeddings hold 512 tokens).
 */
export function effectiveMaxLength(configured: number | undefined, tokenizerConfig: JsonObject, config: JsonObject): number {
  const positions = typeof config.max_position_embeddings === 'number' ? config.max_position_embeddings - positionOffset(config) : undefined;
  const limits = [configured, tokenizerConfig.model_max_length, positions]
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0 && v < UNBOUNDED)
    .map(Math.floor);
  return limits.length > 0 ? Math.min(...limits) : DEFAULTS.fallbackMaxLength;
}

/** Models whose position ids start at padding_idx + 1 (transformers' create_position_ids_from_input_ids). */
const PADDING_OFFSET_MODELS = new Set([
  'roberta', 'xlm-roberta', 'xlm-roberta-xl', 'camembert', 'mpnet', 'longformer', 'data2vec-text', 'ibert', 'markuplm', 'luke', 'lilt', 'xmod', 'roberta-prelayernorm',
]);

function positionOffset(config: JsonObject): number {
  if (typeof config.model_type !== 'string' || !PADDING_OFFSET_MODELS.has(config.model_type)) return 0;
  const pad = config.pad_token_id;
  return typeof pad === 'number' && Number.isInteger(pad) && pad >= 0 ? pad + 1 : 2;
}

/**
 * What tokenizer_config.json would say, derived from tokenizer.json and config.json for folders
 * without it: model_max_length (tokenizer.json's truncation length) and the special tokens (the
 * post-processor's leading and trailing tokens, the unknown token, config.json's token ids).
 * Callers put the real file's keys over these.
 */
export function deriveTokenizerConfig(tokenizerJson: JsonObject, config: JsonObject): JsonObject {
  const out: JsonObject = {};
  const truncation = tokenizerJson.truncation as { max_length?: unknown } | null | undefined;
  if (typeof truncation?.max_length === 'number' && truncation.max_length > 0) out.model_max_length = truncation.max_length;

  const byId = new Map<number, string>();
  const model = tokenizerJson.model as { vocab?: unknown; unk_token?: unknown; unk_id?: unknown };
  if (Array.isArray(model.vocab)) {
    model.vocab.forEach((entry, id) => {
      if (Array.isArray(entry) && typeof entry[0] === 'string') byId.set(id, entry[0]);
    });
  } else if (typeof model.vocab === 'object' && model.vocab !== null) {
    for (const [token, id] of Object.entries(model.vocab as JsonObject)) if (typeof id === 'number') byId.set(id, token);
  }
  const added = Array.isArray(tokenizerJson.added_tokens) ? (tokenizerJson.added_tokens as JsonObject[]) : [];
  for (const t of added) if (typeof t.id === 'number' && typeof t.content === 'string') byId.set(t.id, t.content);

  const set = (key: string, token: unknown) => {
    if (typeof token === 'string' && token !== '' && out[key] === undefined) out[key] = token;
  };
  set('unk_token', typeof model.unk_token === 'string' ? model.unk_token : typeof model.unk_id === 'number' ? byId.get(model.unk_id) : undefined);
  const [lead, trail] = templateEnds(tokenizerJson.post_processor);
  set('cls_token', lead);
  set('bos_token', lead);
  set('sep_token', trail);
  set('eos_token', trail);
  for (const key of ['pad', 'bos', 'eos', 'cls', 'sep', 'mask'] as const) {
    const id = config[`${key}_token_id`];
    if (typeof id === 'number') set(`${key}_token`, byId.get(id));
  }
  const mask = added.find((t) => t.special === true && typeof t.content === 'string' && /^(\[MASK\]|<mask>)$/i.test(t.content));
  set('mask_token', mask?.content);
  return out;
}

/** The special tokens a post-processor puts before and after a single text. */
function templateEnds(post: unknown): [string | undefined, string | undefined] {
  if (typeof post !== 'object' || post === null) return [undefined, undefined];
  const p = post as { type?: unknown; single?: unknown; cls?: unknown; sep?: unknown; processors?: unknown };
  if (p.type === 'Sequence' && Array.isArray(p.processors)) {
    for (const child of p.processors) {
      const ends = templateEnds(child);
      if (ends[0] !== undefined || ends[1] !== undefined) return ends;
    }
    return [undefined, undefined];
  }
  if (p.type === 'BertProcessing' || p.type === 'RobertaProcessing') {
    const name = (pair: unknown) => (Array.isArray(pair) && typeof pair[0] === 'string' ? pair[0] : undefined);
    return [name(p.cls), name(p.sep)];
  }
  if (p.type === 'TemplateProcessing' && Array.isArray(p.single)) {
    const items = p.single as { SpecialToken?: { id?: unknown }; Sequence?: unknown }[];
    const at = items.findIndex((i) => i.Sequence !== undefined);
    const special = (i: (typeof items)[number] | undefined) => (typeof i?.SpecialToken?.id === 'string' ? i.SpecialToken.id : undefined);
    return at < 0 ? [undefined, undefined] : [at > 0 ? special(items[0]) : undefined, at < items.length - 1 ? special(items[items.length - 1]) : undefined];
  }
  return [undefined, undefined];
}

/**
 * tokenizer.json with a Lowercase normalizer in front (sentence_bert_config.json's do_lower_case:
 * sentence-transformers lowercases the text before the tokenizer sees it). Unchanged when the
 * normalizer lowercases already.
 */
export function withLowercase(tokenizerJson: JsonObject): JsonObject {
  const norm = tokenizerJson.normalizer as JsonObject | null | undefined;
  const lowercases = (n: unknown): boolean => {
    if (typeof n !== 'object' || n === null) return false;
    const o = n as JsonObject;
    return o.type === 'Lowercase' || (o.type === 'BertNormalizer' && o.lowercase === true) || (Array.isArray(o.normalizers) && o.normalizers.some(lowercases));
  };
  if (lowercases(norm)) return tokenizerJson;
  const lower = { type: 'Lowercase' };
  return { ...tokenizerJson, normalizer: norm ? { type: 'Sequence', normalizers: [lower, norm] } : lower };
}

// The package's type declarations do not resolve under NodeNext (extensionless re-exports), so
// the part used here is declared locally.
interface HfTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[]; tokens: string[] };
}
const HfTokenizerClass = Tokenizer as unknown as new (tokenizerJson: object, tokenizerConfig: object) => HfTokenizer;

/** Recent encodings kept per tokenizer: signals of one request often read the same text. */
const MEMO_ENTRIES = 64;
/** Longer texts are not memoised (their key would pin a large string). */
const MEMO_MAX_CHARS = 16 * 1024;

export class TextTokenizer {
  readonly style: TokenStyle;
  private readonly memo = new Map<string, EncodedText>();
  /** Same ids as the library for BERT-shaped tokenizers, much faster; undefined otherwise. */
  private readonly fast: FastBertWordPiece | undefined;
  private readonly tokenizer: HfTokenizer;
  /** How many special tokens the post-processor puts before and after the text. */
  private readonly prefixLen: number;
  private readonly suffixLen: number;
  private readonly cutRules: CutRules;
  /** Most UTF-16 units of a text ever tokenized (input-cap.ts says why that is enough). */
  readonly maxInputChars: number;
  /** encode(text) depends on text.slice(0, inputReadLimit) only: callers may hand it no more. */
  readonly inputReadLimit: number;
  private lastLong: { text: string; enc: EncodedText } | undefined;

  constructor(
    tokenizerJson: JsonObject,
    tokenizerConfig: JsonObject,
    readonly maxLength: number,
  ) {
    this.tokenizer = new HfTokenizerClass(tokenizerJson, tokenizerConfig);
    this.style = tokenStyle(tokenizerJson);
    // Found by probing, not from the added-token list: [UNK] is "special" there but is text.
    const bare = this.tokenizer.encode('a', { add_special_tokens: false }).ids;
    const probe = this.tokenizer.encode('a', { add_special_tokens: true });
    const full = probe.ids;
    const at = full.findIndex((_, i) => bare.every((id, k) => full[i + k] === id));
    this.prefixLen = Math.max(0, at);
    this.suffixLen = Math.max(0, full.length - this.prefixLen - bare.length);
    if (maxLength < this.prefixLen + this.suffixLen + 1) throw new RangeError(`maxLength ${maxLength} is too small`);
    const cut = (from: number, to: number) => ({ ids: probe.ids.slice(from, to), tokens: probe.tokens.slice(from, to) });
    this.fast = FastBertWordPiece.from(tokenizerJson, tokenizerConfig, {
      head: cut(0, this.prefixLen),
      tail: cut(probe.ids.length - this.suffixLen, probe.ids.length),
    });
    this.cutRules = this.fast ? fastCutRules(this.fast) : libraryCutRules(tokenizerJson);
    this.maxInputChars = inputCharBudget(maxLength - this.prefixLen - this.suffixLen, this.cutRules.lookback);
    this.inputReadLimit = this.maxInputChars + Math.max(1, ...this.cutRules.addedTokens.map((a) => a.length));
  }

  /**
   * Ids, tokens and special flags of `text`, truncated. The result may be shared with other
   * callers (models with the same tokenizer reuse encodings): treat it as read-only.
   */
  encode(text: string): EncodedText {
    if (text.length > MEMO_MAX_CHARS) {
      // Signals of one request hand over the same long string: keep its encoding, not a copy.
      if (this.lastLong?.text !== text) this.lastLong = { text, enc: this.encodeUncached(text) };
      return this.lastLong.enc;
    }
    const hit = this.memo.get(text);
    if (hit) {
      this.memo.delete(text);
      this.memo.set(text, hit);
      return hit;
    }
    const enc = this.encodeUncached(text);
    this.memo.set(text, enc);
    if (this.memo.size > MEMO_ENTRIES) this.memo.delete(this.memo.keys().next().value!);
    return enc;
  }

  /** The prefix of `text` that is tokenized: all of it, or up to a safe cut near maxInputChars. */
  cappedInput(text: string): string {
    if (text.length <= this.maxInputChars) return text;
    // A copy, not a slice: V8's regexps run several times slower over a slice of a large string.
    return Buffer.from(text.slice(0, safeCut(text, this.maxInputChars, this.cutRules)), 'utf16le').toString('utf16le');
  }

  private encodeUncached(text: string): EncodedText {
    // Tokenizing a long prompt whole blocks the event loop, and all but the first maxLength tokens
    // are cut anyway. Tokenize a prefix ending at a safe cut, growing it until it yields more
    // tokens than are kept (plus a margin), never beyond the cap.
    const capped = this.cappedInput(text);
    for (let window = this.maxLength * 4; ; ) {
      if (capped.length <= window) return this.truncate(this.encodeFull(capped), capped.length);
      const end = safeCut(capped, window, this.cutRules);
      const enc = this.encodeFull(capped.slice(0, end));
      if (enc.ids.length > this.maxLength + PREFIX_MARGIN) return this.truncate(enc, end);
      // Text this sparse in tokens (long words, whitespace) skips the doublings it would fail.
      const wanted = ((this.maxLength + PREFIX_MARGIN) / Math.max(1, enc.ids.length - this.prefixLen - this.suffixLen)) * window;
      window = Math.max(window * 2, Math.ceil(wanted));
    }
  }

  /** The whole text with special tokens: the fast path when it applies, else the library. */
  encodeFull(text: string): { ids: number[]; tokens: string[] } {
    return this.fast?.encode(text) ?? this.tokenizer.encode(text, { add_special_tokens: true });
  }

  /** The library's own encoding (the reference the fast path is tested against). */
  encodeWithLibrary(text: string): { ids: number[]; tokens: string[] } {
    return this.tokenizer.encode(text, { add_special_tokens: true });
  }

  get usesFastPath(): boolean {
    return this.fast !== undefined;
  }

  private truncate(enc: { ids: number[]; tokens: string[] }, textChars: number): EncodedText {
    let ids = enc.ids;
    let tokens = enc.tokens;
    if (ids.length > this.maxLength) {
      // Keep the trailing special tokens ([SEP], </s>) and cut the text before them.
      const head = this.maxLength - this.suffixLen;
      ids = ids.slice(0, head).concat(ids.slice(ids.length - this.suffixLen));
      tokens = tokens.slice(0, head).concat(tokens.slice(tokens.length - this.suffixLen));
    }
    const textEnd = ids.length - this.suffixLen;
    return { ids, tokens, special: ids.map((_, i) => i < this.prefixLen || i >= textEnd), textChars };
  }
}

/** Extra tokens a growing prefix must yield before it is trusted (input-cap.ts: a safe cut needs none; kept as a guard). */
const PREFIX_MARGIN = 16;

/** BERT WordPiece: cuts at whitespace, punctuation, CJK, or inside a word long enough to be [UNK]. */
function fastCutRules(fast: FastBertWordPiece): CutRules {
  return {
    splitsAt: (text, c) => fast.splitsAt(text, c),
    lookback: cutLookback(fast.maxCharsPerWord),
    overlongWord: (piece) => fast.overlongWord(piece),
    addedTokens: fast.addedTokens,
  };
}

/**
 * Any other tokenizer: cuts before a space that follows a non-space, where the pre-tokenizers of
 * WordPiece, byte-level BPE (GPT-2, cl100k, Llama 3 patterns) and SentencePiece all end a word.
 * A token covers at most its vocabulary entry's length in units (twice that in astral code
 * points), so that bounds the span per token; a cut inside a word may change that word's tokens.
 */
function libraryCutRules(tokenizerJson: JsonObject): CutRules {
  const model = tokenizerJson.model as { type?: unknown; vocab?: unknown; max_input_chars_per_word?: unknown };
  let longest = 1;
  if (model.type === 'WordPiece') {
    longest = typeof model.max_input_chars_per_word === 'number' ? model.max_input_chars_per_word : 100;
  } else if (Array.isArray(model.vocab)) {
    for (const entry of model.vocab) if (Array.isArray(entry) && typeof entry[0] === 'string') longest = Math.max(longest, entry[0].length);
  } else if (typeof model.vocab === 'object' && model.vocab !== null) {
    for (const token of Object.keys(model.vocab)) longest = Math.max(longest, token.length);
  }
  const added = Array.isArray(tokenizerJson.added_tokens)
    ? (tokenizerJson.added_tokens as JsonObject[]).map((t) => t.content).filter((c): c is string => typeof c === 'string' && c !== '')
    : [];
  return {
    splitsAt: (text, c) => text.charCodeAt(c) === 0x20 && !/\s/.test(text[c - 1] ?? ' '),
    lookback: cutLookback(longest),
    addedTokens: added,
  };
}

function hasType(section: unknown, type: string): boolean {
  if (typeof section !== 'object' || section === null) return false;
  const s = section as { type?: unknown; pretokenizers?: unknown; normalizers?: unknown };
  if (s.type === type) return true;
  const children = s.pretokenizers ?? s.normalizers;
  return Array.isArray(children) && children.some((c) => hasType(c, type));
}

function replacesSpaceWithMetaspace(section: unknown): boolean {
  if (typeof section !== 'object' || section === null) return false;
  const s = section as { type?: unknown; content?: unknown; pattern?: { String?: unknown }; normalizers?: unknown };
  if (s.type === 'Replace' && s.content === '▁' && s.pattern?.String === ' ') return true;
  return Array.isArray(s.normalizers) && s.normalizers.some(replacesSpaceWithMetaspace);
}

export function tokenStyle(tokenizerJson: JsonObject): TokenStyle {
  const model = tokenizerJson.model as { type?: unknown; continuing_subword_prefix?: unknown };
  const prefix = typeof model.continuing_subword_prefix === 'string' && model.continuing_subword_prefix !== ''
    ? model.continuing_subword_prefix
    : model.type === 'WordPiece' ? '##' : undefined;
  const byteLevel = hasType(tokenizerJson.pre_tokenizer, 'ByteLevel') || hasType(tokenizerJson.decoder, 'ByteLevel');
  // SentencePiece's "▁": a Metaspace pre-tokenizer (XLM-RoBERTa), or a normalizer that replaces
  // spaces with it (Gemma's tokenizer, mmBERT).
  const metaspace =
    hasType(tokenizerJson.pre_tokenizer, 'Metaspace') || hasType(tokenizerJson.decoder, 'Metaspace') || replacesSpaceWithMetaspace(tokenizerJson.normalizer)
      ? '▁'
      : undefined;
  return { continuationPrefix: prefix, byteLevel, metaspace };
}
