// Multinomial logistic regression on sparse rows, trained with per-weight AdaGrad and L2 decay on
// the rows an example touches. Deterministic: seeded shuffle, fixed iteration order.
import type { SparseRow } from './bag-features.js';
import { createRng, shuffleInPlace } from './prng.js';

// Math through a module constant: under jest's vm sandbox every global lookup in a hot loop is slow.
const M = Math;
const NEG_INFINITY = Number.NEGATIVE_INFINITY;

export interface LinearModel {
  classes: number;
  features: number;
  /** Row-major [features, classes]. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface LinearTrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  /** Per-class loss weight (e.g. to make false positives dearer); default 1 for all. */
  classWeights?: readonly number[];
  /** Return the mean of the weights at the end of each epoch from this one on (default: last only). */
  averageFrom?: number;
}

export function logitsOf(model: LinearModel, row: SparseRow, out = new Float64Array(model.classes)): Float64Array {
  const C = model.classes;
  for (let c = 0; c < C; c++) out[c] = model.bias[c] as number;
  for (let k = 0; k < row.index.length; k++) {
    const base = (row.index[k] as number) * C;
    const x = row.value[k] as number;
    for (let c = 0; c < C; c++) out[c] = (out[c] as number) + x * (model.weights[base + c] as number);
  }
  return out;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

export function trainLinear(
  rows: readonly SparseRow[],
  labels: readonly number[],
  classes: number,
  features: number,
  options: LinearTrainOptions,
): LinearModel {
  const C = classes;
  const model: LinearModel = {
    classes,
    features,
    weights: new Float32Array(features * C),
    bias: new Float32Array(C),
  };
  const gradSq = new Float32Array(features * C);
  const biasGradSq = new Float32Array(C);
  const order = rows.map((_, i) => i);
  const rng = createRng(options.seed);
  const z = new Float64Array(C);
  const g = new Float64Array(C);
  const eps = 1e-8;
  const averageFrom = M.min(options.averageFrom ?? options.epochs - 1, options.epochs - 1);
  const weightSum = new Float64Array(features * C);
  const biasSum = new Float64Array(C);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffleInPlace(order, rng);
    for (const i of order) {
      const row = rows[i] as SparseRow;
      const y = labels[i] as number;
      const scale = options.classWeights?.[y] ?? 1;
      logitsOf(model, row, z);
      let max = NEG_INFINITY;
      for (let c = 0; c < C; c++) max = M.max(max, z[c] as number);
      let sum = 0;
      for (let c = 0; c < C; c++) {
        const e = M.exp((z[c] as number) - max);
        g[c] = e;
        sum += e;
      }
      for (let c = 0; c < C; c++) g[c] = scale * ((g[c] as number) / sum - (c === y ? 1 : 0));
      for (let c = 0; c < C; c++) {
        const gc = g[c] as number;
        biasGradSq[c] = (biasGradSq[c] as number) + gc * gc;
        model.bias[c] = (model.bias[c] as number) - (options.learningRate * gc) / M.sqrt((biasGradSq[c] as number) + eps);
      }
      for (let k = 0; k < row.index.length; k++) {
        const base = (row.index[k] as number) * C;
        const x = row.value[k] as number;
        for (let c = 0; c < C; c++) {
          const w = model.weights[base + c] as number;
          const grad = x * (g[c] as number) + options.l2 * w;
          const acc = (gradSq[base + c] as number) + grad * grad;
          gradSq[base + c] = acc;
          model.weights[base + c] = w - (options.learningRate * grad) / M.sqrt(acc + eps);
        }
      }
    }
    if (epoch >= averageFrom) {
      for (let k = 0; k < weightSum.length; k++) weightSum[k] = (weightSum[k] as number) + (model.weights[k] as number);
      for (let c = 0; c < C; c++) biasSum[c] = (biasSum[c] as number) + (model.bias[c] as number);
    }
  }
  const snapshots = options.epochs - averageFrom;
  for (let k = 0; k < weightSum.length; k++) model.weights[k] = (weightSum[k] as number) / snapshots;
  for (let c = 0; c < C; c++) model.bias[c] = (biasSum[c] as number) / snapshots;
  return model;
}
