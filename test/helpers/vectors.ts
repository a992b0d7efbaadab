// Seeded test vectors: random unit vectors, and vectors at an exact cosine to a given one.

export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() || Number.MIN_VALUE)) * Math.cos(2 * Math.PI * rand());
}

export function randomUnit(dim: number, rand: () => number): Float32Array {
  const v = new Float64Array(dim);
  let norm = 0;
  for (let i = 0; i < dim; i++) {
    v[i] = gaussian(rand);
    norm += v[i]! ** 2;
  }
  norm = Math.sqrt(norm);
  return Float32Array.from(v, (x) => x / norm);
}

/** A unit vector whose cosine to the unit vector `v` is `cosine` (v rotated towards a random direction). */
export function atCosine(v: Float32Array, cosine: number, rand: () => number): Float32Array {
  const u = randomUnit(v.length, rand);
  const along = cosine64(u, v);
  let norm = 0;
  const ortho = Float64Array.from(u, (x, i) => x - along * v[i]!);
  for (const x of ortho) norm += x * x;
  norm = Math.sqrt(norm);
  const sine = Math.sqrt(1 - cosine * cosine);
  return Float32Array.from(v, (x, i) => cosine * x + (sine * ortho[i]!) / norm);
}

/** Float cosine, in float64. */
export function cosine64(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}
