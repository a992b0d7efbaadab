// One span per stretch of text: when spans overlap, the higher score wins; on equal scores a rule
// beats a model, then the longer span, then the earlier one.
import type { PiiSpan } from './types.js';

function outranks(a: PiiSpan, b: PiiSpan): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.source !== b.source) return a.source === 'rule' ? -1 : 1;
  const len = b.end - b.start - (a.end - a.start);
  return len !== 0 ? len : a.start - b.start;
}

function pickInCluster(cluster: PiiSpan[], out: PiiSpan[]): void {
  if (cluster.length === 1) {
    out.push(...cluster);
    return;
  }
  const kept: PiiSpan[] = [];
  for (const s of cluster.sort(outranks)) {
    if (!kept.some((k) => s.start < k.end && k.start < s.end)) kept.push(s);
  }
  out.push(...kept.sort((a, b) => a.start - b.start));
}

/**
 * Non-overlapping spans in text order. Spans are grouped into clusters of transitively
 * overlapping ones (a sweep by start), and each cluster is resolved greedily by rank, so the
 * quadratic step only ever sees spans that actually compete.
 */
export function resolveOverlaps(spans: readonly PiiSpan[]): PiiSpan[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PiiSpan[] = [];
  let cluster: PiiSpan[] = [];
  let clusterEnd = -1;
  for (const s of sorted) {
    if (cluster.length > 0 && s.start >= clusterEnd) {
      pickInCluster(cluster, out);
      cluster = [];
    }
    cluster.push(s);
    clusterEnd = Math.max(clusterEnd, s.end);
  }
  if (cluster.length > 0) pickInCluster(cluster, out);
  return out;
}
