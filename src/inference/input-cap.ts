// How much of a text the tokenizer reads. A model sees only its first max_length tokens, so a long
// prompt need not be tokenized whole: tokenizing a prefix that yields those same tokens bounds
// the work whatever the text's shape (one 4 MB word, 4 MB of spaces, emoji, minified JSON...).
//
// The prefix ends at a *safe cut*: a place where the pre-tokenizer always splits, so the prefix's
// tokens are a prefix of the whole text's tokens. A WordPiece word has no such place inside it,
// but a word longer than max_input_chars_per_word is one [UNK] however much longer it gets, so a
// cut inside a long enough word is safe too (checked on the normalised text, which can shrink:
// accents and invisible characters are dropped). The only thing a cap can change is how many
// tokens there are: a text that averages more than `spanPerToken` characters per token over its
// first max_length tokens (runs of whitespace or invisible characters, words longer than
// max_input_chars_per_word) shows the model fewer of them. test/unit/inference/input-cap.test.ts
// compares capped and uncapped tokenization over many shapes of input.

/**
 * Floor of the cap: texts up to this long are tokenized whole whatever max_length says, because
 * the fast path tokenizes 64 Ki characters of any shape in well under a millisecond, and models
 * with a small max_length then keep exact tokens for long whitespace runs too.
 */
export const MIN_INPUT_CHARS = 64 * 1024;

/**
 * Ceiling of the cap. A large max_length (up to 32,768) or a vocabulary with very long entries
 * would allow megabytes; 256 Ki characters (~1-3 ms on the fast path, the library is slower) is
 * still 8 characters per token at max_length 32,768, above the 4-6 of English prose and code.
 */
export const MAX_INPUT_CHARS = 256 * 1024;

/**
 * The longest stretch searched back from the cap for a safe cut. Also the least length of a word
 * cut in the middle: 2 * (max_input_chars_per_word + 1) UTF-16 units hold more than
 * max_input_chars_per_word code points even when all are astral (two units each).
 */
export function cutLookback(maxCharsPerWord: number): number {
  return 2 * (maxCharsPerWord + 1);
}

export interface CutRules {
  /** Whether the pre-tokenizer always splits between text[c - 1] and text[c] (0 < c < length). */
  splitsAt(text: string, c: number): boolean;
  /** UTF-16 units searched back for a split. */
  lookback: number;
  /**
   * WordPiece: whether `piece`, a stretch with no split inside, normalises to more code points
   * than max_input_chars_per_word (then any word ending with it is one [UNK]). Absent: a cut
   * inside a word is taken as is (it can change that word's last tokens).
   */
  overlongWord?(piece: string): boolean;
  /** Literals matched whole before anything else ([SEP], <|im_start|>): a cut never splits one. */
  addedTokens: readonly string[];
}

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** `c`, moved back off the middle of a surrogate pair. */
function onCodePoint(text: string, c: number): number {
  return c > 0 && c < text.length && isLow(text.charCodeAt(c)) && isHigh(text.charCodeAt(c - 1)) ? c - 1 : c;
}

/** `c`, moved back to the start of an added-token literal that spans it. */
function outsideAddedTokens(text: string, c: number, added: readonly string[]): number {
  let cut = c;
  for (const a of added) {
    if (a.length < 2) continue;
    // An occurrence spanning c starts in (c - a.length, c).
    const at = text.slice(Math.max(0, cut - a.length + 1), cut + a.length - 1).indexOf(a);
    if (at >= 0) {
      const start = Math.max(0, cut - a.length + 1) + at;
      if (start < cut && start + a.length > cut) cut = start;
    }
  }
  return cut;
}

/** How far (in lookbacks) a cut searches back for the start of a word that normalisation shrinks. */
const SHRUNK_WORD_SEARCH = 8;

/**
 * A safe cut at or before `at`: text.slice(0, result) tokenizes to a prefix of text's tokens.
 * Costs at most 9 lookbacks of character tests. The one case it does not cover is a word padded
 * with more than 8 lookbacks of characters that normalisation drops (invisible characters,
 * combining marks): cut inside it, that one word's tokens may differ.
 */
export function safeCut(text: string, at: number, rules: CutRules): number {
  if (at >= text.length) return text.length;
  const stop = Math.max(1, at - rules.lookback);
  for (let c = at; c >= stop; c--) {
    if (rules.splitsAt(text, c)) return outsideAddedTokens(text, c, rules.addedTokens);
  }
  // No split nearby: `at` is inside a word at least `lookback` units long (or starting the text).
  const mid = onCodePoint(text, at);
  if (!rules.overlongWord || rules.overlongWord(text.slice(Math.max(0, at - rules.lookback), mid))) {
    return outsideAddedTokens(text, mid, rules.addedTokens);
  }
  // The word normalises to few characters: cut before it rather than change its tokens.
  const limit = Math.max(0, stop - SHRUNK_WORD_SEARCH * rules.lookback);
  for (let c = stop - 1; c >= limit; c--) {
    if (c === 0 || rules.splitsAt(text, c)) return outsideAddedTokens(text, c, rules.addedTokens);
  }
  return outsideAddedTokens(text, mid, rules.addedTokens);
}

/**
 * The most UTF-16 units a text can need for `textTokens` tokens when each token covers at most
 * `spanPerToken` units (separator included), within [MIN_INPUT_CHARS, MAX_INPUT_CHARS].
 */
export function inputCharBudget(textTokens: number, spanPerToken: number): number {
  return Math.min(MAX_INPUT_CHARS, Math.max(MIN_INPUT_CHARS, textTokens * spanPerToken));
}
