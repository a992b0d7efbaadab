// Word order where it carries meaning: "10 divided by 2" is not "2 divided by 10", "Is Paris
// bigger than Rome?" not "Is Rome bigger than Paris?". Only the words both texts use are compared
// (so rewording elsewhere does not count): each text is cut down to its shared words, in its own
// order, and the bigrams of the two sequences must overlap (Dice coefficient) at least
// `min_overlap`. With fewer than `min_shared_words` shared words there is no order to judge.
import type { GuardRule } from './rule.js';
import type { GuardText } from './text.js';

export type OrderFeatures = string[];

export function orderRule(opts: { minOverlap: number; minSharedWords: number }): GuardRule<OrderFeatures> {
  return {
    name: 'order',
    extract: (text: GuardText) => {
      const out: string[] = [];
      for (const t of text.tokens) {
        if (t.kind === 'word') out.push(t.lower);
        else if (t.kind === 'number') out.push(String(Number(t.text.replace(/,/g, ''))));
      }
      return out;
    },
    compare(a, b) {
      const inA = new Set(a);
      const shared = new Set(b.filter((w) => inA.has(w)));
      if (shared.size < opts.minSharedWords) return undefined;
      const sa = a.filter((w) => shared.has(w));
      const sb = b.filter((w) => shared.has(w));
      const overlap = bigramDice(sa, sb);
      return overlap < opts.minOverlap ? `shared words reordered: bigram overlap ${overlap.toFixed(2)} < ${opts.minOverlap}` : undefined;
    },
  };
}

/** 2·|common bigrams| / (|bigrams a| + |bigrams b|), bigrams as a multiset. */
export function bigramDice(a: readonly string[], b: readonly string[]): number {
  if (a.length < 2 || b.length < 2) return 1;
  const counts = new Map<string, number>();
  for (let i = 1; i < a.length; i++) {
    const k = `${a[i - 1]}\u0000${a[i]}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let common = 0;
  for (let i = 1; i < b.length; i++) {
    const k = `${b[i - 1]}\u0000${b[i]}`;
    const n = counts.get(k) ?? 0;
    if (n > 0) {
      common++;
      counts.set(k, n - 1);
    }
  }
  return (2 * common) / (a.length - 1 + (b.length - 1));
}
