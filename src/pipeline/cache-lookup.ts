// The read side of the semantic cache, shared by the request path and explain: exact match first
// (no embedding), then, for a text that may be matched semantically, the nearest candidates of the
// partition, each checked by the cache guard until one passes. Nothing is counted or stored here.
import type { RoutingSnapshot } from './snapshot.js';
import { attempt, type StateContext } from './state-context.js';
import type { CacheGuardVerdict } from '../state/cache-guard/index.js';
import { NO_TEXT_RULE } from '../state/cache-guard/index.js';
import type { CacheHit, CachePartition, SemanticCandidate } from '../state/types.js';
import { errorMessage } from '../telemetry/errors.js';
import type { SemanticEligibility } from './cache-eligibility.js';

export interface GuardRejection {
  similarity: number;
  rule: string;
  detail?: string;
}

export interface CacheProbe {
  result: 'hit_exact' | 'hit_semantic' | 'miss' | 'skipped';
  /** The answer to serve (hit_exact, hit_semantic), with the request text it was stored for. */
  hit?: CacheHit;
  /** The request's embedding, when one was made (the store reuses it). */
  vector?: Float32Array;
  /** Semantic candidates the guard turned down, best first. */
  rejected: GuardRejection[];
}

export interface ProbeInput {
  partition: CachePartition;
  exactKey: string;
  threshold: number;
  /** The newest user text: what is embedded and what the guard compares. */
  text: string;
  eligibility: SemanticEligibility;
}

export async function probeCache(ctx: StateContext, snap: RoutingSnapshot, p: ProbeInput): Promise<CacheProbe> {
  const { partition, exactKey, threshold } = p;
  // Exact match first, without embedding: a repeat costs one round trip and no inference. Only on
  // an exact miss is the text embedded for the semantic lookup (a second round trip).
  const exact = await attempt(ctx, 'lookup', () => ctx.store.lookup({ partition, exactKey, threshold }));
  if (!exact.ok) return { result: 'skipped', rejected: [] };
  if (exact.value) return { result: 'hit_exact', hit: exact.value, rejected: [] };
  if (p.eligibility.kind !== 'eligible') return { result: 'miss', rejected: [] };
  const vector = await embed(ctx, snap, p.text);
  if (!vector) return { result: 'miss', rejected: [] };
  const guard = snap.cacheGuard;
  const maxCandidates = guard.settings.enabled ? guard.settings.max_candidates : 1;
  const r = await attempt(ctx, 'lookup', () => ctx.store.lookup({ partition, exactKey, threshold, vector, maxCandidates }));
  if (!r.ok) return { result: 'skipped', vector, rejected: [] };
  const found = r.value;
  if (!found) return { result: 'miss', vector, rejected: [] };
  if (found.kind === 'exact') return { result: 'hit_exact', hit: found, vector, rejected: [] };
  if (!guard.settings.enabled) return { result: 'hit_semantic', hit: found, vector, rejected: [] };
  const rejected: GuardRejection[] = [];
  const request = guard.prepare(p.text);
  for (const candidate of [found, ...(found.others ?? [])]) {
    const verdict = checkCandidate(candidate, (text) => guard.compare(request, guard.prepare(text)));
    if (verdict.pass) {
      return { result: 'hit_semantic', hit: { kind: 'semantic', ...candidate }, vector, rejected };
    }
    rejected.push({ similarity: candidate.similarity, rule: verdict.rule ?? 'unknown', ...(verdict.detail ? { detail: verdict.detail } : {}) });
  }
  return { result: 'miss', vector, rejected };
}

/** A candidate stored without its request text cannot be checked: it is never served. */
function checkCandidate(c: SemanticCandidate, compare: (text: string) => CacheGuardVerdict): CacheGuardVerdict {
  if (c.text === undefined) return { pass: false, rule: NO_TEXT_RULE, detail: 'stored without its request text' };
  return compare(c.text);
}

/** The lookup vector; a slow or failed embedding falls back to exact matching only. */
export async function embed(ctx: StateContext, snap: RoutingSnapshot, text: string): Promise<Float32Array | undefined> {
  const embedder = snap.cacheEmbedder;
  if (!embedder || text === '') return undefined;
  try {
    return await embedder.embed(text, { signal: AbortSignal.timeout(snap.config.inference.timeout_ms) });
  } catch (e) {
    ctx.log.warn('cache embedding failed; exact matches only for this request', { error: errorMessage(e) });
    return undefined;
  }
}
