// Random-hyperplane LSH and int8 quantisation for the Redis semantic index.
//
// - Hyperplanes are a pure function of (seed, dimension): every replica computes the same buckets.
//   Components are Irwin–Hall sums of four uniforms from an integer PRNG (close to Gaussian, and
//   bit-for-bit reproducible: no Math.log/Math.cos whose last bits could differ between engines).
// - A vector's signature is L tables × K sign bits, packed per table into B = ceil(K/8) bytes.
//   The bucket of table t is the field `byte(t) + its B bytes`; lookups also probe the buckets one
//   flipped bit away for the P least confident bits of each table (query-directed multi-probe).
// - The whole signature is also a sketch of the vector: the Hamming distance between two
//   signatures estimates their angle (P[bit differs] = angle/π), which lets the Lua script drop
//   far candidates before fetching their vectors.
// - Vectors are stored as int8 with per-vector max-abs scaling (largest component ↦ ±127), which is
//   finer than a fixed ×127 scale for high dimensions. Similarity is the cosine of the int8
//   vectors, dot/(‖a‖‖b‖): scale-free, within ~0.005 of the float cosine at d ≤ 1024.

export interface LshParams {
  /** L: independent hash tables. */
  tables: number;
  /** K: sign bits per table. */
  bits: number;
  /** Extra buckets probed per table at lookup (one least-confident bit flipped each). */
  probes: number;
  seed: number;
}

// Measured with perf/cache-bench.ts (128-d random vectors): at 1M entries a lookup reads ~92 records, and
// 95% of pairs at cosine exactly 0.95 (99% of pairs in [0.95, 0.99]) still meet in some bucket.
export const DEFAULT_LSH: LshParams = { tables: 8, bits: 18, probes: 2, seed: 0x5e3a_17e5 };

export interface Signature {
  /** L × B bytes: the packed sign bits of every table. */
  sig: Buffer;
  /** Index fields to read at lookup: each table's bucket, then its probes. */
  probeFields: Buffer[];
}

export function validateLsh(params: LshParams): void {
  const int = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!int(params.bits, 1, 24)) throw new RangeError('LSH bits must be an integer in 1..24');
  if (!int(params.tables, 1, 64)) throw new RangeError('LSH tables must be an integer in 1..64');
  if (!int(params.probes, 0, params.bits)) throw new RangeError('LSH probes must be an integer in 0..bits');
}

/** 32-bit integer PRNG (mulberry32): the same sequence on every platform. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class LshHasher {
  readonly bytesPerTable: number;
  readonly planes: Float64Array;

  constructor(
    readonly params: LshParams,
    readonly dim: number,
  ) {
    validateLsh(params);
    this.bytesPerTable = Math.ceil(params.bits / 8);
    const rand = mulberry32(Math.imul(params.seed, 0x9e3779b1) ^ dim);
    const n = params.tables * params.bits * dim;
    this.planes = new Float64Array(n);
    for (let i = 0; i < n; i++) this.planes[i] = rand() + rand() + rand() + rand() - 2;
  }

  signature(vec: Float32Array): Signature {
    if (vec.length !== this.dim) throw new RangeError(`vector has ${vec.length} dimensions, hasher ${this.dim}`);
    const { tables, bits, probes } = this.params;
    const B = this.bytesPerTable;
    const projections = project(this.planes, Float64Array.from(vec));
    const sig = Buffer.alloc(tables * B);
    for (let i = 0; i < projections.length; i++) {
      const t = Math.floor(i / bits);
      const k = i - t * bits;
      if (projections[i]! >= 0) sig[t * B + (k >> 3)]! |= 1 << (k & 7);
    }
    const probeFields: Buffer[] = [];
    for (let t = 0; t < tables; t++) {
      const field = Buffer.alloc(1 + B);
      field[0] = t;
      sig.copy(field, 1, t * B, (t + 1) * B);
      probeFields.push(field);
      for (const k of leastConfident(projections.subarray(t * bits, (t + 1) * bits), probes)) {
        const flipped = Buffer.from(field);
        flipped[1 + (k >> 3)]! ^= 1 << (k & 7);
        probeFields.push(flipped);
      }
    }
    return { sig, probeFields };
  }
}

/** Every hyperplane's dot product with `vec` (the hot loop: four accumulators, no property reads). */
function project(planes: Float64Array, vec: Float64Array): Float64Array {
  const d = vec.length;
  const out = new Float64Array(planes.length / d);
  for (let p = 0, base = 0; p < out.length; p++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (; j + 3 < d; j += 4, base += 4) {
      s0 += planes[base]! * vec[j]!;
      s1 += planes[base + 1]! * vec[j + 1]!;
      s2 += planes[base + 2]! * vec[j + 2]!;
      s3 += planes[base + 3]! * vec[j + 3]!;
    }
    for (; j < d; j++, base++) s0 += planes[base]! * vec[j]!;
    out[p] = s0 + s1 + s2 + s3;
  }
  return out;
}

/** Indices of the `n` projections nearest zero (the bits a near neighbour most likely has flipped). */
function leastConfident(projections: Float64Array, n: number): number[] {
  const picked: number[] = [];
  for (let r = 0; r < n; r++) {
    let best = -1;
    for (let k = 0; k < projections.length; k++) {
      if (picked.includes(k)) continue;
      if (best < 0 || Math.abs(projections[k]!) < Math.abs(projections[best]!)) best = k;
    }
    picked.push(best);
  }
  return picked;
}

/**
 * The largest signature Hamming distance still worth a vector fetch for `threshold`: the expected
 * distance at that cosine plus three standard deviations. A pair right at the threshold is dropped
 * with probability ~0.2%, a pair 0.01 above it far more rarely; random candidates (half the bits
 * differ) stop being counted after a few bytes, which is most of the script's work.
 */
export function maxHamming(threshold: number, totalBits: number): number {
  const p = Math.acos(Math.min(1, Math.max(-1, threshold))) / Math.PI;
  return Math.ceil(totalBits * p + 3 * Math.sqrt(totalBits * p * (1 - p)) + 1);
}

/** int8 quantisation with per-vector max-abs scaling (two's complement bytes). */
export function quantize(vec: Float32Array): Buffer {
  let max = 0;
  for (const x of vec) max = Math.max(max, Math.abs(x));
  const out = Buffer.alloc(vec.length);
  if (max === 0 || !Number.isFinite(max)) return out;
  const scale = 127 / max;
  for (let i = 0; i < vec.length; i++) out.writeInt8(Math.max(-127, Math.min(127, Math.round(vec[i]! * scale))), i);
  return out;
}

/** Cosine of two int8 vectors: what the Lua script computes. */
export function int8Cosine(a: Buffer, b: Buffer): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a.readInt8(i);
    const y = b.readInt8(i);
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
