// The full routing trace of one request body: each signal's value and time, each decision's rule
// evaluation, the choice and why. Served by `semroute explain` and POST /v1/explain; it runs the
// same code the ext_proc path runs (Router.decide's steps), so the trace is what routing does.
import { RouterError } from '../protocol/errors.js';
import type { Protocol } from '../protocol/ir.js';
import { parseRequestBody } from '../protocol/parse.js';
import { forwardedDoc } from '../routing/body-edits.js';
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

export interface ExplainTrace {
  request: { protocol: Protocol; model: string; stream: boolean; messages: number; estimatedTokens: number };
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
  /** The body the upstream would receive (auto route, when plugins or the model change it). */
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
      ...(known ? { model: requested.model.name, modelWhy: 'named by the client' } : { reply: { status: 404, code: 'model_not_found', message: `The model "${ir.model}" does not exist.` } }),
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
  const forwardedBody = reply ? undefined : forwardedDoc(ir.body, choice.edits, choice.model.served_name ?? choice.model.name);
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
    ...(forwardedBody ? { forwardedBody } : {}),
    ...(cache ? { cache } : {}),
    totalMs: performance.now() - t0,
  };
}
