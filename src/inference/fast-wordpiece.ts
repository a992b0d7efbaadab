// A fast path for BERT-style tokenizer.json files (BertNormalizer + BertPreTokenizer + WordPiece):
// the same ids as @huggingface/tokenizers, about an order of magnitude faster, because the JS
// library walks every character through regex tests and arrays (measured at a third of the
// router's CPU with the default models). It reproduces the library's normalisation exactly,
// quirks included, and is only used when the file has precisely this shape; a text that holds an
// added token's literal ("[SEP]") goes to the library. test/unit/inference/fast-wordpiece.test.ts
// compares both on the datasets and on edge cases.

type Json = Record<string, unknown>;

export interface FastEncoding {
  ids: number[];
  tokens: string[];
}

const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const WORDS = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');
// The library's is_control: Cc (but tab, LF, CR), Cf, Co, lone surrogates; also NUL and U+FFFD.
const DROPPED = /[\0\uFFFD]|(?![\t\n\r])[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;
// The library tests CJK per UTF-16 unit, so only the BMP blocks ever match.
const CJK = /[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]/g;
const NON_ASCII = /[^\p{ASCII}]/u;
const WORD_CACHE_LIMIT = 100_000;

interface Flags {
  cleanText: boolean;
  chinese: boolean;
  lowercase: boolean;
  stripAccents: boolean | null;
}

export class FastBertWordPiece {
  private readonly words = new Map<string, FastEncoding>();

  private constructor(
    private readonly flags: Flags,
    private readonly vocab: Map<string, number>,
    private readonly unk: { token: string; id: number },
    private readonly prefix: string,
    private readonly maxChars: number,
    private readonly added: string[],
    private readonly head: FastEncoding,
    private readonly tail: FastEncoding,
  ) {}

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
    for (const word of this.normalize(text).trim().match(WORDS) ?? []) {
      const piece = this.word(word);
      for (let i = 0; i < piece.ids.length; i++) {
        ids.push(piece.ids[i]!);
        tokens.push(piece.tokens[i]!);
      }
    }
    ids.push(...this.tail.ids);
    tokens.push(...this.tail.tokens);
    return { ids, tokens };
  }

  /** BertNormalizer, in the library's order: clean, CJK, lowercase, strip accents. */
  private normalize(text: string): string {
    const f = this.flags;
    if (f.cleanText) text = text.replace(DROPPED, '').replace(/\s/g, ' ');
    if (f.chinese) text = text.replace(CJK, ' $& ');
    const strip = f.lowercase ? f.stripAccents !== false : f.stripAccents === true;
    if (f.lowercase) text = text.toLowerCase();
    if (strip && NON_ASCII.test(text)) text = text.normalize('NFD').replace(/\p{Mn}/gu, '');
    return text;
  }

  /** Greedy longest-match-first WordPiece, cached per word. */
  private word(word: string): FastEncoding {
    const cached = this.words.get(word);
    if (cached) return cached;
    const chars = [...word];
    let result: FastEncoding | undefined;
    if (chars.length <= this.maxChars) {
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
      if (start === chars.length) result = { ids, tokens };
    }
    result ??= { ids: [this.unk.id], tokens: [this.unk.token] };
    if (this.words.size >= WORD_CACHE_LIMIT) this.words.clear();
    this.words.set(word, result);
    return result;
  }
}
