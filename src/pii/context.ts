// Context words near a match raise its score: "card 4111..." is likelier a card than a bare number.

/** Characters inspected before and after a match. */
const BEFORE = 48;
const AFTER = 24;
/** What a context word adds to a pattern-only score. */
export const CONTEXT_BOOST = 0.25;
/** Context never lifts a pattern-only match to the score reserved for checksums. */
const PATTERN_CEILING = 0.95;

/** One case-insensitive regex over a list of context words (whole words, plural `s` allowed). */
export function contextRegExp(words: readonly string[]): RegExp {
  const alts = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s_-]?'));
  return new RegExp(`(?:^|[^a-z])(?:${alts.join('|')})s?(?![a-z])`, 'i');
}

export function hasContext(text: string, start: number, end: number, words: RegExp): boolean {
  const window = text.slice(Math.max(0, start - BEFORE), start) + ' ' + text.slice(end, end + AFTER);
  return words.test(window);
}

/** Whether a context word occurs in the `chars` characters before `start`. */
export function hasContextBefore(text: string, start: number, words: RegExp, chars = BEFORE): boolean {
  return words.test(text.slice(Math.max(0, start - chars), start));
}

/** `base`, raised by CONTEXT_BOOST when a context word is near [start, end). */
export function contextScore(text: string, start: number, end: number, base: number, words: RegExp): number {
  if (base >= 1 || !hasContext(text, start, end, words)) return base;
  return Math.min(PATTERN_CEILING, base + CONTEXT_BOOST);
}
