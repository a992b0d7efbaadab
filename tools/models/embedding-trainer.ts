// Token vectors for the embedding model, from co-occurrence statistics of the training text:
// PPMI (context distribution smoothed by ^0.75) projected to `dim` by a seeded random matrix, mixed
// with a per-token random direction (so distinct words stay distinguishable, which the semantic
// cache needs), unit-normalised and scaled by IDF. Special tokens get the zero vector.
import { createRng } from './prng.js';

// Math through a module constant: under jest's vm sandbox every global lookup in a hot loop is slow.
const M = Math;

export interface EmbeddingOptions {
  vocabSize: number;
  dim: number;
  window: number;
  /** Weight of the per-token random direction against the co-occurrence direction, in [0, 1]. */
  identityShare: number;
  /** Ids below this are special tokens (zero vectors, not counted as context). */
  firstRegularId: number;
  seed: number;
}

function gaussianTable(rows: number, dim: number, rng: () => number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < out.length; i += 2) {
    const u = M.max(rng(), 1e-12);
    const v = rng();
    const r = M.sqrt(-2 * M.log(u));
    out[i] = r * M.cos(2 * M.PI * v);
    if (i + 1 < out.length) out[i + 1] = r * M.sin(2 * M.PI * v);
  }
  return out;
}

function normaliseRow(table: Float32Array, row: number, dim: number): void {
  let sq = 0;
  for (let k = 0; k < dim; k++) sq += (table[row * dim + k] as number) ** 2;
  const norm = M.sqrt(sq);
  if (norm === 0) return;
  for (let k = 0; k < dim; k++) table[row * dim + k] = (table[row * dim + k] as number) / norm;
}

export function tokenIdf(sequences: readonly (readonly number[])[], vocabSize: number): Float32Array {
  const df = new Float64Array(vocabSize);
  const lastSeen = new Int32Array(vocabSize).fill(-1);
  sequences.forEach((ids, d) => {
    for (const t of ids) {
      if (lastSeen[t] !== d) {
        lastSeen[t] = d;
        df[t] = (df[t] as number) + 1;
      }
    }
  });
  return Float32Array.from(df, (n) => M.log((sequences.length + 1) / (n + 1)) + 1);
}

/** Sorted co-occurrence keys (target * V + context) within the window, both directions. */
function cooccurrenceKeys(sequences: readonly (readonly number[])[], options: EmbeddingOptions): Uint32Array {
  const { vocabSize: V, window, firstRegularId } = options;
  let keys = new Uint32Array(1 << 20);
  let n = 0;
  const push = (key: number) => {
    if (n === keys.length) {
      const grown = new Uint32Array(keys.length * 2);
      grown.set(keys);
      keys = grown;
    }
    keys[n++] = key;
  };
  for (const ids of sequences) {
    for (let i = 0; i < ids.length; i++) {
      const a = ids[i] as number;
      if (a < firstRegularId) continue;
      for (let j = i + 1; j <= i + window && j < ids.length; j++) {
        const b = ids[j] as number;
        if (b < firstRegularId) continue;
        push(a * V + b);
        push(b * V + a);
      }
    }
  }
  return keys.subarray(0, n).sort();
}

export function trainTokenVectors(sequences: readonly (readonly number[])[], options: EmbeddingOptions): Float32Array {
  const { vocabSize: V, dim, identityShare, firstRegularId } = options;
  const rng = createRng(options.seed);
  const projection = gaussianTable(V, dim, rng);
  const identity = gaussianTable(V, dim, rng);
  for (let t = 0; t < V; t++) normaliseRow(identity, t, dim);

  const keys = cooccurrenceKeys(sequences, options);
  const marginal = new Float64Array(V);
  for (const key of keys) marginal[key % V] = (marginal[key % V] as number) + 1;
  const total = keys.length;
  const smoothed = Float64Array.from(marginal, (m) => m ** 0.75);
  const smoothedTotal = smoothed.reduce((a, b) => a + b, 0);

  const context = new Float32Array(V * dim);
  for (let start = 0; start < keys.length; ) {
    const key = keys[start] as number;
    let end = start + 1;
    while (end < keys.length && keys[end] === key) end++;
    const count = end - start;
    start = end;
    const t = M.floor(key / V);
    const c = key % V;
    const pmi = M.log((count / total) / (((marginal[t] as number) / total) * ((smoothed[c] as number) / smoothedTotal)));
    if (pmi <= 0) continue;
    for (let k = 0; k < dim; k++) context[t * dim + k] = (context[t * dim + k] as number) + pmi * (projection[c * dim + k] as number);
  }

  const idf = tokenIdf(sequences, V);
  const vectors = new Float32Array(V * dim);
  for (let t = firstRegularId; t < V; t++) {
    normaliseRow(context, t, dim);
    for (let k = 0; k < dim; k++) {
      vectors[t * dim + k] = identityShare * (identity[t * dim + k] as number) + (1 - identityShare) * (context[t * dim + k] as number);
    }
    normaliseRow(vectors, t, dim);
    for (let k = 0; k < dim; k++) vectors[t * dim + k] = (vectors[t * dim + k] as number) * (idf[t] as number);
  }
  return vectors;
}

/**
 * Projects the direction that all sentences share (the unit average sentence mean, dominated by
 * common words) out of every token vector, as SIF embeddings do with the first principal
 * component. Pooling is linear, so this equals projecting it out of every sentence embedding, and
 * it moves unrelated sentences apart without biasing short texts towards each other.
 */
export function removeCommonDirection(vectors: Float32Array, sequences: readonly (readonly number[])[], dim: number): void {
  const common = new Float64Array(dim);
  for (const ids of sequences) {
    if (ids.length === 0) continue;
    for (const t of ids) for (let k = 0; k < dim; k++) common[k] = (common[k] as number) + (vectors[t * dim + k] as number) / ids.length;
  }
  const norm = M.sqrt(common.reduce((a, b) => a + b * b, 0));
  if (norm === 0) return;
  for (let k = 0; k < dim; k++) common[k] = (common[k] as number) / norm;
  for (let row = 0; row < vectors.length / dim; row++) {
    let along = 0;
    for (let k = 0; k < dim; k++) along += (vectors[row * dim + k] as number) * (common[k] as number);
    for (let k = 0; k < dim; k++) vectors[row * dim + k] = (vectors[row * dim + k] as number) - along * (common[k] as number);
  }
}
