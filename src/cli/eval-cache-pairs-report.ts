// The report of `semroute eval --cache-pairs`: the calibration curve, the lowest thresholds that
// meet the false-hit target (without and with the guard), and hit rates per pair kind there.
import { calibrationCurve, curvePoint, lowestThreshold, pairCounts, type CurvePoint, type LowestThreshold, type ScoredPair } from '../state/cache-calibration.js';

export interface KindedPair {
  kind?: string;
}

export interface KindFigures {
  kind: string;
  same: boolean;
  count: number;
  /** Share above the threshold (hits for paraphrases, false hits for near misses). */
  hitRate: number;
  guardPassRate: number;
  guardedHitRate: number;
}

export interface CachePairsReport {
  model_dir: string;
  pairs_file: string;
  provider: string;
  guard: string;
  /** The config's cache.similarity, else the shipped default. */
  similarity: number;
  similarity_source: 'config' | 'default';
  /** The rates at that similarity. */
  at_similarity: CurvePoint;
  pairs: number;
  paraphrases: number;
  near_misses: number;
  max_false_hits: number;
  curve: CurvePoint[];
  lowest: { unguarded: LowestThreshold; guarded: LowestThreshold };
  /** Per kind of pair, at the guarded lowest threshold (only when the file names kinds). */
  by_kind?: { threshold: number; kinds: KindFigures[] };
}

export interface ReportContext {
  modelDir: string;
  pairsFile: string;
  provider: string;
  guard: string;
  similarity: number;
  similaritySource: 'config' | 'default';
}

function byKind(pairs: readonly (ScoredPair & KindedPair)[], threshold: number): KindFigures[] {
  const groups = new Map<string, (ScoredPair & KindedPair)[]>();
  for (const p of pairs) {
    const key = `${p.kind ?? ''}\n${p.same}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()]
    .map((g) => ({
      kind: g[0]!.kind ?? '',
      same: g[0]!.same,
      count: g.length,
      hitRate: g.filter((p) => p.cosine >= threshold).length / g.length,
      guardPassRate: g.filter((p) => p.guardPass).length / g.length,
      guardedHitRate: g.filter((p) => p.guardPass && p.cosine >= threshold).length / g.length,
    }))
    .sort((x, y) => Number(y.same) - Number(x.same) || (x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : 0));
}

export function cachePairsReport(pairs: readonly (ScoredPair & KindedPair)[], maxFalseHits: number, ctx: ReportContext): CachePairsReport {
  const guarded = lowestThreshold(pairs, maxFalseHits, true);
  const kindsAt = guarded.threshold;
  return {
    model_dir: ctx.modelDir,
    pairs_file: ctx.pairsFile,
    provider: ctx.provider,
    guard: ctx.guard,
    similarity: ctx.similarity,
    similarity_source: ctx.similaritySource,
    at_similarity: curvePoint(pairs, ctx.similarity),
    ...(({ pairs: n, paraphrases, nearMisses }) => ({ pairs: n, paraphrases, near_misses: nearMisses }))(pairCounts(pairs)),
    max_false_hits: maxFalseHits,
    curve: calibrationCurve(pairs),
    lowest: { unguarded: lowestThreshold(pairs, maxFalseHits, false), guarded },
    ...(kindsAt !== undefined && pairs.some((p) => p.kind !== undefined) ? { by_kind: { threshold: kindsAt, kinds: byKind(pairs, kindsAt) } } : {}),
  };
}

const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);

function lowestLine(label: string, l: LowestThreshold, max: number): string {
  return l.threshold === undefined
    ? `  ${label}: no threshold keeps false hits at or under ${pct(max)}\n`
    : `  ${label}: ${l.threshold.toFixed(3)} (false hits ${pct(l.falseHitRate)}, paraphrase hits ${pct(l.paraphraseHitRate)})\n`;
}

export function formatCachePairsReport(r: CachePairsReport, withKinds: boolean): string {
  const lines = [
    `embedding model: ${r.model_dir} (${r.provider})\n`,
    `pairs: ${r.pairs_file} (${r.pairs} pairs: ${r.paraphrases} paraphrases, ${r.near_misses} near misses)\n`,
    `guard: ${r.guard}\n\n`,
    'threshold  false hits  paraphrase hits  false hits (guard)  paraphrase hits (guard)\n',
    ...r.curve.map(
      (c) =>
        `${c.threshold.toFixed(2).padEnd(9)}  ${pct(c.falseHitRate).padStart(10)}  ${pct(c.paraphraseHitRate).padStart(15)}  ${pct(c.guarded?.falseHitRate).padStart(18)}  ${pct(c.guarded?.paraphraseHitRate).padStart(23)}\n`,
    ),
    `\nat the ${r.similarity_source === 'config' ? "config's" : 'default'} similarity ${r.similarity}: false hits ${pct(r.at_similarity.falseHitRate)}, paraphrase hits ${pct(r.at_similarity.paraphraseHitRate)}; with the guard ${pct(r.at_similarity.guarded?.falseHitRate)}, ${pct(r.at_similarity.guarded?.paraphraseHitRate)}\n`,
    `\nlowest threshold with false hits at or under ${pct(r.max_false_hits)}:\n`,
    lowestLine('without the guard', r.lowest.unguarded, r.max_false_hits),
    lowestLine('with the guard', r.lowest.guarded, r.max_false_hits),
  ];
  if (withKinds && r.by_kind) {
    lines.push(`\nby kind at ${r.by_kind.threshold.toFixed(3)} (hits above the threshold; guard passes; hits with the guard):\n`);
    for (const k of r.by_kind.kinds) {
      lines.push(`  ${k.same ? 'paraphrase' : 'near miss '}  ${k.kind.padEnd(48)} ${String(k.count).padStart(5)}  ${pct(k.hitRate).padStart(6)}  ${pct(k.guardPassRate).padStart(6)}  ${pct(k.guardedHitRate).padStart(6)}\n`);
    }
  }
  return lines.join('');
}
