// A fast path for BERT-style tokenizer.json files (BertNormalizer + BertPreTokenizer + WordPiece):
// the same ids as @huggingface/tokenizers, about an order of magnitude faster, because the JS
// library walks every character through regex tests and arrays (measured at a third of the
// router's CPU with the default models). It reproduces the library's normalisation exactly,
// quirks included, and is only used when the file has precisely this shape; a text that holds an
// added token's literal ("[SEP]") goes to the library. test/unit/inference/fast-wordpiece.test.ts
// compares both on the datasets and on edge cases.
//
// It also knows where its words end in the *original* text (normalisation is per character, and
// only four characters turn into punctuation under NFD), which input-cap.ts uses to cut a long
// text safely, and which lets encode() shorten a word long enough to be [UNK] before normalising
// it: a 4 MB word then costs what 202 characters cost.

type Json = Record<string, unknown>;

export interface FastEncoding {
  ids: number[];
  tokens: string[];
}

const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const WORDS = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');
// The library's is_control: Cc (but tab, LF, CR), Cf, Co, lone surrogates; also NUL and U+FFFD.
// Runs are matched at most this long: irregexp keeps a backtrack entry per repetition of a
// variable-width class, and megabyte runs overflow its stack. Longer runs match in pieces.
const RUN = 4096;
const DROPPED_CHAR = '[\\0\\uFFFD]|(?![\\t\\n\\r])[\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}]';
const DROPPED = new RegExp(`(?:${DROPPED_CHAR}){1,${RUN}}`, 'gu');
// The library tests CJK per UTF-16 unit, so only the BMP blocks ever match.
const CJK = /[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]/g;
const NON_ASCII = /[^\p{ASCII}]/u;
const MARKS = new RegExp(`\\p{Mn}{1,${RUN}}`, 'gu');
const WORD_CACHE_LIMIT = 100_000;
// Printable ASCII and tab, LF, CR: no normaliser step changes such a text but lowercasing (no
// controls to drop, nothing to decompose, no CJK), so one pass over its char codes splits it the
// way WORDS does. Everything else takes the regex path.
const PLAIN_ASCII = /^[\x20-\x7e\t\n\r]*$/;
const WORD_CHAR = 0;
const SPACE = 1;
const PUNCT_CHAR = 2;
/** Per ASCII code: a word character, whitespace, or punctuation (its own word; BERT counts every ASCII symbol). */
const ASCII_CLASS = (() => {
  const t = new Uint8Array(128).fill(WORD_CHAR);
  for (const c of [0x20, 0x09, 0x0a, 0x0d]) t[c] = SPACE;
  for (const [from, to] of [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]] as const) t.fill(PUNCT_CHAR, from, to + 1);
  return t;
})();
// Characters the pre-tokenizer always splits at, after normalisation: whitespace that clean_text
// keeps (it drops \v, \f and U+FEFF), punctuation, CJK ideographs (spaced out before NFD), and
// with accent stripping the four that NFD turns into punctuation (U+1FEF → `, ≠ → =, ≮ → <, ≯ → >).
const KEPT_SPACE = '(?![\\v\\f\\uFEFF])\\s';
const CJK_RANGES = '\\u3400-\\u4DBF\\u4E00-\\u9FFF\\uF900-\\uFAFF';
const NFD_PUNCT = '\\u1FEF\\u2260\\u226E\\u226F';

interface Flags {
  cleanText: boolean;
  chinese: boolean;
  lowercase: boolean;
  stripAccents: boolean | null;
}

export class FastBertWordPiece {
  private readonly words = new Map<string, FastEncoding>();
  private readonly unknown: FastEncoding;
  /** Sticky: a separator at lastIndex. */
  private readonly separator: RegExp;
  /** A stretch longer than `longRun` units with no separator (nor anything that may be one). */
  private readonly longStretch: RegExp;
  /** Units of a stretch that hold more than maxChars code points even if all are astral. */
  private readonly longRun: number;
  /** Runs of characters normalisation always removes (clean_text: controls; stripping: marks). */
  private readonly vanishing: RegExp | undefined;

  private constructor(
    private readonly flags: Flags,
    private readonly vocab: Map<string, number>,
    unk: { token: string; id: number },
    private readonly prefix: string,
    private readonly maxChars: number,
    private readonly added: string[],
    private readonly head: FastEncoding,
    private readonly tail: FastEncoding,
  ) {
    this.unknown = { ids: [unk.id], tokens: [unk.token] };
    const strip = flags.lowercase ? flags.stripAccents !== false : flags.stripAccents === true;
    const space = flags.cleanText ? KEPT_SPACE : '\\s';
    const extra = `${flags.chinese ? CJK_RANGES : ''}${strip ? NFD_PUNCT : ''}`;
    this.separator = new RegExp(`${space}|[${PUNCT}${extra}]`, 'uy');
    this.longRun = 2 * (maxChars + 1);
    const dropped = flags.cleanText ? DROPPED_CHAR : undefined;
    const marks = strip ? '\\p{Mn}' : undefined;
    this.vanishing = dropped || marks ? new RegExp(`(?:${[dropped, marks].filter(Boolean).join('|')}){1,${RUN}}`, 'gu') : undefined;
    // Leaving out more than the separators is safe: a stretch is then part of a word, not all of it.
    this.longStretch = new RegExp(`[^\\s${PUNCT}${CJK_RANGES}${NFD_PUNCT}]{${this.longRun + 1},${16 * RUN}}`, 'gu');
  }

  /**
   * The fast path for this tokenizer, or undefined when the file is not exactly BERT-shaped.
   * `specials`: what the post-processor puts before and after a text (found by probing).
   */
  static from(tokenizerJson: Json, tokenizerConfig: Json, specials: { head: FastEncoding; tail: FastEncoding }): FastBertWordPiece | undefined {
    const norm = tokenizerJson.normalizer as Json | null;
    const pre = tokenizerJson.pre_tokenizer as Json | null;
    const model = tokenizerJson.model as Json | null;
    if (norm?.type !== 'BertNormalizer' || pre?.type !== 'BertPreTokenizer' || model?.type !== 'WordPiece') return undefined;
    const tokenizerClass = typeof tokenizerConfig.tokenizer_class === 'string' ? tokenizerConfig.tokenizer_class : '';
    if (tokenizerConfig.remove_space === true || /XLM/i.test(tokenizerClass)) return undefined;
    const vocabObj = model.vocab as Record<string, number> | undefined;
    const unkToken = model.unk_token;
    if (!vocabObj || typeof unkToken !== 'string' || vocabObj[unkToken] === undefined) return undefined;
    const added = Array.isArray(tokenizerJson.added_tokens)
      ? (tokenizerJson.added_tokens as Json[]).map((t) => t.content).filter((c): c is string => typeof c === 'string' && c !== '')
      : [];
    return new FastBertWordPiece(
      {
        cleanText: norm.clean_text === true,
        chinese: norm.handle_chinese_chars === true,
        lowercase: norm.lowercase === true,
        stripAccents: typeof norm.strip_accents === 'boolean' ? norm.strip_accents : null,
      },
      new Map(Object.entries(vocabObj)),
      { token: unkToken, id: vocabObj[unkToken] },
      typeof model.continuing_subword_prefix === 'string' ? model.continuing_subword_prefix : '##',
      typeof model.max_input_chars_per_word === 'number' ? model.max_input_chars_per_word : 100,
      added,
      specials.head,
      specials.tail,
    );
  }

  /** Ids and tokens with the special tokens, or undefined when the library must do it. */
  encode(text: string): FastEncoding | undefined {
    for (const a of this.added) if (text.includes(a)) return undefined;
    const ids = [...this.head.ids];
    const tokens = [...this.head.tokens];
    if (PLAIN_ASCII.test(text)) {
      this.splitAscii(this.flags.lowercase ? text.toLowerCase() : text, ids, tokens);
    } else {
      for (const word of this.normalize(this.shortenLongWords(text)).trim().match(WORDS) ?? []) this.append(word, ids, tokens);
    }
    ids.push(...this.tail.ids);
    tokens.push(...this.tail.tokens);
    return { ids, tokens };
  }

  private append(word: string, ids: number[], tokens: string[]): void {
    const piece = this.word(word);
    for (let i = 0; i < piece.ids.length; i++) {
      ids.push(piece.ids[i]!);
      tokens.push(piece.tokens[i]!);
    }
  }

  /**
   * WORDS over a PLAIN_ASCII text, normalised. A word over 2 × max_input_chars_per_word is [UNK]
   * in word() whatever its length, so shortenLongWords has nothing to do here.
   */
  private splitAscii(text: string, ids: number[], tokens: string[]): void {
    let start = -1;
    for (let i = 0; i < text.length; i++) {
      const kind = ASCII_CLASS[text.charCodeAt(i)];
      if (kind === WORD_CHAR) {
        if (start < 0) start = i;
        continue;
      }
      if (start >= 0) {
        this.append(text.slice(start, i), ids, tokens);
        start = -1;
      }
      if (kind === PUNCT_CHAR) this.append(text[i]!, ids, tokens);
    }
    if (start >= 0) this.append(text.slice(start), ids, tokens);
  }

  /** max_input_chars_per_word: longer words are one [UNK]. */
  get maxCharsPerWord(): number {
    return this.maxChars;
  }

  /** Literals the library matches whole ([CLS], [SEP], ...). */
  get addedTokens(): readonly string[] {
    return this.added;
  }

  /** Whether a word always ends between text[c - 1] and text[c] (the code point on either side splits). */
  splitsAt(text: string, c: number): boolean {
    if (c <= 0 || c >= text.length) return true;
    const code = text.charCodeAt(c);
    const prev = text.charCodeAt(c - 1);
    if (code >= 0xdc00 && code <= 0xdfff && prev >= 0xd800 && prev <= 0xdbff) return false;
    if (this.separatorAt(text, c)) return true;
    const before = prev >= 0xdc00 && prev <= 0xdfff && c >= 2 ? c - 2 : c - 1;
    return this.separatorAt(text, before);
  }

  private separatorAt(text: string, i: number): boolean {
    this.separator.lastIndex = i;
    return this.separator.test(text);
  }

  /** Whether `piece` alone normalises to more than max_input_chars_per_word code points. */
  overlongWord(piece: string): boolean {
    const normalized = this.normalize(piece);
    return normalized.length > this.maxChars && [...normalized].length > this.maxChars;
  }

  /**
   * `text` with each stretch that is already [UNK] on its own cut to its first longRun units: the
   * word holding it stays over max_input_chars_per_word, so its token ([UNK]) and every other
   * word are unchanged, and a word of any length costs no more to normalise than a short one.
   */
  private shortenLongWords(text: string): string {
    if (text.length <= this.longRun) return text;
    return text.replace(this.longStretch, (run) => {
      const head = run.slice(0, this.longRun);
      if (this.overlongWord(head)) return head;
      // Mostly characters normalisation drops (marks, invisible ones): drop them here, in runs.
      const kept = this.vanishing ? run.replace(this.vanishing, '') : run;
      const keptHead = kept.slice(0, this.longRun);
      return kept.length > this.longRun && this.overlongWord(keptHead) ? keptHead : kept;
    });
  }

  /** BertNormalizer, in the library's order: clean, CJK, lowercase, strip accents. */
  private normalize(text: string): string {
    const f = this.flags;
    // Runs at a time (one replacement, not one per character); a space for a run of whitespace
    // splits the same words.
    if (f.cleanText) text = text.replace(DROPPED, '').replace(/[^\S ]+/g, ' ');
    if (f.chinese) text = text.replace(CJK, ' $& ');
    const strip = f.lowercase ? f.stripAccents !== false : f.stripAccents === true;
    if (f.lowercase) text = text.toLowerCase();
    if (strip && NON_ASCII.test(text)) text = text.normalize('NFD').replace(MARKS, '');
    return text;
  }

  /**
   * Greedy longest-match-first WordPiece, cached per word. A word over max_input_chars_per_word
   * code points is [UNK] without being split into characters or cached (a cache entry would pin
   * a string of any length).
   */
  private word(word: string): FastEncoding {
    if (word.length > 2 * this.maxChars) return this.unknown;
    const cached = this.words.get(word);
    if (cached) return cached;
    const chars = [...word];
    if (chars.length > this.maxChars) return this.unknown;
    const ids: number[] = [];
    const tokens: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: string | undefined;
      while (start < end) {
        const sub = (start > 0 ? this.prefix : '') + chars.slice(start, end).join('');
        if (this.vocab.has(sub)) {
          found = sub;
          break;
        }
        end--;
      }
      if (found === undefined) break;
      ids.push(this.vocab.get(found)!);
      tokens.push(found);
      start = end;
    }
    const result = start === chars.length ? { ids, tokens } : this.unknown;
    if (this.words.size >= WORD_CACHE_LIMIT) this.words.clear();
    this.words.set(word, result);
    return result;
  }
}
