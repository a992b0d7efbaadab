// Training a bag-of-features classifier (domain, jailbreak) from token ids and labels.
import { featureCount, featureIds, inverseDocumentFrequency, selectPairs, weightedRow, type BagSpec, type SparseRow } from './bag-features.js';
import type { BagClassifierParts } from './bag-graph.js';
import { argmax, logitsOf, trainLinear, type LinearTrainOptions } from './linear-trainer.js';

export interface BagTrainOptions extends LinearTrainOptions {
  vocabSize: number;
  pairSlots: number;
  maxPairs: number;
  minPairDocs: number;
  /** IDF multiplier of pair features relative to unigrams. */
  pairWeight: number;
  /** Tokens whose IDF is multiplied by `dampFactor` and that never form pair features. */
  dampedToken?: (id: number) => boolean;
  dampFactor?: number;
}

export const PAIR_MULTIPLIER = 1000003;

export interface TrainedBag extends BagClassifierParts {
  rowsOf(ids: readonly number[]): SparseRow;
  predict(ids: readonly number[]): Float64Array;
}

export function trainBagClassifier(
  sequences: readonly (readonly number[])[],
  labels: readonly number[],
  classes: number,
  options: BagTrainOptions,
): TrainedBag {
  const base = { vocabSize: options.vocabSize, pairSlots: options.pairSlots, multiplier: PAIR_MULTIPLIER };
  const spec: BagSpec = { ...base, ...selectPairs(sequences, base, options.maxPairs, options.minPairDocs, options.dampedToken) };
  const docs = sequences.map((ids) => featureIds(ids, spec));
  const idf = inverseDocumentFrequency(docs, featureCount(spec), [spec.vocabSize]);
  for (let f = spec.vocabSize; f < idf.length; f++) idf[f] = (idf[f] as number) * options.pairWeight;
  if (options.dampedToken) {
    for (let t = 0; t < spec.vocabSize; t++) if (options.dampedToken(t)) idf[t] = (idf[t] as number) * (options.dampFactor ?? 0);
  }
  const rows = docs.map((doc) => weightedRow(doc, idf));
  const model = trainLinear(rows, labels, classes, featureCount(spec), options);
  const rowsOf = (ids: readonly number[]) => weightedRow(featureIds(ids, spec), idf);
  return { spec, idf, model, rowsOf, predict: (ids) => logitsOf(model, rowsOf(ids)) };
}

export function predictLabels(bag: TrainedBag, sequences: readonly (readonly number[])[]): number[] {
  return sequences.map((ids) => argmax(bag.predict(ids)));
}
