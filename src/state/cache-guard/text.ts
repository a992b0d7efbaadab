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
const TOKEN = /\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?|[\p{L}\p{M}][\p{L}\p{M}\p{N}_]*(?:'[\p{L}\p{M}]+)*|[^\s\p{L}\p{M}\p{N}]/gu;
/** Scripts written without spaces: each character is a word of its own. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;
const UNSPACED_PARTS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]+/gu;
const SENTENCE_END = new Set(['.', '!', '?', ';', ':', '。', '！', '？', '…']);

export function readText(input: string): GuardText {
  const raw = input.replace(/[’‘]/g, (c, i: number) => (c === '’' && isLetter(input, i - 1) ? "'" : c));
  const tokens: Token[] = [];
  let atStart = true;
  let end = 0;
  for (const m of raw.matchAll(TOKEN)) {
    const start = m.index;
    const text = m[0];
    if (raw.slice(end, start).includes('\n')) atStart = true;
    const glued = tokens.length > 0 && start === end;
    end = start + text.length;
    const c = text.charCodeAt(0);
    const kind: TokenKind = c >= 48 && c <= 57 ? 'number' : text.length === 1 && !/[\p{L}\p{M}]/u.test(text) ? 'symbol' : 'word';
    if (kind === 'symbol') {
      tokens.push({ text, lower: text, kind, sentenceStart: false, glued });
      if (SENTENCE_END.has(text)) atStart = true;
      continue;
    }
    if (kind === 'word' && UNSPACED.test(text)) {
      // Unspaced scripts: one token per character, each as a word (Latin parts stay whole).
      text.match(UNSPACED_PARTS)!.forEach((part, k) => {
        tokens.push({ text: part, lower: part.toLowerCase(), kind, sentenceStart: atStart, glued: k > 0 || glued });
        atStart = false;
      });
      continue;
    }
    tokens.push({ text, lower: text.toLowerCase(), kind, sentenceStart: atStart, glued });
    atStart = false;
  }
  const words = new Set<string>();
  for (const t of tokens) if (t.kind !== 'symbol') words.add(withoutPossessive(t.lower));
  return { raw, tokens, words };
}

/** "paris's" → "paris" (the possessive changes no answer). */
export function withoutPossessive(word: string): string {
  return word.endsWith("'s") ? word.slice(0, -2) : word;
}

function isLetter(s: string, i: number): boolean {
  return i >= 0 && /[\p{L}\p{N}]/u.test(s[i]!);
}
