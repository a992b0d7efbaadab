// The order-aware embedder, in TypeScript (ordered-embedding-graph.ts computes the same in ONNX).
// Each position t contributes its token vector plus, for each neighbour distance k (1 and 2), a
// binding of the token with the one k places to its right:
//   h_t = v[x_t] + Σ_k β[x_t] β[x_{t+k}] · c_k ⊙ v[x_t] ⊙ roll(v[x_{t+k}], r_k)
// (roll(u, r)_i = u_{(i + r) mod dim}, a fixed rotation of the dimensions per distance; c_k learned
// per-dimension scales; β a learned per-token binding weight, so that "to" can weigh little alone and
// much in "X to Y"). A rotation rather than a random permutation: ONNX runs it as two Slices and a
// Concat, while a Gather along the last axis cost 6x the whole old model. The binding of
// (a, b) is nearly orthogonal to that of (b, a) and to every token vector, so word order, operand
// order and what a number or "not" attaches to move the sentence vector, while tokens that mean the
// same (close vectors) still give close bindings. The sentence embedding is the masked mean of h_t,
// L2-normalised; being linear in h_t, mean pooling at serving time gives the same vector.
import { createRng } from './prng.js';

// Math through a module constant: under jest's vm sandbox every global lookup in a hot loop is slow.
const M = Math;

export interface OrderedEmbedder {
  vocabSize: number;
  dim: number;
  /** Row-major [vocab, dim] token vectors (special tokens stay zero). */
  vectors: Float32Array;
  /** Per-token weight of its bindings. */
  bindWeights: Float32Array;
  /** Neighbour distances bound to each token (1 = the next token). */
  distances: readonly number[];
  /** Per distance: the rotation of the right token's dimensions, and the scales. */
  rolls: readonly number[];
  scales: Float32Array[];
}

/**
 * Starts from token vectors (e.g. the co-occurrence vectors of embedding-trainer.ts); bindings get
 * random-sign scales sized so that a binding of two typical tokens weighs `bindingShare` of one token.
 */
export function initOrderedEmbedder(vectors: Float32Array, vocabSize: number, dim: number, distances: readonly number[], bindingShare: number, seed: number): OrderedEmbedder {
  const rng = createRng(seed);
  let norms = 0;
  let counted = 0;
  for (let t = 0; t < vocabSize; t++) {
    let sq = 0;
    for (let k = 0; k < dim; k++) sq += (vectors[t * dim + k] as number) ** 2;
    if (sq > 0) {
      norms += M.sqrt(sq);
      counted++;
    }
  }
  const typical = norms / M.max(counted, 1);
  // |v_a ⊙ v_b| ≈ |v_a| |v_b| / sqrt(dim) for unrelated directions.
  const scale = (bindingShare * M.sqrt(dim)) / M.max(typical, 1e-6);
  return {
    vocabSize,
    dim,
    vectors: Float32Array.from(vectors),
    bindWeights: new Float32Array(vocabSize).fill(1),
    distances,
    rolls: distances.map(() => 1 + Math.floor(rng() * (dim - 1))),
    scales: distances.map(() => Float32Array.from({ length: dim }, () => (rng() < 0.5 ? -scale : scale))),
  };
}

const rotations = new Map<string, Int32Array>();
/** Source dimension of each output dimension of roll(·, r). */
function rotation(dim: number, r: number): Int32Array {
  const key = `${dim}:${r}`;
  let R = rotations.get(key);
  if (!R) rotations.set(key, (R = Int32Array.from({ length: dim }, (_, i) => (i + r) % dim)));
  return R;
}

/** Unnormalised sentence vector (the sum of h_t; the mean differs only in scale). */
export function sentenceSum(model: OrderedEmbedder, ids: readonly number[], out = new Float32Array(model.dim)): Float32Array {
  const { dim, vectors, bindWeights } = model;
  out.fill(0);
  const n = ids.length;
  for (let t = 0; t < n; t++) {
    const base = (ids[t] as number) * dim;
    for (let k = 0; k < dim; k++) out[k] = (out[k] as number) + (vectors[base + k] as number);
  }
  model.distances.forEach((dist, j) => {
    const R = rotation(dim, model.rolls[j] as number);
    const c = model.scales[j] as Float32Array;
    for (let t = 0; t + dist < n; t++) {
      const ia = ids[t] as number;
      const ib = ids[t + dist] as number;
      const w = (bindWeights[ia] as number) * (bindWeights[ib] as number);
      const a = ia * dim;
      const b = ib * dim;
      for (let k = 0; k < dim; k++) {
        out[k] = (out[k] as number) + w * (c[k] as number) * (vectors[a + k] as number) * (vectors[b + (R[k] as number)] as number);
      }
    }
  });
  return out;
}

/** L2-normalised sentence embedding (what the graph's sentence_embedding computes). */
export function orderedEmbedding(model: OrderedEmbedder, ids: readonly number[]): Float32Array {
  const v = sentenceSum(model, ids);
  let sq = 0;
  for (let k = 0; k < v.length; k++) sq += (v[k] as number) ** 2;
  const norm = M.max(M.sqrt(sq), 1e-12);
  for (let k = 0; k < v.length; k++) v[k] = (v[k] as number) / norm;
  return v;
}

/**
 * Gradient buffers for one update, dense but cleared only where touched: rows and binding weights
 * by token id (the ids in `touched`), and the scales.
 */
export interface Gradient {
  rows: Float32Array;
  bindWeights: Float32Array;
  touched: number[];
  marked: Uint8Array;
  scales: Float32Array[];
}

export function createGradient(model: OrderedEmbedder): Gradient {
  return {
    rows: new Float32Array(model.vectors.length),
    bindWeights: new Float32Array(model.vocabSize),
    touched: [],
    marked: new Uint8Array(model.vocabSize),
    scales: model.distances.map(() => new Float32Array(model.dim)),
  };
}

/** Zeroes what the last update touched. */
export function clearGradient(grad: Gradient, dim: number): void {
  for (const id of grad.touched) {
    grad.rows.fill(0, id * dim, (id + 1) * dim);
    grad.bindWeights[id] = 0;
    grad.marked[id] = 0;
  }
  grad.touched.length = 0;
  for (const s of grad.scales) s.fill(0);
}

/** Adds dLoss/dparams for one text, given g = dLoss/d(sentence sum); ids below `firstRegularId` stay fixed. */
export function accumulateGradient(model: OrderedEmbedder, ids: readonly number[], g: Float32Array, grad: Gradient, firstRegularId: number): void {
  const { dim, vectors, bindWeights } = model;
  const rows = grad.rows;
  const touch = (id: number) => {
    if (grad.marked[id] === 0) {
      grad.marked[id] = 1;
      grad.touched.push(id);
    }
  };
  const n = ids.length;
  for (let t = 0; t < n; t++) {
    const id = ids[t] as number;
    if (id < firstRegularId) continue;
    touch(id);
    const r = id * dim;
    for (let k = 0; k < dim; k++) rows[r + k] = (rows[r + k] as number) + (g[k] as number);
  }
  model.distances.forEach((dist, j) => {
    const R = rotation(dim, model.rolls[j] as number);
    const c = model.scales[j] as Float32Array;
    const gc = grad.scales[j] as Float32Array;
    for (let t = 0; t + dist < n; t++) {
      const ia = ids[t] as number;
      const ib = ids[t + dist] as number;
      if (ia < firstRegularId || ib < firstRegularId) continue; // a zero vector binds to zero
      const a = ia * dim;
      const b = ib * dim;
      const wa = bindWeights[ia] as number;
      const wb = bindWeights[ib] as number;
      const w = wa * wb;
      let along = 0;
      for (let k = 0; k < dim; k++) {
        const rbk = R[k] as number;
        const A = vectors[a + k] as number;
        const B = vectors[b + rbk] as number;
        const gk = g[k] as number;
        const ck = c[k] as number;
        along += gk * ck * A * B;
        gc[k] = (gc[k] as number) + w * gk * A * B;
        rows[a + k] = (rows[a + k] as number) + w * gk * ck * B;
        rows[b + rbk] = (rows[b + rbk] as number) + w * gk * ck * A;
      }
      grad.bindWeights[ia] = (grad.bindWeights[ia] as number) + wb * along;
      grad.bindWeights[ib] = (grad.bindWeights[ib] as number) + wa * along;
    }
  });
}
