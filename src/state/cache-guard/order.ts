// Word order where it carries meaning: "10 divided by 2" is not "2 divided by 10", "Is Paris
// bigger than Rome?" not "Is Rome bigger than Paris?". Only the words both texts use are compared
// (so rewording elsewhere does not count): each text is cut down to its shared words, in its own
// order, and the bigrams of the two sequences must overlap (Dice coefficient) at least
// `min_overlap`. With fewer than `min_shared_words` shared words there is no order to judge.
import type { GuardRule } from './rule.js';
import type { GuardText } from './text.js';

export interface OrderFeatures {
  /** Lower-case words and numbers (as values), in order. */
  words: string[];
  set: Set<string>;
}

export function orderRule(opts: { minOverlap: number; minSharedWords: number }): GuardRule<OrderFeatures> {
  return {
    name: 'order',
    extract: (text: GuardText) => {
      const words: string[] = [];
      for (const t of text.tokens) {
        if (t.kind === 'word') words.push(t.lower);
        else if (t.kind === 'number') words.push(String(Number(t.text.replace(/,/g, ''))));
      }
      return { words, set: new Set(words) };
    },
    compare(a, b) {
      // Shared words get small ids; each text becomes the sequence of its shared words' ids.
      const ids = new Map<string, number>();
      for (const w of a.set) if (b.set.has(w)) ids.set(w, ids.size);
      if (ids.size < opts.minSharedWords) return undefined;
      const overlap = bigramDice(sharedSequence(a.words, ids), sharedSequence(b.words, ids));
      return overlap < opts.minOverlap ? `shared words reordered: bigram overlap ${overlap.toFixed(2)} < ${opts.minOverlap}` : undefined;
    },
  };
}

function sharedSequence(words: readonly string[], ids: ReadonlyMap<string, number>): number[] {
  const out: number[] = [];
  for (const w of words) {
    const id = ids.get(w);
    if (id !== undefined) out.push(id);
  }
  return out;
}

/** 2·|common bigrams| / (|bigrams a| + |bigrams b|), bigrams as a multiset; ids below 2^20. */
export function bigramDice(a: readonly number[], b: readonly number[]): number {
  if (a.length < 2 || b.length < 2) return 1;
  const ka = bigramKeys(a);
  const kb = bigramKeys(b);
  // Both sorted: count the common keys in one merge.
  let common = 0;
  for (let i = 0, j = 0; i < ka.length && j < kb.length; ) {
    if (ka[i]! === kb[j]!) {
      common++;
      i++;
      j++;
    } else if (ka[i]! < kb[j]!) i++;
    else j++;
  }
  return (2 * common) / (ka.length + kb.length);
}

function bigramKeys(ids: readonly number[]): Float64Array {
  const keys = new Float64Array(ids.length - 1);
  for (let i = 1; i < ids.length; i++) keys[i - 1] = ids[i - 1]! * 0x100000 + ids[i]!;
  return keys.sort();
}
