// Quoted strings: 'Translate "good morning"' is not 'Translate "good night"'. The quoted texts of
// the two requests must be the same multiset, compared without case and with runs of spaces as one
// (quotes in prose are rarely case-exact; code is the identifiers rule's business). Single quotes
// count only at word boundaries, so apostrophes (don't, the dogs' bowls) are not quotes.
import type { GuardRule } from './rule.js';
import type { GuardText } from './text.js';

/** Longer quoted passages are compared by their first characters only. */
const MAX_QUOTE = 200;

const QUOTED = /"([^"\n]{1,400})"|“([^”\n]{1,400})”|„([^“”\n]{1,400})[“”]|«([^»\n]{1,400})»|‘([^’\n]{1,400})’|(?<![\p{L}\p{N}'])'([^'\n]{1,400})'(?![\p{L}\p{N}])/gu;

export type QuoteFeatures = Map<string, number>;

export function quotedStrings(raw: string): QuoteFeatures {
  const out = new Map<string, number>();
  for (const m of raw.matchAll(QUOTED)) {
    const inner = m.slice(1).find((g) => g !== undefined)!;
    const key = inner.trim().replace(/\s+/g, ' ').toLowerCase().slice(0, MAX_QUOTE);
    if (key) out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

export const quotesRule: GuardRule<QuoteFeatures> = {
  name: 'quotes',
  extract: (text: GuardText) => quotedStrings(text.raw),
  compare(a, b) {
    for (const [q, n] of a) if ((b.get(q) ?? 0) !== n) return `quoted text differs: "${q}"`;
    for (const [q, n] of b) if ((a.get(q) ?? 0) !== n) return `quoted text differs: "${q}"`;
    return undefined;
  },
};
