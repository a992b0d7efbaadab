// Which cache-pair rule variants are held out: a hash of family and variant, so a held-out pair
// uses a substitution, wrapper or template family that no training pair used.
import { fnv1a } from './prng.js';

export type PairSplit = 'train' | 'heldout';

const splits = new Map<string, PairSplit>();

/** One variant in three is held out (memoised: rules ask for every candidate variant of every question). */
export function variantSplit(family: string, variant: string): PairSplit {
  const key = `cache-pairs:${family}:${variant}`;
  let split = splits.get(key);
  if (split === undefined) splits.set(key, (split = fnv1a(key) % 3 === 0 ? 'heldout' : 'train'));
  return split;
}

export const inSplit = (split: PairSplit) => (family: string, variant: string) => variantSplit(family, variant) === split;
