// Calibrating the semantic cache's similarity threshold on labelled question pairs: per threshold,
// the share of near misses (different answers) that would be served the other's answer (false
// hits) and the share of paraphrases that would hit, with and without the cache guard; and the
// lowest threshold that keeps false hits under a target. Used by `semroute eval --cache-pairs` and
// by the model build (tools/models/build-embedding.ts).

/** One pair: the cosine of the two embeddings, the label, and whether the guard lets it through. */
export interface ScoredPair {
  cosine: number;
  same: boolean;
  guardPass?: boolean;
}

export interface CurvePoint {
  threshold: number;
  falseHitRate: number;
  paraphraseHitRate: number;
  /** With the guard: a hit needs the cosine at the threshold and the guard's pass. */
  guarded?: { falseHitRate: number; paraphraseHitRate: number };
}

export const DEFAULT_CURVE_THRESHOLDS: readonly number[] = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99];

function rates(pairs: readonly ScoredPair[], threshold: number, guarded: boolean): { falseHitRate: number; paraphraseHitRate: number } {
  let near = 0;
  let falseHits = 0;
  let same = 0;
  let hits = 0;
  for (const p of pairs) {
    const hit = p.cosine >= threshold && (!guarded || p.guardPass === true);
    if (p.same) {
      same++;
      if (hit) hits++;
    } else {
      near++;
      if (hit) falseHits++;
    }
  }
  return { falseHitRate: near === 0 ? 0 : falseHits / near, paraphraseHitRate: same === 0 ? 0 : hits / same };
}

const hasGuard = (pairs: readonly ScoredPair[]) => pairs.length > 0 && pairs.every((p) => p.guardPass !== undefined);

/** The curve at one threshold (e.g. the configured similarity). */
export function curvePoint(pairs: readonly ScoredPair[], threshold: number): CurvePoint {
  return { threshold, ...rates(pairs, threshold, false), ...(hasGuard(pairs) ? { guarded: rates(pairs, threshold, true) } : {}) };
}

export function calibrationCurve(pairs: readonly ScoredPair[], thresholds: readonly number[] = DEFAULT_CURVE_THRESHOLDS): CurvePoint[] {
  return thresholds.map((threshold) => curvePoint(pairs, threshold));
}

export interface LowestThreshold {
  /** The lowest threshold (on a 0.005 grid) whose false-hit rate is at most the target; undefined when none is. */
  threshold?: number;
  falseHitRate?: number;
  paraphraseHitRate?: number;
}

/** Threshold steps of 0.005 from 0 to 1, as exact decimals. */
const GRID = Array.from({ length: 201 }, (_, i) => i / 200);

export function lowestThreshold(pairs: readonly ScoredPair[], maxFalseHitRate: number, guarded: boolean): LowestThreshold {
  if (guarded && !hasGuard(pairs)) return {};
  for (const threshold of GRID) {
    const r = rates(pairs, threshold, guarded);
    if (r.falseHitRate <= maxFalseHitRate) return { threshold, ...r };
  }
  return {};
}

export function pairCounts(pairs: readonly ScoredPair[]): { pairs: number; paraphrases: number; nearMisses: number } {
  const paraphrases = pairs.filter((p) => p.same).length;
  return { pairs: pairs.length, paraphrases, nearMisses: pairs.length - paraphrases };
}
