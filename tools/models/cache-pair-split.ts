// Which cache-pair rule variants are held out: a hash of family and variant, so a held-out pair
// uses a substitution, wrapper or template family that no training pair used.
import { fnv1a } from './prng.js';

export type PairSplit = 'train' | 'heldout';

/** One variant in three is held out. */
export function variantSplit(family: string, variant: string): PairSplit {
  return fnv1a(`cache-pairs:${family}:${variant}`) % 3 === 0 ? 'heldout' : 'train';
}

export const inSplit = (split: PairSplit) => (family: string, variant: string) => variantSplit(family, variant) === split;
