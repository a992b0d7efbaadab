// The full routing trace of one request body: each signal's value and time, each decision's rule
// evaluation, the choice and why. Served by `semroute explain` and POST /v1/explain; it runs the
// same code the ext_proc path runs (Router.decide's steps), so the trace is what routing does.
import type { ModelConfig } from '../config/schema.js';
import { ANTHROPIC_BLOCK_TYPES } from '../protocol/anthropic.js';
import { RouterError } from '../protocol/errors.js';
import { API_PATH, PROTOCOL_API, type Protocol, type RoutingRequest } from '../protocol/ir.js';
import { parseRequestBody } from '../protocol/parse.js';
import { translatorFor } from '../protocol/translate/index.js';
import { applyEdits, forwardedDoc } from '../routing/body-edits.js';
import { servesNatively } from '../routing/egress.js';
import type { RouteChoice } from '../routing/router.js';
import { traceRule, type RuleTrace } from '../routing/rules.js';
import { runSignal } from '../signals/run.js';
import { estimateTokens } from '../signals/context.js';
import { explainCache, type CacheTrace } from './cache-explain.js';
import type { RequestHeaders } from './headers.js';
import type { RoutingSnapshot } from './snapshot.js';
import type { StateContext } from './state-context.js';

export interface SignalTrace {
  name: string;
  kind: string;
  matched: boolean;
  confidence: number;
  detail?: string;
  error?: string;
  ms: number;
}

export interface DecisionTrace {
  name: string;
  priority: number;
  matched: boolean;
  confidence: number;
  rule: RuleTrace;
}

/**
 * How the request leaves for the chosen model (models[].api): natively in its own protocol, or
 * translated to chat completions; a text completions request to a model without completions
 * cannot be translated and is refused when it is forwarded.
 */
export type EgressTrace = { native: boolean; protocol: Protocol; path: string } | { native: false; refused: string };

export interface ExplainTrace {
  request: {
    protocol: Protocol;
    /** Why the protocol was read off the body's shape (inferProtocol), when the caller named none. */
    inferred?: string;
    model: string;
    stream: boolean;
    messages: number;
    estimatedTokens: number;
  };
  /** auto: routed by decisions; explicit: the client named a model; error: the request is refused. */
  route: 'auto' | 'explicit' | 'error';
  signals: SignalTrace[];
  decisions: DecisionTrace[];
  decision: string;
  why: string;
  model?: string;
  modelWhy?: string;
  /** The refusal, when the request is blocked or invalid. */
  reply?: { status: number; code: string; message: string };
  /** Body edits by name (reasoning, system prompt, redaction), in order. */
  plugins: string[];
  /** How the request reaches the chosen model (a routed request that is not refused, or an explicit one). */
  egress?: EgressTrace;
  /** The body the upstream would receive (auto route, not refused): translated to chat completions when egress is not native. */
  forwardedBody?: Record<string, unknown>;
  /** The semantic cache, when the decision caches: exact or semantic matching, and what a lookup finds. */
  cache?: CacheTrace;
  totalMs: number;
}

/** `state`: shared state, for the cache lookup (a running router's admin endpoint); nothing is stored. */
export async function explainRequest(
  snap: RoutingSnapshot,
  protocol: Protocol,
  raw: Buffer,
  headers: RequestHeaders = new Map(),
  state?: StateContext,
): Promise<ExplainTrace> {
  const t0 = performance.now();
  const base = { signals: [], decisions: [], plugins: [] };
  let parsed;
  try {
    parsed = parseRequestBody(protocol, raw, snap.limits);
  } catch (e) {
    if (!(e instanceof RouterError)) throw e;
    return {
      ...base,
      request: { protocol, model: '', stream: false, messages: 0, estimatedTokens: 0 },
      route: 'error',
      decision: 'none',
      why: 'the request body is invalid',
      reply: { status: e.status, code: e.code, message: e.message },
      totalMs: performance.now() - t0,
    };
  }
  const { ir } = parsed;
  ir.headers = headers;
  const request = { protocol, model: ir.model, stream: ir.stream, messages: ir.messages.length, estimatedTokens: estimateTokens(ir) };
  const router = snap.router;
  const requested = router.resolveModel(ir.model);
  if (requested.kind !== 'auto') {
    const known = requested.kind === 'explicit';
    return {
      ...base,
      request,
      route: known ? 'explicit' : 'error',
      decision: known ? 'explicit' : 'none',
      why: known ? `the client named model "${ir.model}"` : `unknown model "${ir.model}"`,
      ...(known
        ? { model: requested.model.name, modelWhy: 'named by the client', egress: egressOf(requested.model, protocol) }
        : { reply: { status: 404, code: 'model_not_found', message: `The model "${ir.model}" does not exist.` } }),
      totalMs: performance.now() - t0,
    };
  }

  // Concurrently, as routing runs them, each timed on its own (the hot path keeps no timings).
  const timed = await Promise.all(
    router.usedSignals.map(async (s) => {
      const t0 = performance.now();
      const r = await runSignal(s, ir);
      return { s, r, ms: performance.now() - t0 };
    }),
  );
  const results = new Map(timed.map(({ s, r }) => [s.name, r]));
  const signals = timed.map(({ s, r, ms }): SignalTrace => {
    return { name: s.name, kind: s.kind, matched: r.matched, confidence: r.confidence, ms, ...(r.detail ? { detail: r.detail } : {}), ...(r.error ? { error: r.error } : {}) };
  });
  const decisions = router.decisionOrder.map((d): DecisionTrace => {
    const rule = traceRule(d.rules, results);
    return { name: d.name, priority: d.priority, matched: rule.matched, confidence: rule.confidence, rule };
  });
  const choice = await router.plan(router.choose(results), ir);
  const reply = choice.block ? { status: choice.block.status, code: choice.block.code, message: choice.block.message } : undefined;
  const egress = reply ? undefined : egressOf(choice.model, protocol);
  const forwardedBody = egress ? forwardedFor(ir, choice, egress) : undefined;
  const cache = await explainCache(snap, ir, headers, choice, state);
  return {
    request,
    route: 'auto',
    signals,
    decisions,
    decision: choice.decision,
    why: choice.why,
    model: choice.model.name,
    modelWhy: choice.modelWhy,
    ...(reply ? { reply } : {}),
    plugins: choice.applied,
    ...(egress ? { egress } : {}),
    ...(forwardedBody ? { forwardedBody } : {}),
    ...(cache ? { cache } : {}),
    totalMs: performance.now() - t0,
  };
}

/** Native when the model serves the protocol; else chat completions, for the protocols a translator exists for. */
export function egressOf(model: Pick<ModelConfig, 'name' | 'api'>, protocol: Protocol): EgressTrace {
  if (servesNatively(model, protocol)) return { native: true, protocol, path: API_PATH[PROTOCOL_API[protocol]] };
  if (translatorFor(protocol)) return { native: false, protocol: 'openai.chat', path: API_PATH.chat };
  const served = model.api.map((a) => API_PATH[a]).join(', ');
  return { native: false, refused: `The model "${model.name}" does not serve ${API_PATH[PROTOCOL_API[protocol]]}; its backend serves ${served}.` };
}

/**
 * The upstream body as request-body.ts builds it: natively, the edited copy; translated, the
 * plugins' edits in the client's shape, then the translation to chat, then the model's reasoning
 * switch (already in chat's shape). A client's own thinking / reasoning.effort ask, which the
 * ext_proc path turns into the model's switch when the decision has none, is not shown.
 */
function forwardedFor(ir: RoutingRequest, choice: RouteChoice, egress: EgressTrace): Record<string, unknown> | undefined {
  const served = choice.model.served_name ?? choice.model.name;
  if (egress.native) return forwardedDoc(ir.body, choice.edits, served);
  const translator = translatorFor(ir.protocol);
  if (!translator) return undefined;
  const chat = translator.request(applyEdits(ir.body, choice.edits.filter((e) => e !== choice.reasoningEdit)));
  choice.reasoningEdit?.(chat);
  chat.model = served;
  return chat;
}

/** Content block types only Anthropic's Messages API has (chat's parts are text, image_url, input_audio, file). */
const ANTHROPIC_ONLY_BLOCKS: ReadonlySet<unknown> = new Set(ANTHROPIC_BLOCK_TYPES.filter((t) => t !== 'text'));

function anthropicOnlyBlock(messages: readonly unknown[]): string | undefined {
  for (const m of messages) {
    const content = m && typeof m === 'object' ? (m as { content?: unknown }).content : undefined;
    if (!Array.isArray(content)) continue;
    for (const b of content) {
      const type = b && typeof b === 'object' ? (b as { type?: unknown }).type : undefined;
      if (ANTHROPIC_ONLY_BLOCKS.has(type)) return type as string;
    }
  }
  return undefined;
}

/**
 * The protocol of a body no protocol was named for, read off its shape (the first that holds):
 *   "input", "instructions" or "previous_response_id"        -> openai.responses
 *   "messages" with a top-level "system", or a content block
 *   of an Anthropic-only type (image, document, tool_use,
 *   tool_result, thinking, ...)                               -> anthropic.messages
 *   "prompt" and no "messages"                                -> openai.completions
 *   anything else (an unreadable body included)               -> openai.chat
 * An Anthropic body with only string or text contents and no "system" is also a valid chat body:
 * it is explained as chat unless the caller names the protocol. `why` says which rule held.
 */
export function inferProtocol(doc: unknown): { protocol: Protocol; why: string } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { protocol: 'openai.chat', why: 'not a JSON object: chat' };
  const o = doc as Record<string, unknown>;
  for (const key of ['input', 'instructions', 'previous_response_id']) {
    if (o[key] !== undefined) return { protocol: 'openai.responses', why: `the body has "${key}"` };
  }
  if (Array.isArray(o.messages)) {
    if (o.system !== undefined) return { protocol: 'anthropic.messages', why: 'the body has a top-level "system"' };
    const block = anthropicOnlyBlock(o.messages);
    if (block) return { protocol: 'anthropic.messages', why: `a message has a "${block}" block` };
  } else if (o.prompt !== undefined) {
    return { protocol: 'openai.completions', why: 'the body has "prompt"' };
  }
  return { protocol: 'openai.chat', why: 'no Responses, Anthropic or completions field: chat' };
}

/** inferProtocol of body bytes; bytes that are not JSON are chat (whose parse then reports them). */
export function inferProtocolOf(raw: Buffer): { protocol: Protocol; why: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    return { protocol: 'openai.chat', why: 'not JSON: chat' };
  }
  return inferProtocol(doc);
}
