// Metric learning for the order-aware embedder on cache pairs: a logistic loss on the cosine of
// each pair around one threshold (paraphrases above it, near misses below it, near misses weighted
// more: a false hit serves a wrong answer, a missed paraphrase only costs a model call), plus
// unrelated questions pushed below a lower threshold (recent anchors as random negatives, without
// gradient through them). Per-coordinate AdaGrad on the rows a group touches; deterministic.
import { accumulateGradient, clearGradient, createGradient, sentenceSum, type OrderedEmbedder } from './ordered-embedding.js';
import { createRng, shuffleInPlace } from './prng.js';

// Math through a module constant: under jest's vm sandbox every global lookup in a hot loop is slow.
const M = Math;

/** One anchor question and the questions paired with it. */
export interface PairGroup {
  anchor: readonly number[];
  others: readonly { ids: readonly number[]; same: boolean }[];
}

export interface OrderedTrainOptions {
  epochs: number;
  learningRate: number;
  scaleLearningRate: number;
  bindWeightLearningRate: number;
  /** Cosine the loss centres on, and its sharpness (logit = sharpness · (cos − threshold)). */
  threshold: number;
  sharpness: number;
  nearMissWeight: number;
  randomThreshold: number;
  randomWeight: number;
  /** Recent anchors used as unrelated questions for the current one. */
  randomNegatives: number;
  firstRegularId: number;
  seed: number;
}

const sigmoid = (x: number) => 1 / (1 + M.exp(-x));

function unit(v: Float32Array): { unit: Float32Array; norm: number } {
  let sq = 0;
  for (let k = 0; k < v.length; k++) sq += (v[k] as number) ** 2;
  const norm = M.max(M.sqrt(sq), 1e-12);
  const u = new Float32Array(v.length);
  for (let k = 0; k < v.length; k++) u[k] = (v[k] as number) / norm;
  return { unit: u, norm };
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] as number) * (b[k] as number);
  return s;
}

/** g += w · d cos(a, b) / d a, for unit vectors ua, ub and |a| = na. */
function addCosineGradient(g: Float32Array, w: number, ua: Float32Array, ub: Float32Array, cos: number, na: number): void {
  for (let k = 0; k < g.length; k++) g[k] = (g[k] as number) + (w * ((ub[k] as number) - cos * (ua[k] as number))) / na;
}

export interface TrainStats {
  /** Mean loss per pair in each epoch. */
  epochLoss: number[];
}

export function trainOrderedEmbedder(model: OrderedEmbedder, groups: readonly PairGroup[], options: OrderedTrainOptions): TrainStats {
  const { dim } = model;
  const rowSq = new Float32Array(model.vectors.length);
  const scaleSq = model.distances.map(() => new Float32Array(dim));
  const bindSq = new Float32Array(model.vocabSize);
  const order = groups.map((_, i) => i);
  const rng = createRng(options.seed);
  const eps = 1e-8;
  const recent: Float32Array[] = [];
  const epochLoss: number[] = [];
  const grad = createGradient(model);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffleInPlace(order, rng);
    let loss = 0;
    let pairs = 0;
    for (const gi of order) {
      const group = groups[gi] as PairGroup;
      const texts = [group.anchor, ...group.others.map((o) => o.ids)];
      const encoded = texts.map((ids) => unit(sentenceSum(model, ids)));
      const grads = texts.map(() => new Float32Array(dim));
      const a = encoded[0]!;
      group.others.forEach((other, j) => {
        const b = encoded[j + 1]!;
        const cos = dot(a.unit, b.unit);
        const z = options.sharpness * (cos - options.threshold);
        // d loss / d cos of softplus(-z) (paraphrase) or weight · softplus(z) (near miss).
        const dCos = other.same ? -options.sharpness * sigmoid(-z) : options.nearMissWeight * options.sharpness * sigmoid(z);
        loss += other.same ? M.log1p(M.exp(-z)) : options.nearMissWeight * M.log1p(M.exp(z));
        pairs++;
        addCosineGradient(grads[0]!, dCos, a.unit, b.unit, cos, a.norm);
        addCosineGradient(grads[j + 1]!, dCos, b.unit, a.unit, cos, b.norm);
      });
      for (const r of recent) {
        const cos = dot(a.unit, r);
        const z = options.sharpness * (cos - options.randomThreshold);
        addCosineGradient(grads[0]!, options.randomWeight * options.sharpness * sigmoid(z), a.unit, r, cos, a.norm);
      }
      recent.push(a.unit);
      if (recent.length > options.randomNegatives) recent.shift();

      texts.forEach((ids, i) => accumulateGradient(model, ids, grads[i]!, grad, options.firstRegularId));
      for (const id of grad.touched) {
        const base = id * dim;
        for (let k = 0; k < dim; k++) {
          const gk = grad.rows[base + k] as number;
          const acc = (rowSq[base + k] as number) + gk * gk;
          rowSq[base + k] = acc;
          model.vectors[base + k] = (model.vectors[base + k] as number) - (options.learningRate * gk) / M.sqrt(acc + eps);
        }
      }
      for (const id of grad.touched) {
        const g = grad.bindWeights[id] as number;
        bindSq[id] = (bindSq[id] as number) + g * g;
        model.bindWeights[id] = (model.bindWeights[id] as number) - (options.bindWeightLearningRate * g) / M.sqrt(bindSq[id] + eps);
      }
      grad.scales.forEach((g, j) => {
        const c = model.scales[j] as Float32Array;
        const sq = scaleSq[j] as Float32Array;
        for (let k = 0; k < dim; k++) {
          const gk = g[k] as number;
          sq[k] = (sq[k] as number) + gk * gk;
          c[k] = (c[k] as number) - (options.scaleLearningRate * gk) / M.sqrt((sq[k] as number) + eps);
        }
      });
      clearGradient(grad, dim);
    }
    epochLoss.push(loss / M.max(pairs, 1));
  }
  return { epochLoss };
}
