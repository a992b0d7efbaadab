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

/** min(configured, tokenizer_config.model_max_length, config.max_position_embeddings). */
export function effectiveMaxLength(configured: number | undefined, tokenizerConfig: JsonObject, config: JsonObject): number {
  const limits = [configured, tokenizerConfig.model_max_length, config.max_position_embeddings]
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0 && v < UNBOUNDED)
    .map(Math.floor);
  return limits.length > 0 ? Math.min(...limits) : DEFAULTS.fallbackMaxLength;
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

function tokenStyle(tokenizerJson: JsonObject): TokenStyle {
  const model = tokenizerJson.model as { type?: unknown; continuing_subword_prefix?: unknown };
  const prefix = typeof model.continuing_subword_prefix === 'string' && model.continuing_subword_prefix !== ''
    ? model.continuing_subword_prefix
    : model.type === 'WordPiece' ? '##' : undefined;
  const byteLevel = hasType(tokenizerJson.pre_tokenizer, 'ByteLevel') || hasType(tokenizerJson.decoder, 'ByteLevel');
  const metaspace = hasType(tokenizerJson.pre_tokenizer, 'Metaspace') || hasType(tokenizerJson.decoder, 'Metaspace') ? '▁' : undefined;
  return { continuationPrefix: prefix, byteLevel, metaspace };
}
