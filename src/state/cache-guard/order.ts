// Word order where it carries meaning: "10 divided by 2" is not "2 divided by 10", "from Boston
// to Oslo" not "from Oslo to Boston", "Is a dog bigger than a cat?" not "Is a cat bigger than a
// dog?". Only the content words both texts share are compared (function words aside; "than",
// "by", "from", "to" kept), each text in its own order, so rewording elsewhere does not count.
//
// Local order is their bigram overlap (Dice); it must be at least `min_overlap`, or else:
// - two shared anchors (numbers, names, units of measure) have swapped places: rejected, however
//   few words are shared ("Calculate 18 - 42" / "42 minus 18");
// - with at least `min_shared_words` shared words, the share of word pairs in the same order is
//   below `min_overlap` too: rejected.
// A moved clause ("On Sunday, what are ..." / "What are ... on Sunday?") keeps its bigrams; a
// reworded sentence ("Is it safe to give chocolate to my cat?" / "Is chocolate safe for a
// cat?") its overall order; a swap of roles keeps neither. Scripts without spaces are read a
// character at a time, so there the rule is weak unless numbers or names swap.
import { nameKind } from './entities.js';
import type { GuardRule } from './rule.js';
import type { GuardText } from './text.js';
import { unitOf } from './units.js';

export interface OrderFeatures {
  /** Content words (lower case; numbers as values), in order. */
  words: string[];
  set: Set<string>;
  /** The anchors among them. */
  anchors: Set<string>;
}

/** Words that carry no role of their own; relation words (than, by, from, to, ...) are not here. */
const FUNCTION_WORDS = new Set(
  ('a an the is are was were be been being am it its this that these those there here of in on at for with as and or but ' +
    'do does did done can could will would should shall may might must i me my mine you your yours he him his she her hers ' +
    'we us our they them their what which who whom whose how when where why please just really very so some any all ' +
    'if then also too not no yes ok okay hi hello hey thanks thank tell give get know want need like let quick question ' +
    "it's what's i'm don't can't isn't true").split(' '),
);

export function orderRule(opts: { minOverlap: number; minSharedWords: number }): GuardRule<OrderFeatures> {
  return {
    name: 'order',
    extract: (text: GuardText) => {
      const words: string[] = [];
      const anchors = new Set<string>();
      const { tokens } = text;
      for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i]!;
        if (t.kind === 'number') {
          const value = String(Number(t.text.replace(/,/g, '')));
          words.push(value);
          anchors.add(value);
        } else if (t.kind === 'word' && !FUNCTION_WORDS.has(t.lower)) {
          words.push(t.lower);
          if (nameKind(t) !== undefined || isMeasureUnit(t.lower)) anchors.add(t.lower);
        }
      }
      return { words, set: new Set(words), anchors };
    },
    compare(a, b) {
      // Shared words get small ids; each text becomes the sequence of its shared words' ids.
      const ids = new Map<string, number>();
      for (const w of a.set) if (b.set.has(w)) ids.set(w, ids.size);
      if (ids.size < 2) return undefined;
      const sa = sharedSequence(a.words, ids);
      const sb = sharedSequence(b.words, ids);
      const bigrams = bigramDice(sa, sb);
      if (bigrams >= opts.minOverlap) return undefined;
      const swapped = swappedAnchors(sa, sb, ids, (w) => a.anchors.has(w) || b.anchors.has(w));
      if (swapped) return `swapped: ${swapped} (bigram overlap ${bigrams.toFixed(2)} < ${opts.minOverlap})`;
      if (ids.size < opts.minSharedWords) return undefined;
      const pairs = pairOrderAgreement(sa, sb, ids.size);
      if (pairs >= opts.minOverlap) return undefined;
      return `shared words reordered: bigram overlap ${bigrams.toFixed(2)}, pairs in order ${pairs.toFixed(2)} < ${opts.minOverlap}`;
    },
  };
}

/** Time units ("hours", "days") are everyday nouns; units of length, mass, money... are anchors. */
const TIME_UNITS = new Set(['s', 'ms', 'min', 'h', 'd', 'wk', 'mo', 'yr']);
function isMeasureUnit(lower: string): boolean {
  const alias = unitOf(lower);
  return alias !== undefined && alias.bare && !TIME_UNITS.has(alias.unit);
}

function sharedSequence(words: readonly string[], ids: ReadonlyMap<string, number>): number[] {
  const out: number[] = [];
  for (const w of words) {
    const id = ids.get(w);
    if (id !== undefined) out.push(id);
  }
  return out;
}

/** Each id's first position in the sequence. */
function firstPositions(seq: readonly number[], n: number): Int32Array {
  const pos = new Int32Array(n).fill(-1);
  seq.forEach((id, i) => {
    if (pos[id] === -1) pos[id] = i;
  });
  return pos;
}

/** Two shared anchors whose order differs ("boston, oslo"), if any. */
function swappedAnchors(sa: readonly number[], sb: readonly number[], ids: ReadonlyMap<string, number>, isAnchor: (w: string) => boolean): string | undefined {
  const anchors = [...ids].filter(([w]) => isAnchor(w));
  if (anchors.length < 2) return undefined;
  const pa = firstPositions(sa, ids.size);
  const pb = firstPositions(sb, ids.size);
  for (let i = 0; i < anchors.length; i++) {
    for (let j = i + 1; j < anchors.length; j++) {
      const [wi, x] = anchors[i]!;
      const [wj, y] = anchors[j]!;
      if (pa[x]! < pa[y]! !== pb[x]! < pb[y]!) return `${wi}, ${wj}`;
    }
  }
  return undefined;
}

/** The share of shared-word pairs that come in the same order in both (first occurrences). */
export function pairOrderAgreement(sa: readonly number[], sb: readonly number[], n: number): number {
  const pa = firstPositions(sa, n);
  const pb = firstPositions(sb, n);
  let same = 0;
  let all = 0;
  for (let x = 0; x < n; x++) {
    for (let y = x + 1; y < n; y++) {
      all++;
      if (pa[x]! < pa[y]! === pb[x]! < pb[y]!) same++;
    }
  }
  return all === 0 ? 1 : same / all;
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
