// models/embedding: the order-aware token embedder (ordered-embedding.ts), started from IDF-scaled
// PPMI token vectors (embedding-trainer.ts) and trained on rule-made cache pairs (cache-pairs.ts).
// Also writes heldout-pairs.jsonl, the held-out pairs `semroute eval --cache-pairs` calibrates on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calibrationCurve, lowestThreshold, pairCounts, type ScoredPair } from '../../src/state/cache-calibration.js';
import type { Corpus } from './corpus.js';
import type { ModelReport } from './build-domain.js';
import { buildCachePairs, cacheQuestions, type CachePair } from './cache-pairs.js';
import { dot, embeddingFigures } from './embedding-eval.js';
import { removeCommonDirection, trainTokenVectors } from './embedding-trainer.js';
import { round } from './metrics.js';
import { heldoutSample, writeModelFolder } from './model-folder.js';
import { initOrderedEmbedder, orderedEmbedding } from './ordered-embedding.js';
import { orderedEmbeddingOnnx } from './ordered-embedding-graph.js';
import { trainOrderedEmbedder, type PairGroup } from './ordered-embedding-trainer.js';
import { fnv1a } from './prng.js';
import { MODEL_MAX_LENGTH, SPECIAL_TOKENS } from './tokenizer-files.js';

export const EMBEDDING_DIM = 128;
/** The starting token vectors (co-occurrence, see embedding-trainer.ts). */
export const EMBEDDING_TRAINING = { window: 4, identityShare: 0.5, seed: 29 };
export const ORDERED_TRAINING = {
  distances: [1, 2],
  bindingShare: 1,
  initSeed: 43,
  epochs: 2,
  learningRate: 0.05,
  scaleLearningRate: 0.01,
  bindWeightLearningRate: 0.02,
  threshold: 0.85,
  sharpness: 25,
  nearMissWeight: 2,
  randomThreshold: 0.5,
  randomWeight: 0.5,
  randomNegatives: 4,
  seed: 41,
  /** Training sees the first tokens of each text (the questions are ≤ 32 words; serving sees 512). */
  maxTokens: 96,
};
export const HELDOUT_PAIRS_FILE = 'heldout-pairs.jsonl';
/** Pairs in the shipped file: a sample of the held-out pairs chosen by hash (all of them would be ~1 MB). */
export const SHIPPED_PAIRS = 3000;
const CONTEXT_TOKENS = 256;

function pairGroups(pairs: readonly CachePair[], encode: (text: string) => number[]): PairGroup[] {
  const groups = new Map<string, { anchor: number[]; others: { ids: number[]; same: boolean }[] }>();
  for (const p of pairs) {
    let g = groups.get(p.a);
    if (!g) groups.set(p.a, (g = { anchor: encode(p.a), others: [] }));
    g.others.push({ ids: encode(p.b), same: p.same });
  }
  return [...groups.values()];
}

/** The shipped calibration file: a stable sample of the held-out pairs, in the same proportions. */
export function shippedPairs(heldout: readonly CachePair[]): CachePair[] {
  return heldout
    .map((p) => ({ p, key: fnv1a(`shipped:${p.a}\n${p.b}`) }))
    .sort((x, y) => x.key - y.key || (x.p.a < y.p.a ? -1 : x.p.a > y.p.a ? 1 : x.p.b < y.p.b ? -1 : 1))
    .slice(0, SHIPPED_PAIRS)
    .map(({ p }) => p);
}

function pairFigures(embed: (text: string) => Float32Array, pairs: readonly CachePair[]) {
  const scored: ScoredPair[] = pairs.map((p) => ({ cosine: dot(embed(p.a), embed(p.b)), same: p.same }));
  const at1 = lowestThreshold(scored, 0.01, false);
  return {
    ...pairCounts(scored),
    lowestThresholdFor1PercentFalseHits: at1.threshold,
    paraphraseHitRateThere: at1.paraphraseHitRate === undefined ? undefined : round(at1.paraphraseHitRate),
    curve: calibrationCurve(scored).map((c) => ({ threshold: c.threshold, falseHitRate: round(c.falseHitRate), paraphraseHitRate: round(c.paraphraseHitRate) })),
  };
}

export function buildEmbedding(corpus: Corpus, outDir: string): ModelReport {
  const sequences = [...corpus.domain.train.ids, ...corpus.jailbreak.train.ids].map((ids) => ids.slice(0, CONTEXT_TOKENS));
  const vocabSize = corpus.vocab.length;
  const firstRegularId = SPECIAL_TOKENS.length;
  const vectors = trainTokenVectors(sequences, { ...EMBEDDING_TRAINING, vocabSize, dim: EMBEDDING_DIM, firstRegularId });
  removeCommonDirection(vectors, sequences, EMBEDDING_DIM);

  const o = ORDERED_TRAINING;
  const pairs = buildCachePairs(cacheQuestions(corpus));
  const memo = new Map<string, number[]>();
  const encode = (text: string) => {
    let ids = memo.get(text);
    if (!ids) memo.set(text, (ids = corpus.encode(text)));
    return ids;
  };
  const model = initOrderedEmbedder(vectors, vocabSize, EMBEDDING_DIM, o.distances, o.bindingShare, o.initSeed);
  const stats = trainOrderedEmbedder(model, pairGroups(pairs.train, (t) => encode(t).slice(0, o.maxTokens)), { ...o, firstRegularId });

  const embedded = new Map<string, Float32Array>();
  const embed = (text: string) => {
    let v = embedded.get(text);
    if (!v) embedded.set(text, (v = orderedEmbedding(model, encode(text))));
    return v;
  };
  const heldout = heldoutSample(corpus.domain.test.rows);
  const reference = heldoutSample(corpus.domain.train.rows, 4000);
  const raw = embeddingFigures(embed, heldout, reference, 31);
  const shipped = shippedPairs(pairs.heldout);
  const figures = {
    dim: EMBEDDING_DIM,
    questions: heldout.length,
    referenceQuestions: reference.length,
    perturbedCosine: round(raw.perturbedCosine),
    randomPairCosine: round(raw.randomPairCosine),
    perturbedTop1: round(raw.perturbedTop1),
    nearestNeighbourDomainAccuracy: round(raw.nearestNeighbourDomainAccuracy),
    trainingPairs: pairs.train.length,
    trainingLoss: stats.epochLoss.map((x) => round(x)),
    // Without the cache guard (it lives in src/; `semroute eval --cache-pairs` reports both).
    heldoutPairs: pairFigures(embed, pairs.heldout),
    shippedPairs: pairFigures(embed, shipped),
  };
  const dir = join(outDir, 'embedding');
  writeModelFolder(dir, {
    onnx: orderedEmbeddingOnnx(model, {
      producerName: 'semroute-tools-models',
      docString: 'semroute default sentence embedding (token vectors + bindings of each token with the next two, mean pooling)',
    }),
    config: {
      architectures: ['SemrouteOrderedEmbeddingModel'],
      model_type: 'semroute-ordered-embedding',
      hidden_size: EMBEDDING_DIM,
      vocab_size: vocabSize,
      max_position_embeddings: MODEL_MAX_LENGTH,
      pad_token_id: 0,
      pooling: 'mean',
      normalize: true,
      binding_distances: o.distances,
    },
    tokenizer: corpus.files,
    extra: { 'training_figures.json': figures },
  });
  writeFileSync(join(dir, HELDOUT_PAIRS_FILE), shipped.map((p) => JSON.stringify(p)).join('\n') + '\n');
  return { name: 'embedding', figures };
}
