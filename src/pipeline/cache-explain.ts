// The cache part of the explain trace: whether the request's text is matched semantically (and if
// not, why), and, given shared state (the admin endpoint of a running router), what a lookup
// finds now: a hit, or which guard rule turned each near candidate down. Nothing is stored or
// counted; the lookup is made as if no session pin applied.
import { lastUserText, type RoutingRequest } from '../protocol/ir.js';
import type { RouteChoice } from '../routing/router.js';
import { tenantOf } from '../state/identity.js';
import { eligibilityWhy, semanticEligibility } from './cache-eligibility.js';
import { probeCache, type GuardRejection } from './cache-lookup.js';
import { requestCacheKeys } from './cache-route.js';
import type { RequestHeaders } from './headers.js';
import type { RoutingSnapshot } from './snapshot.js';
import type { StateContext } from './state-context.js';

export interface CacheTrace {
  /** semantic: by exact key, then by meaning through the guard; exact_only: by exact key only. */
  match: 'semantic' | 'exact_only';
  /** Why exact only. */
  why?: string;
  /** Tokens of the newest user text, and the embedding model's window. */
  tokens?: number;
  window?: number;
  similarity: number;
  guard: boolean;
  /** What a lookup finds now (only with shared state). */
  lookup?: {
    result: 'hit_exact' | 'hit_semantic' | 'miss' | 'skipped';
    similarity?: number;
    /** Near candidates above the similarity the guard turned down, best first, and why. */
    rejected: GuardRejection[];
  };
}

export async function explainCache(
  snap: RoutingSnapshot,
  ir: RoutingRequest,
  headers: RequestHeaders,
  choice: RouteChoice,
  state?: StateContext,
): Promise<CacheTrace | undefined> {
  const cfg = snap.config.cache;
  if (!cfg.enabled || !choice.cache?.enabled || choice.block) return undefined;
  const text = lastUserText(ir);
  const eligibility = semanticEligibility(snap.cacheEmbedder, text, cfg.guard.max_text_chars);
  const why = eligibilityWhy(eligibility);
  const trace: CacheTrace = {
    match: why ? 'exact_only' : 'semantic',
    ...(why ? { why } : {}),
    ...('tokens' in eligibility ? { tokens: eligibility.tokens, window: eligibility.window } : {}),
    similarity: choice.cache.similarity,
    guard: cfg.guard.enabled,
  };
  if (!state) return trace;
  const tenant = tenantOf(headers, snap.config.security.identity);
  const { partition, exactKey } = requestCacheKeys(snap, choice, ir, tenant);
  const probe = await probeCache(state, snap, { partition, exactKey, threshold: choice.cache.similarity, text, eligibility });
  trace.lookup = { result: probe.result, ...(probe.hit ? { similarity: probe.hit.similarity } : {}), rejected: probe.rejected };
  return trace;
}
