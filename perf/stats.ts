// Latency percentiles and the summaries the suite reports.

/** The p-th percentile (0–100) of an ascending array: the value at index floor(p/100 · n). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export const QUANTILES = ['p50', 'p90', 'p99', 'p999'] as const;
export type Quantile = (typeof QUANTILES)[number];
const Q_VALUES: Record<Quantile, number> = { p50: 50, p90: 90, p99: 99, p999: 99.9 };

export function summarize(latencies: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const n = sorted.length;
  const q = Object.fromEntries(QUANTILES.map((k) => [k, percentile(sorted, Q_VALUES[k])])) as Record<Quantile, number>;
  return { count: n, mean: n ? sum / n : NaN, ...q, max: n ? sorted[n - 1]! : NaN };
}

/** What semroute adds over the floor at the same load, quantile by quantile (ms). */
export function addedLatency(semroute: LatencySummary, floor: LatencySummary): Record<Quantile, number> {
  return Object.fromEntries(QUANTILES.map((k) => [k, semroute[k] - floor[k]])) as Record<Quantile, number>;
}

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}
