// The semantic cache on the request path: exact match, then the nearest cached answers in the same
// partition that the cache guard lets through (one round trip each); a hit is answered at once
// (JSON or SSE), a miss carries what the response path needs to store the answer. Texts that
// cannot be matched semantically (they fill the embedding window) are looked up and stored by
// exact key only.
import { lastUserText, type RoutingRequest } from '../protocol/ir.js';
import type { RouteChoice } from '../routing/router.js';
import { cacheControl } from '../state/identity.js';
import { translatorFor, type ChatCompletion } from '../protocol/translate/index.js';
import { replayAnswer } from '../state/replay.js';
import type { CachedAnswer, CacheWrite } from '../state/types.js';
import { translationContext } from './translation.js';
import { semanticEligibility, type SemanticEligibility } from './cache-eligibility.js';
import { embed, probeCache, type CacheProbe } from './cache-lookup.js';
import { requestCacheKeys } from './cache-route.js';
import { CACHE_HEADER, DECISION_HEADER, MODEL_HEADER, type RequestHeaders } from './headers.js';
import type { HeaderPair, Reply } from './outcome.js';
import type { RoutingSnapshot } from './snapshot.js';
import { background, type StateContext } from './state-context.js';

/** What the response path needs to store the answer: the write, less the answer itself. */
export interface PendingCacheWrite {
  write: Omit<CacheWrite, 'answer'>;
  cacheToolCalls: boolean;
  maxEntryBytes: number;
}

/** `detail`: for the debug headers (exact, semantic:0.97, guard:numbers, over_window...), never request text. */
export type CacheStep =
  | { kind: 'off' }
  | { kind: 'hit'; reply: Reply; detail: string }
  | { kind: 'miss'; header: HeaderPair; pending?: PendingCacheWrite; detail?: string };

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
  const { partition, exactKey } = requestCacheKeys(snap, choice, ir, tenant);
  const target = { partition, exactKey, ttlSeconds: plugin.ttl_seconds ?? cfg.ttl_seconds, maxEntries: cfg.max_entries_per_partition };
  const text = lastUserText(ir);
  const eligibility = semanticEligibility(snap.cacheEmbedder, text, cfg.guard.max_text_chars);
  if (eligibility.kind === 'over_window' || eligibility.kind === 'too_long') ctx.metrics.recordCacheSemanticSkip(eligibility.kind);
  let vector: Float32Array | undefined;
  let detail = skipDetail(eligibility);
  if (control.lookup) {
    const probe = await probeCache(ctx, snap, { partition, exactKey, threshold: plugin.similarity, text, eligibility });
    vector = probe.vector;
    for (const r of probe.rejected) ctx.metrics.recordCacheGuardRejection(r.rule);
    if (probe.result === 'skipped') {
      // State is unavailable: nothing is looked up or stored for this request.
      ctx.metrics.recordCacheLookup('skipped', { decision: choice.decision });
      return { kind: 'miss', header: [CACHE_HEADER, 'miss'], detail: 'skipped' };
    }
    if (probe.hit) return hitStep(ctx, probe, ir, choice, control.store ? { ...target, ...(vector ? { vector } : {}) } : undefined);
    ctx.metrics.recordCacheLookup('miss', { decision: choice.decision });
    if (probe.rejected.length > 0) detail = probe.rejected.map((r) => `guard:${r.rule}`).join(',');
  } else {
    ctx.metrics.recordCacheLookup('bypass', { decision: choice.decision });
  }
  const header: HeaderPair = [CACHE_HEADER, control.lookup ? 'miss' : 'bypass'];
  if (!control.store) return { kind: 'miss', header, ...(detail ? { detail } : {}) };
  // no-cache skipped the lookup, but the stored answer still gets its vector (and the text the
  // guard will compare); a text that cannot be matched semantically is stored for exact hits only.
  if (!vector && eligibility.kind === 'eligible') vector = await embed(ctx, snap, text);
  return {
    kind: 'miss',
    header,
    pending: {
      write: { ...target, ...(vector ? { vector, text } : {}) },
      cacheToolCalls: cfg.cache_tool_calls,
      maxEntryBytes: cfg.max_entry_bytes,
    },
    ...(detail ? { detail } : {}),
  };
}

/**
 * `paraphrase`: the entry a semantic hit's own text gets, so that its repeat skips the embedding.
 * It keeps the text the answer was produced for, not the paraphrase's: later candidates are
 * checked against what the answer answers, so guard checks never chain from paraphrase to
 * paraphrase.
 */
function hitStep(ctx: StateContext, probe: CacheProbe, ir: RoutingRequest, choice: RouteChoice, paraphrase: Omit<CacheWrite, 'answer' | 'text'> | undefined): CacheStep {
  const hit = probe.hit!;
  ctx.metrics.recordCacheLookup(hit.kind === 'exact' ? 'hit_exact' : 'hit_semantic', { decision: choice.decision });
  if (hit.kind === 'semantic' && paraphrase) {
    const write = { ...paraphrase, ...(paraphrase.vector && hit.text !== undefined ? { text: hit.text } : {}), answer: hit.answer };
    background(ctx, 'store', () => ctx.store.store(write));
  }
  const replay = replayInProtocol(hit.answer, ir, choice.model.name);
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
    detail: hit.kind === 'exact' ? 'exact' : `semantic:${hit.similarity.toFixed(3)}`,
  };
}

function skipDetail(e: SemanticEligibility): string | undefined {
  return e.kind === 'over_window' || e.kind === 'too_long' ? e.kind : undefined;
}

/**
 * A cached answer in the client's protocol: replayed as chat completions (JSON, or SSE with the
 * usage chunk), then through the protocol's translator as a live answer would be.
 */
function replayInProtocol(answer: CachedAnswer, ir: RoutingRequest, model: string): ReturnType<typeof replayAnswer> {
  const translator = translatorFor(ir.protocol);
  if (!translator) return replayAnswer(answer, ir);
  const chat = replayAnswer(answer, { protocol: 'openai.chat', stream: ir.stream, body: { stream_options: { include_usage: true } } });
  const ctx = translationContext({ protocol: ir.protocol, stream: ir.stream, request: ir.body, model });
  if (!ir.stream) {
    const body = Buffer.from(JSON.stringify(translator.responseJson(JSON.parse(chat.body.toString('utf8')) as ChatCompletion, ctx)));
    return { ...chat, body };
  }
  const stream = translator.responseStream(ctx);
  return { ...chat, body: Buffer.concat([stream.push(chat.body), stream.end()]) };
}
