// Numeric helpers for the task heads: softmax, pooling, normalisation, Matryoshka truncation.

/** Numerically stable softmax of `logits[offset .. offset+n)`. */
export function softmax(logits: ArrayLike<number>, offset = 0, n = logits.length - offset): Float64Array {
  const out = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[offset + i] as number);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp((logits[offset + i] as number) - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] = (out[i] as number) / sum;
  return out;
}

export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if ((xs[i] as number) > (xs[best] as number)) best = i;
  return best;
}

/**
 * Pools one row of a [batch, seq, dim] hidden-state tensor. `mean` averages the positions whose
 * mask is 1 (padding excluded); `cls` takes position 0.
 */
export function poolRow(
  hidden: ArrayLike<number>,
  row: number,
  seqLen: number,
  dim: number,
  mask: ArrayLike<number | bigint>,
  pooling: 'mean' | 'cls',
): Float32Array {
  const out = new Float32Array(dim);
  const base = row * seqLen * dim;
  if (pooling === 'cls') {
    for (let d = 0; d < dim; d++) out[d] = hidden[base + d] as number;
    return out;
  }
  let count = 0;
  for (let t = 0; t < seqLen; t++) {
    if (Number(mask[row * seqLen + t]) === 0) continue;
    count++;
    const at = base + t * dim;
    for (let d = 0; d < dim; d++) out[d] = (out[d] as number) + (hidden[at + d] as number);
  }
  if (count > 0) for (let d = 0; d < dim; d++) out[d] = (out[d] as number) / count;
  return out;
}

/** L2-normalises in place and returns the vector; a zero vector stays zero. */
export function l2Normalize(v: Float32Array): Float32Array {
  let sq = 0;
  for (const x of v) sq += x * x;
  const norm = Math.sqrt(sq);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / norm;
  return v;
}

/** Matryoshka: keep the first `dimensions` components, then re-normalise. */
export function truncateEmbedding(v: Float32Array, dimensions: number | undefined): Float32Array {
  if (dimensions === undefined || dimensions >= v.length) return l2Normalize(v);
  return l2Normalize(v.slice(0, dimensions));
}
