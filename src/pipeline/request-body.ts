// The request_body phase: parse, route, and plan the upstream request.
import { RouterError } from '../protocol/errors.js';
import { API_PATH, PROTOCOL_API, type Protocol, type RoutingRequest } from '../protocol/ir.js';
import { translatorFor } from '../protocol/translate/index.js';
import { servesNatively } from '../routing/egress.js';
import { memberSpans, serializeEdited } from '../protocol/json-members.js';
import { spliceJsonString } from '../protocol/json-scan.js';
import { parseRequestBody } from '../protocol/parse.js';
import type { ModelConfig } from '../config/schema.js';
import { applyEdits, forwardedDoc, reasoningEdit, type BodyEdit } from '../routing/body-edits.js';
import type { HeadersPluginConfig } from '../routing/router.js';
import { tenantOf } from '../state/identity.js';
import type { Pin } from '../state/types.js';
import { expandedInput, loadResponse, responseNotFound, type StoredLookup } from './stored-responses.js';
import { applyAffinity } from './affinity-step.js';
import { pickEndpoints } from './endpoint-step.js';
import { cacheStep, type CacheStep } from './cache-step.js';
import { cacheDebugHeader, debugHeaders, wantsDebug } from './debug-headers.js';
import type { StateContext } from './state-context.js';
import { DECISION_HEADER, ENDPOINT_HEADER, GIE_MODEL_HEADER, MODEL_HEADER, type RequestHeaders } from './headers.js';
import type { BodyOutcome, HeaderPair } from './outcome.js';
import type { UsagePlan } from './response-path.js';
import { blockReply, errorReply } from './replies.js';
import type { RoutingSnapshot } from './snapshot.js';
import { CHAT_PATH, newResponseId, type TranslationPlan } from './translation.js';
import { asksForUsage } from './usage-meter.js';
import { NOOP_TRACE, type RequestTrace } from '../telemetry/tracing/index.js';
import { decisionAttributes, hashedTenant, inferenceSpans, operationName, requestSignalObserver, signalSpans, startUpstreamSpan, type RequestTelemetry } from './trace-steps.js';

/** The decision name reported when the client named a configured model itself. */
export const EXPLICIT_DECISION = 'explicit';

/** What the data plane said about the request besides its headers (ext_proc metadata_context). */
export interface RequestHints {
  /** The GIE subset hint (envoy.lb.subset_hint): only these endpoints may be picked. */
  subset?: readonly string[];
}

/** `state`: shared state for affinity and the cache (absent: both off, e.g. in unit tests). */
export async function onRequestBody(
  snap: RoutingSnapshot,
  protocol: Protocol,
  raw: Buffer,
  headers?: RequestHeaders,
  state?: StateContext,
  tel?: RequestTelemetry,
  hints: RequestHints = {},
): Promise<BodyOutcome> {
  let parsed;
  const trace = tel?.trace ?? NOOP_TRACE;
  const parseSpan = trace.child('semroute.parse', { 'semroute.protocol': protocol, 'http.request.body.size': raw.length });
  try {
    parsed = parseRequestBody(protocol, raw, snap.limits);
    parseSpan.set({ 'semroute.messages': parsed.ir.messages.length, 'gen_ai.request.stream': parsed.ir.stream });
    parseSpan.end();
  } catch (e) {
    parseSpan.end(e instanceof RouterError ? e.code : 'internal');
    if (e instanceof RouterError) return errorReply(e, protocol);
    throw e;
  }
  try {
    const out = await routeParsed(snap, parsed, raw, headers, state, tel, hints);
    // The GenAI metrics' tenant label: only a tenant a trusted hop named (never a credential's hash).
    if (out.kind === 'forward' && out.usage && headers && snap.config.security.identity.trusted) out.usage.tenant = tenantOf(headers, snap.config.security.identity);
    if (out.kind === 'forward' && tel?.trace.recording) {
      const model = snap.config.models.find((m) => m.name === out.model);
      startUpstreamSpan(tel, out, parsed.ir, model?.served_name ?? out.model);
    }
    return out;
  } catch (e) {
    // A request the chosen backend cannot take in its protocol (translation refused it).
    if (e instanceof RouterError) return errorReply(e, protocol);
    throw e;
  }
}

async function routeParsed(
  snap: RoutingSnapshot,
  parsedIn: ReturnType<typeof parseRequestBody>,
  rawIn: Buffer,
  headers: RequestHeaders | undefined,
  state: StateContext | undefined,
  tel: RequestTelemetry | undefined,
  hints: RequestHints,
): Promise<BodyOutcome> {
  const trace: RequestTrace = tel?.trace ?? NOOP_TRACE;
  const subset = hints.subset ? { subset: hints.subset } : {};
  const tenant = headers ? tenantOf(headers, snap.config.security.identity) : undefined;
  if (tenant !== undefined && trace.recording) trace.set({ 'semroute.tenant': hashedTenant(tenant) });
  const previous = await continuePrevious(snap, parsedIn, rawIn, state, tenant);
  const { parsed, raw } = previous;
  const { ir, modelSpan } = parsed;
  if (headers) ir.headers = headers;
  const requested = snap.router.resolveModel(ir.model);
  switch (requested.kind) {
    case 'unknown':
      return errorReply(
        new RouterError('model_not_found', `The model "${ir.model}" does not exist. See GET /v1/models.`, 'model'),
        ir.protocol,
      );
    case 'explicit': {
      const pin = { model: requested.model.name, decision: EXPLICIT_DECISION, priority: 0, lastUsedMs: Date.now() };
      continuationCheck(ir, requested.model, previous.lookup);
      const out = forwardTo(snap, { decision: EXPLICIT_DECISION, model: requested.model, requestedModel: ir.model, raw, modelSpan, ir, expanded: previous.lookup === 'found', ...subset });
      return withResponsesFollowUp(snap, out, ir, tenant, pin);
    }
    case 'auto': {
      const decisionSpan = trace.child('semroute.decision');
      const signals = trace.recording ? signalSpans(trace, decisionSpan) : undefined;
      if (trace.recording) ir.onInference = inferenceSpans(trace, decisionSpan);
      let choice = await snap.router.decide(ir, tel ? requestSignalObserver(tel, signals?.observer) : undefined);
      signals?.record(choice.signals);
      if (trace.recording) decisionSpan.set(decisionAttributes(choice));
      decisionSpan.end();
      const debugOn = headers !== undefined && snap.config.security.debug_headers && wantsDebug(headers);
      if (choice.block) {
        const reply = blockReply(choice.decision, choice.block, ir.protocol);
        if (debugOn) reply.headers.push(...debugHeaders(choice));
        return reply;
      }
      let endpoint: string | undefined;
      let commitPin: ((ep: string | undefined) => void) | undefined;
      let cache: CacheStep = { kind: 'off' };
      if (state && headers && tenant !== undefined) {
        // Step spans only for the steps this request takes (the traced metrics add their results).
        const steps = tel?.steps;
        const affinitySpan = snap.config.affinity.enabled ? trace.child('semroute.affinity') : undefined;
        if (steps && affinitySpan) steps.affinity = affinitySpan;
        ({ choice, endpoint, commitPin } = await applyAffinity(state, snap, ir, headers, tenant, choice));
        affinitySpan?.set({ 'semroute.model': choice.model.name });
        affinitySpan?.end();
        continuationCheck(ir, choice.model, previous.lookup);
        const cacheSpan = snap.config.cache.enabled && choice.cache?.enabled ? trace.child('semroute.cache.lookup') : undefined;
        if (steps && cacheSpan) steps.cache = cacheSpan;
        cache = await cacheStep(state, snap, ir, headers, tenant, choice);
        cacheSpan?.end();
        if (cache.kind === 'hit') {
          if (debugOn) cache.reply.headers.push(...debugHeaders(choice), ...cacheDebugHeader(cache.detail));
          return cache.reply;
        }
      } else continuationCheck(ir, choice.model, previous.lookup);
      const out = forwardTo(snap, {
        decision: choice.decision,
        model: choice.model,
        requestedModel: ir.model,
        raw,
        modelSpan,
        ...(choice.headers ? { headers: choice.headers } : {}),
        rewrite: { body: ir.body, edits: choice.edits, ...(choice.reasoningEdit ? { reasoning: choice.reasoningEdit } : {}) },
        ...(endpoint ? { endpoint } : {}),
        ir,
        expanded: previous.lookup === 'found',
        ...subset,
      });
      commitPin?.(out.endpoint);
      if (cache.kind === 'miss') {
        out.responseHeaders.push(cache.header);
        // The answer is captured as chat completions: native Anthropic and Responses answers are not stored.
        if (cache.pending && (out.translation || !translatorFor(ir.protocol))) out.cacheWrite = cache.pending;
      }
      if (debugOn) out.responseHeaders.push(...debugHeaders(choice), ...cacheDebugHeader(cache.kind === 'miss' ? cache.detail : undefined));
      const pin = { model: choice.model.name, decision: choice.decision, priority: choice.priority, lastUsedMs: Date.now(), ...(out.endpoint ? { endpoint: out.endpoint } : {}) };
      return withResponsesFollowUp(snap, out, ir, tenant, pin);
    }
  }
}

/**
 * previous_response_id naming a response semroute stored: the request continues with that
 * conversation expanded in front of its input (re-parsed, so routing sees all of it). Otherwise
 * it stays as sent, for a native backend that holds the response.
 */
async function continuePrevious(
  snap: RoutingSnapshot,
  parsed: ReturnType<typeof parseRequestBody>,
  raw: Buffer,
  state: StateContext | undefined,
  tenant: string | undefined,
): Promise<{ parsed: ReturnType<typeof parseRequestBody>; raw: Buffer; lookup: StoredLookup['kind'] | 'none' }> {
  const id = parsed.ir.previousResponseId;
  if (!id || !state || tenant === undefined) return { parsed, raw, lookup: 'none' };
  const found = await loadResponse(state, tenant, id);
  if (found.kind !== 'found') return { parsed, raw, lookup: found.kind };
  // previous_response_id stays in the body: the affinity pin is read under it (and a native
  // backend is sent the expanded input without it: see forwardTo).
  const body = { ...parsed.ir.body, input: expandedInput(found.stored, parsed.ir.body.input) };
  const expandedRaw = Buffer.from(JSON.stringify(body));
  return { parsed: parseRequestBody(parsed.ir.protocol, expandedRaw, snap.limits), raw: expandedRaw, lookup: 'found' };
}

/** A continuation semroute could not expand cannot go to a model that would not know the response either. */
function continuationCheck(ir: RoutingRequest, model: ModelConfig, lookup: StoredLookup['kind'] | 'none'): void {
  if (!ir.previousResponseId || lookup === 'found' || servesNatively(model, ir.protocol)) return;
  if (lookup === 'unavailable') throw new RouterError('state_unavailable', 'Stored responses are unavailable right now, so previous_response_id cannot be resolved; retry shortly.', 'previous_response_id');
  throw responseNotFound(ir.previousResponseId);
}

/** Responses API answers pin their model under their id (and, translated, are stored) for the next turn. */
function withResponsesFollowUp(snap: RoutingSnapshot, out: BodyOutcome, ir: RoutingRequest, tenant: string | undefined, pin: Pin): BodyOutcome {
  if (out.kind !== 'forward' || ir.protocol !== 'openai.responses' || tenant === undefined) return out;
  const storeCfg = snap.config.responses.store;
  const store = out.translation && storeCfg.enabled && ir.body.store !== false ? { ttlSeconds: storeCfg.ttl_seconds, maxBytes: storeCfg.max_bytes } : undefined;
  if (!snap.config.affinity.enabled && !store) return out;
  out.responses = { tenant, pin, pinTtlSeconds: snap.config.affinity.ttl_seconds, ...(store ? { store } : {}) };
  return out;
}

export interface ForwardPlan {
  decision: string;
  model: ModelConfig;
  /** The body's "model" as sent; undefined when unknown (the body is then re-serialised). */
  requestedModel: string | undefined;
  raw: Buffer;
  modelSpan: { start: number; end: number } | undefined;
  /** The decision's headers plugin. */
  headers?: HeadersPluginConfig;
  /** The parsed body and the plugins' edits to it; `reasoning` (one of them) is in the upstream's protocol. */
  rewrite?: { body: Record<string, unknown>; edits: readonly BodyEdit[]; reasoning?: BodyEdit };
  /** Endpoint mode: an endpoint already chosen (session affinity); otherwise one is picked. With routing.endpoint_picker only a preference (the session scorer). */
  endpoint?: string;
  /** routing.endpoint_picker: the GIE subset hint. */
  subset?: readonly string[];
  /** The parsed request (absent when failing open on a body that could not be routed). */
  ir?: Pick<RoutingRequest, 'protocol' | 'stream' | 'body' | 'tools' | 'messages'>;
  /** The Responses input holds the expanded previous_response_id chain: a native backend must not get the id too. */
  expanded?: boolean;
}

/** Plans the upstream request for a model; also used to fail open to the default route. */
export function forwardTo(snap: RoutingSnapshot, planIn: ForwardPlan): Extract<BodyOutcome, { kind: 'forward' }> {
  const usage = usagePlan(snap, planIn);
  const plan = usage?.strip ? withUsageAsked(planIn) : planIn;
  const { decision, model, requestedModel, raw, modelSpan, headers: headerPlugin, rewrite } = plan;
  const served = model.served_name ?? model.name;
  const translated = plan.ir && !servesNatively(model, plan.ir.protocol) ? translateRequest(plan, plan.ir, served) : undefined;
  let body: Buffer | undefined;
  if (translated) {
    body = translated.body;
  } else if (plan.expanded && plan.ir) {
    const doc = forwardedDoc(rewrite?.body ?? plan.ir.body, rewrite?.edits ?? [], served);
    delete doc.previous_response_id;
    body = Buffer.from(JSON.stringify(doc));
  } else if (rewrite && rewrite.edits.length > 0) {
    // Plugins changed the body: the edited copy, with every member they left alone copied from
    // the client's bytes (re-serialising a 4 MB body whole costs twice its parse).
    const doc = forwardedDoc(rewrite.body, rewrite.edits, served);
    const spans = memberSpans(raw, ['messages']);
    body = spans ? serializeEdited(raw, spans, rewrite.body, doc) : Buffer.from(JSON.stringify(doc));
  } else if (requestedModel !== served) {
    body = modelSpan ? spliceJsonString(raw, modelSpan, served) : rewriteModel(raw, served);
  }
  // Only endpoint mode names an endpoint (a pin from an earlier endpoint-mode config never leaks).
  const picked = snap.config.routing.mode === 'endpoint' ? planEndpoints(snap, plan) : undefined;
  const endpoints = picked?.endpoints;
  const endpoint = endpoints?.join(',');
  // Every request comes through here: objects are built field by field, not by spreads of
  // conditional parts (V8 copies those on its slow path; perf/README.md, pipeline bench).
  const set: HeaderPair[] = [
    [MODEL_HEADER, model.name],
    [DECISION_HEADER, decision],
  ];
  if (endpoint) set.push([ENDPOINT_HEADER, endpoint]);
  if (snap.config.routing.mode === 'model') set.push([GIE_MODEL_HEADER, served]);
  if (translated) set.push([':path', CHAT_PATH]);
  if (headerPlugin?.set) for (const [k, v] of Object.entries(headerPlugin.set)) set.push([k, v]);
  const out: Extract<BodyOutcome, { kind: 'forward' }> = {
    kind: 'forward',
    decision,
    model: model.name,
    edit: { set, remove: headerPlugin?.remove ?? [] },
    body,
    responseHeaders: [[DECISION_HEADER, decision], [MODEL_HEADER, model.name]],
  };
  if (endpoints?.[0]) {
    out.endpoint = endpoints[0];
    out.endpoints = endpoints;
  }
  if (picked?.served) out.onServed = picked.served;
  if (translated) out.translation = translated.plan;
  if (usage) {
    const u: UsagePlan = {
      upstream: translated ? 'openai.chat' : usage.upstream,
      stream: usage.stream,
      strip: translated ? false : usage.strip,
      operation: usage.operation,
      model: model.name,
      decision,
      servedModel: served,
      tenant: 'none',
    };
    if (model.cost_per_million_tokens) u.cost = model.cost_per_million_tokens;
    out.usage = u;
  }
  return out;
}

/**
 * The ordered endpoint list: the pick, then the fallbacks (routing.endpoint_picker), or the one
 * least-in-flight endpoint. A refusal (503/429) throws a RouterError; failing open (no parsed
 * request) it forwards with no endpoint instead, to the model's cluster route.
 */
function planEndpoints(snap: RoutingSnapshot, plan: ForwardPlan): { endpoints: string[]; served?: (endpoint: string) => void } | undefined {
  if (!snap.live) {
    const one = plan.endpoint ?? snap.endpoints?.pick(plan.model);
    return one ? { endpoints: [one] } : undefined;
  }
  try {
    return pickEndpoints(snap.live, plan.model, {
      ...(plan.ir ? { ir: plan.ir } : {}),
      decision: plan.decision,
      ...(plan.subset ? { subset: plan.subset } : {}),
      ...(plan.endpoint ? { pinned: plan.endpoint } : {}),
    });
  } catch (e) {
    if (plan.ir) throw e;
    return undefined;
  }
}

/** Token usage is read from answers (telemetry.token_usage); a streaming chat request that did not ask for it gets it asked for, then stripped. */
function usagePlan(snap: RoutingSnapshot, plan: ForwardPlan): { upstream: Protocol; stream: boolean; strip: boolean; operation: string } | undefined {
  const ir = plan.ir;
  if (!snap.config.telemetry.token_usage || !ir) return undefined;
  const strip = ir.protocol === 'openai.chat' && ir.stream && servesNatively(plan.model, ir.protocol) && !asksForUsage(ir.body);
  return { upstream: ir.protocol, stream: ir.stream, strip, operation: operationName(ir.protocol) };
}

function withUsageAsked(plan: ForwardPlan): ForwardPlan {
  const ask: BodyEdit = (doc) => {
    const prev = doc.stream_options && typeof doc.stream_options === 'object' ? (doc.stream_options as Record<string, unknown>) : {};
    doc.stream_options = { ...prev, include_usage: true };
  };
  const body = plan.rewrite?.body ?? plan.ir!.body;
  return { ...plan, rewrite: { ...plan.rewrite, body, edits: [...(plan.rewrite?.edits ?? []), ask] } };
}

/**
 * The chat completions request for a model that does not serve the client's protocol: the
 * plugins' edits in the client's shape (system prompt into `system`/`instructions`, redaction of
 * every text part), then the translation, then the model's reasoning switch in chat's shape.
 */
function translateRequest(plan: ForwardPlan, ir: NonNullable<ForwardPlan['ir']>, served: string): { body: Buffer; plan: TranslationPlan } {
  const translator = translatorFor(ir.protocol);
  if (!translator) {
    const path = API_PATH[PROTOCOL_API[ir.protocol]];
    throw new RouterError('invalid_request', `The model "${plan.model.name}" does not serve ${path}; its backend serves ${plan.model.api.map((a) => API_PATH[a]).join(', ')}.`, 'model');
  }
  // The decision's reasoning switch wins; without one, the client's own ask (Anthropic thinking,
  // Responses reasoning.effort) becomes the model's switch in chat's shape.
  const reasoning = plan.rewrite?.reasoning ?? clientReasoning(plan.model, ir);
  const edits = (plan.rewrite?.edits ?? []).filter((e) => e !== plan.rewrite?.reasoning);
  const doc = applyEdits(plan.rewrite?.body ?? ir.body, edits);
  const chat = translator.request(doc);
  reasoning?.(chat);
  chat.model = served;
  const responseId = ir.protocol === 'openai.responses' ? newResponseId() : undefined;
  return {
    body: Buffer.from(JSON.stringify(chat)),
    plan: { protocol: ir.protocol, stream: ir.stream, request: doc, model: plan.model.name, ...(responseId ? { responseId } : {}) },
  };
}

function clientReasoning(model: ModelConfig, ir: NonNullable<ForwardPlan['ir']>): BodyEdit | undefined {
  const b = ir.body as { thinking?: { type?: unknown }; reasoning?: { effort?: unknown } | null };
  let wanted: 'on' | 'off' | undefined;
  let effort: 'low' | 'medium' | 'high' | undefined;
  if (ir.protocol === 'anthropic.messages' && b.thinking) wanted = b.thinking.type === 'enabled' ? 'on' : 'off';
  if (ir.protocol === 'openai.responses' && typeof b.reasoning?.effort === 'string') {
    const e = b.reasoning.effort;
    wanted = e === 'none' || e === 'minimal' ? 'off' : 'on';
    if (e === 'low' || e === 'medium' || e === 'high') effort = e;
  }
  if (!wanted) return undefined;
  return reasoningEdit(model.reasoning_family, { model: model.name, weight: 1, reasoning: wanted, ...(effort ? { reasoning_effort: effort } : {}) }, 'openai.chat');
}

/** Fallback when the model string could not be located in place: re-serialise the document. */
function rewriteModel(raw: Buffer, served: string): Buffer | undefined {
  try {
    const doc = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    doc.model = served;
    return Buffer.from(JSON.stringify(doc));
  } catch {
    return undefined;
  }
}
