// The shared reading of a request text that the guard rules work on: tokens (words, numbers,
// symbols) with their sentence position and spacing, and the set of its words. One pass of one
// regular expression; each rule then reads what it needs.

export type TokenKind = 'word' | 'number' | 'symbol';

export interface Token {
  /** As written, with typographic apostrophes (’) made plain ('). */
  text: string;
  lower: string;
  kind: TokenKind;
  /** The first word or number of a sentence (text start, after . ! ? ; : or a line break). */
  sentenceStart: boolean;
  /** Written against the previous token, without a space ("10km", "$5", "gpt-4"). */
  glued: boolean;
}

export interface GuardText {
  raw: string;
  tokens: Token[];
  /** Lower-case words and numbers, possessive 's dropped: what "appears in the other text" means. */
  words: Set<string>;
}

// Numbers (1,000,000.5 with thousands groups, or 3.14), words (letters, marks, digits, _ and
// inner apostrophes), or one other visible character.
const TOKEN = /(\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?)|([\p{L}\p{M}][\p{L}\p{M}\p{N}_]*(?:'[\p{L}\p{M}]+)*)|[^\s\p{L}\p{M}\p{N}]/gu;
/** The same for ASCII text, several times faster than the Unicode one. */
const ASCII_TOKEN = /(\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?)|([A-Za-z][A-Za-z0-9_]*(?:'[A-Za-z]+)*)|[^\sA-Za-z0-9]/g;
const NON_ASCII = /[\u0080-\uffff]/;
/** Scripts written without spaces: each character is a word of its own. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;
const UNSPACED_PARTS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]+/gu;
const SENTENCE_END = new Set(['.', '!', '?', ';', ':', '。', '！', '？', '…']);

export function readText(input: string): GuardText {
  const raw = input.includes('’') ? input.replace(/(?<=[\p{L}\p{N}])’/gu, "'") : input;
  const lines = raw.includes('\n');
  const ascii = !NON_ASCII.test(raw);
  const unspaced = !ascii && UNSPACED.test(raw);
  const tokens: Token[] = [];
  const words = new Set<string>();
  let atStart = true;
  let end = 0;
  for (const m of raw.matchAll(ascii ? ASCII_TOKEN : TOKEN)) {
    const start = m.index;
    const text = m[0];
    if (lines && raw.slice(end, start).includes('\n')) atStart = true;
    const glued = tokens.length > 0 && start === end;
    end = start + text.length;
    if (m[1] === undefined && m[2] === undefined) {
      tokens.push({ text, lower: text, kind: 'symbol', sentenceStart: false, glued });
      if (SENTENCE_END.has(text)) atStart = true;
      continue;
    }
    const kind: TokenKind = m[1] !== undefined ? 'number' : 'word';
    if (unspaced && kind === 'word' && UNSPACED.test(text)) {
      // Unspaced scripts: one token per character, each as a word (Latin parts stay whole).
      text.match(UNSPACED_PARTS)!.forEach((part, k) => {
        const lower = part.toLowerCase();
        tokens.push({ text: part, lower, kind, sentenceStart: atStart, glued: k > 0 || glued });
        words.add(lower);
        atStart = false;
      });
      continue;
    }
    const lower = text.toLowerCase();
    tokens.push({ text, lower, kind, sentenceStart: atStart, glued });
    words.add(withoutPossessive(lower));
    atStart = false;
  }
  return { raw, tokens, words };
}

/** "paris's" → "paris" (the possessive changes no answer). */
export function withoutPossessive(word: string): string {
  return word.endsWith("'s") ? word.slice(0, -2) : word;
}
