// The semantic cache on the request path: exact match, then the nearest cached answer in the same
// partition (one round trip each); a hit is answered at once (JSON or SSE), a miss carries what
// the response path needs to store the answer.
import { lastUserText, type RoutingRequest } from '../protocol/ir.js';
import type { RouteChoice } from '../routing/router.js';
import { cacheControl, cacheKeys } from '../state/identity.js';
import { replayAnswer } from '../state/replay.js';
import type { CacheWrite } from '../state/types.js';
import { errorMessage } from '../telemetry/errors.js';
import { CACHE_HEADER, DECISION_HEADER, MODEL_HEADER, type RequestHeaders } from './headers.js';
import type { HeaderPair, Reply } from './outcome.js';
import type { RoutingSnapshot } from './snapshot.js';
import { attempt, background, type StateContext } from './state-context.js';

/** What the response path needs to store the answer: the write, less the answer itself. */
export interface PendingCacheWrite {
  write: Omit<CacheWrite, 'answer'>;
  cacheToolCalls: boolean;
  maxEntryBytes: number;
}

export type CacheStep =
  | { kind: 'off' }
  | { kind: 'hit'; reply: Reply }
  | { kind: 'miss'; header: HeaderPair; pending?: PendingCacheWrite };

export async function cacheStep(
  ctx: StateContext,
  snap: RoutingSnapshot,
  ir: RoutingRequest,
  headers: RequestHeaders,
  tenant: string,
  choice: RouteChoice,
): Promise<CacheStep> {
  const cfg = snap.config.cache;
  const plugin = choice.cache;
  if (!cfg.enabled || !plugin?.enabled) return { kind: 'off' };
  const control = cacheControl(headers);
  if (!control.lookup && !control.store) {
    ctx.metrics.recordCacheLookup('bypass', { decision: choice.decision });
    return { kind: 'miss', header: [CACHE_HEADER, 'bypass'] };
  }
  const { partition, exactKey } = cacheKeys({ tenant, decision: choice.decision, model: choice.model.name, protocol: ir.protocol, stream: ir.stream, ir });
  const target = { partition, exactKey, ttlSeconds: plugin.ttl_seconds ?? cfg.ttl_seconds, maxEntries: cfg.max_entries_per_partition };
  let vector: Float32Array | undefined;
  if (control.lookup) {
    // Exact match first, without embedding: a repeat costs one round trip and no inference. Only
    // on an exact miss is the text embedded for the semantic lookup (a second round trip).
    let r = await attempt(ctx, 'lookup', () => ctx.store.lookup({ partition, exactKey, threshold: plugin.similarity }));
    if (r.ok && !r.value) {
      vector = await embed(ctx, snap, lastUserText(ir));
      if (vector) {
        const semantic = vector;
        r = await attempt(ctx, 'lookup', () => ctx.store.lookup({ partition, exactKey, threshold: plugin.similarity, vector: semantic }));
      }
    }
    if (!r.ok) {
      // State is unavailable: nothing is looked up or stored for this request.
      ctx.metrics.recordCacheLookup('skipped', { decision: choice.decision });
      return { kind: 'miss', header: [CACHE_HEADER, 'miss'] };
    }
    if (r.value) {
      const hit = r.value;
      ctx.metrics.recordCacheLookup(hit.kind === 'exact' ? 'hit_exact' : 'hit_semantic', { decision: choice.decision });
      if (hit.kind === 'semantic' && control.store) {
        // The paraphrase gets an exact entry of its own: its next repeat skips the embedding.
        const write = { ...target, ...(vector ? { vector } : {}), answer: hit.answer };
        background(ctx, 'store', () => ctx.store.store(write));
      }
      const replay = replayAnswer(hit.answer, ir);
      return {
        kind: 'hit',
        reply: {
          kind: 'reply',
          status: replay.status,
          headers: [...replay.headers, [CACHE_HEADER, 'hit'], [DECISION_HEADER, choice.decision], [MODEL_HEADER, choice.model.name]],
          body: replay.body,
          reason: 'cache_hit',
          decision: choice.decision,
          model: choice.model.name,
        },
      };
    }
    ctx.metrics.recordCacheLookup('miss', { decision: choice.decision });
  } else {
    ctx.metrics.recordCacheLookup('bypass', { decision: choice.decision });
  }
  const header: HeaderPair = [CACHE_HEADER, control.lookup ? 'miss' : 'bypass'];
  if (!control.store) return { kind: 'miss', header };
  // no-cache skipped the lookup, but the stored answer still gets its vector.
  vector ??= await embed(ctx, snap, lastUserText(ir));
  return {
    kind: 'miss',
    header,
    pending: {
      write: { ...target, ...(vector ? { vector } : {}) },
      cacheToolCalls: cfg.cache_tool_calls,
      maxEntryBytes: cfg.max_entry_bytes,
    },
  };
}

/** The lookup vector; a slow or failed embedding falls back to exact matching only. */
async function embed(ctx: StateContext, snap: RoutingSnapshot, text: string): Promise<Float32Array | undefined> {
  const embedder = snap.cacheEmbedder;
  if (!embedder || text === '') return undefined;
  try {
    return await embedder.embed(text, { signal: AbortSignal.timeout(snap.config.inference.timeout_ms) });
  } catch (e) {
    ctx.log.warn('cache embedding failed; exact matches only for this request', { error: errorMessage(e) });
    return undefined;
  }
}
