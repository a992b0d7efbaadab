// The bag-of-features view of a token sequence, exactly as the ONNX graph computes it: every token
// id, plus every adjacent pair of ids hashed to a slot, (left * multiplier + right) mod slots, that
// a lookup table maps to a selected pair feature (0 = not selected, weight 0). Each feature is
// weighted by its IDF and the sum is L2-normalised over occurrences.

// Math through a module constant: under jest's vm sandbox every global lookup in a hot loop is slow.
const M = Math;

export interface BagSpec {
  vocabSize: number;
  /** Number of hash slots for token pairs. */
  pairSlots: number;
  multiplier: number;
  /** slot → 1..selected pair feature, 0 when the slot's pairs were not selected. */
  pairIndex: Int32Array;
  /** Number of selected pair features. */
  pairCount: number;
}

export interface SparseRow {
  index: Int32Array;
  value: Float32Array;
}

/** Unigram ids, then pair features (vocabSize + 0 is "no selected pair"). */
export function featureCount(spec: BagSpec): number {
  return spec.vocabSize + spec.pairCount + 1;
}

export function pairSlot(left: number, right: number, spec: Pick<BagSpec, 'multiplier' | 'pairSlots'>): number {
  return (left * spec.multiplier + right) % spec.pairSlots;
}

/** Pair slots of one sequence. */
export function pairSlots(ids: readonly number[], spec: Pick<BagSpec, 'multiplier' | 'pairSlots'>): Int32Array {
  const out = new Int32Array(M.max(0, ids.length - 1));
  for (let i = 0; i + 1 < ids.length; i++) out[i] = pairSlot(ids[i] as number, ids[i + 1] as number, spec);
  return out;
}

/** The `maxPairs` slots found in most training sequences (at least `minDocs`), numbered from 1 in slot order. */
export function selectPairs(
  sequences: readonly (readonly number[])[],
  spec: Pick<BagSpec, 'multiplier' | 'pairSlots'>,
  maxPairs: number,
  minDocs: number,
  skipToken: (id: number) => boolean = () => false,
): { pairIndex: Int32Array; pairCount: number } {
  const df = new Int32Array(spec.pairSlots);
  const lastSeen = new Int32Array(spec.pairSlots).fill(-1);
  sequences.forEach((ids, d) => {
    const slots = pairSlots(ids, spec);
    for (let i = 0; i < slots.length; i++) {
      if (skipToken(ids[i] as number) || skipToken(ids[i + 1] as number)) continue;
      const slot = slots[i] as number;
      if (lastSeen[slot] !== d) {
        lastSeen[slot] = d;
        df[slot] = (df[slot] as number) + 1;
      }
    }
  });
  const candidates: number[] = [];
  for (let s = 0; s < spec.pairSlots; s++) if ((df[s] as number) >= minDocs) candidates.push(s);
  candidates.sort((a, b) => (df[b] as number) - (df[a] as number) || a - b);
  const chosen = candidates.slice(0, maxPairs).sort((a, b) => a - b);
  const pairIndex = new Int32Array(spec.pairSlots);
  chosen.forEach((slot, i) => {
    pairIndex[slot] = i + 1;
  });
  return { pairIndex, pairCount: chosen.length };
}

/** Raw feature ids of one sequence (unigrams, then pair features), repeats kept. */
export function featureIds(ids: readonly number[], spec: BagSpec): Int32Array {
  const n = ids.length;
  const out = new Int32Array(n + M.max(0, n - 1));
  for (let i = 0; i < n; i++) out[i] = ids[i] as number;
  const slots = pairSlots(ids, spec);
  for (let i = 0; i < slots.length; i++) out[n + i] = spec.vocabSize + (spec.pairIndex[slots[i] as number] as number);
  return out;
}

/** Smoothed IDF over documents, ln((N + 1) / (df + 1)) + 1; `zero` features get weight 0. */
export function inverseDocumentFrequency(docs: readonly Int32Array[], size: number, zero: readonly number[]): Float32Array {
  const df = new Float64Array(size);
  const lastSeen = new Int32Array(size).fill(-1);
  docs.forEach((doc, d) => {
    for (const f of doc) {
      if (lastSeen[f] !== d) {
        lastSeen[f] = d;
        df[f] = (df[f] as number) + 1;
      }
    }
  });
  const idf = new Float32Array(size);
  for (let f = 0; f < size; f++) idf[f] = M.log((docs.length + 1) / ((df[f] as number) + 1)) + 1;
  for (const f of zero) idf[f] = 0;
  return idf;
}

/** Merges repeats and applies the graph's weighting: value = Σ idf / sqrt(Σ over occurrences idf²). */
export function weightedRow(features: Int32Array, idf: Float32Array): SparseRow {
  const sums = new Map<number, number>();
  let squares = 0;
  for (const f of features) {
    const w = idf[f] as number;
    squares += w * w;
    if (w !== 0) sums.set(f, (sums.get(f) ?? 0) + w);
  }
  const keys = [...sums.keys()].sort((a, b) => a - b);
  const index = Int32Array.from(keys);
  const value = new Float32Array(keys.length);
  const denom = M.max(M.sqrt(squares), 1e-6);
  keys.forEach((f, i) => {
    value[i] = (sums.get(f) as number) / denom;
  });
  return { index, value };
}
