// Extra training rows for the jailbreak detector: noisy variants (training noise templates only)
// of training-split benign prompts and chit-chat, labelled benign, and of training-split
// jailbreaks, labelled jailbreak, so that the model learns that ids, markup, code and the like
// around a prompt are not evidence either way. Only the detector trains on these; the shared
// WordPiece vocabulary is built from the datasets alone (corpus.ts), so the other models do not move.
import { randomVariants } from './benign-variants.js';
import type { LabelledText } from './datasets.js';

export const AUGMENTATION = {
  seed: 29,
  /** Variants of each training benign row (label benign; harmful_direct gets none, see jailbreak-calibration.ts). */
  benignPerRow: 1,
  /** Variants of each training chit-chat message: short texts are where the noise weighs most. */
  chatPerRow: 3,
  /** Variants of each training jailbreak. */
  jailbreakPerRow: 1,
};

export interface AugmentedRows {
  texts: string[];
  labels: number[];
}

export function augmentationRows(train: readonly LabelledText[], chat: readonly string[], options = AUGMENTATION): AugmentedRows {
  const benign = train.filter((r) => r.label === 'benign').map((r) => r.text);
  const jailbreak = train.filter((r) => r.label === 'jailbreak').map((r) => r.text);
  const groups: [string[], number, number][] = [
    [benign, options.benignPerRow, 0],
    [[...chat], options.chatPerRow, 0],
    [jailbreak, options.jailbreakPerRow, 1],
  ];
  const texts: string[] = [];
  const labels: number[] = [];
  for (const [rows, perRow, label] of groups) {
    for (const v of randomVariants(rows, 'train', options.seed, perRow)) {
      texts.push(v.text);
      labels.push(label);
    }
  }
  return { texts, labels };
}
