// The request_body phase: parse, route, and plan the upstream request.
import { RouterError } from '../protocol/errors.js';
import type { Protocol } from '../protocol/ir.js';
import { memberSpans, serializeEdited } from '../protocol/json-members.js';
import { spliceJsonString } from '../protocol/json-scan.js';
import { parseRequestBody } from '../protocol/parse.js';
import type { ModelConfig } from '../config/schema.js';
import { forwardedDoc, type BodyEdit } from '../routing/body-edits.js';
import type { HeadersPluginConfig } from '../routing/router.js';
import { tenantOf } from '../state/identity.js';
import { applyAffinity } from './affinity-step.js';
import { cacheStep, type CacheStep } from './cache-step.js';
import { cacheDebugHeader, debugHeaders, wantsDebug } from './debug-headers.js';
import type { StateContext } from './state-context.js';
import { DECISION_HEADER, ENDPOINT_HEADER, MODEL_HEADER, type RequestHeaders } from './headers.js';
import type { BodyOutcome } from './outcome.js';
import { blockReply, errorReply } from './replies.js';
import type { RoutingSnapshot } from './snapshot.js';

/** The decision name reported when the client named a configured model itself. */
export const EXPLICIT_DECISION = 'explicit';

/** `state`: shared state for affinity and the cache (absent: both off, e.g. in unit tests). */
export async function onRequestBody(
  snap: RoutingSnapshot,
  protocol: Protocol,
  raw: Buffer,
  headers?: RequestHeaders,
  state?: StateContext,
): Promise<BodyOutcome> {
  let parsed;
  try {
    parsed = parseRequestBody(protocol, raw, snap.limits);
  } catch (e) {
    if (e instanceof RouterError) return errorReply(e);
    throw e;
  }
  const { ir, modelSpan } = parsed;
  if (headers) ir.headers = headers;
  const requested = snap.router.resolveModel(ir.model);
  switch (requested.kind) {
    case 'unknown':
      return errorReply(
        new RouterError('model_not_found', `The model "${ir.model}" does not exist. See GET /v1/models.`, 'model'),
      );
    case 'explicit':
      return forwardTo(snap, { decision: EXPLICIT_DECISION, model: requested.model, requestedModel: ir.model, raw, modelSpan });
    case 'auto': {
      let choice = await snap.router.decide(ir);
      const debugOn = headers !== undefined && snap.config.security.debug_headers && wantsDebug(headers);
      if (choice.block) {
        const reply = blockReply(choice.decision, choice.block);
        if (debugOn) reply.headers.push(...debugHeaders(choice));
        return reply;
      }
      let endpoint: string | undefined;
      let cache: CacheStep = { kind: 'off' };
      if (state && headers) {
        const tenant = tenantOf(headers, snap.config.security.identity);
        ({ choice, endpoint } = await applyAffinity(state, snap, ir, headers, tenant, choice));
        cache = await cacheStep(state, snap, ir, headers, tenant, choice);
        if (cache.kind === 'hit') {
          if (debugOn) cache.reply.headers.push(...debugHeaders(choice), ...cacheDebugHeader(cache.detail));
          return cache.reply;
        }
      }
      const out = forwardTo(snap, {
        decision: choice.decision,
        model: choice.model,
        requestedModel: ir.model,
        raw,
        modelSpan,
        ...(choice.headers ? { headers: choice.headers } : {}),
        rewrite: { body: ir.body, edits: choice.edits },
        ...(endpoint ? { endpoint } : {}),
      });
      if (cache.kind === 'miss') {
        out.responseHeaders.push(cache.header);
        if (cache.pending) out.cacheWrite = cache.pending;
      }
      if (debugOn) out.responseHeaders.push(...debugHeaders(choice), ...cacheDebugHeader(cache.kind === 'miss' ? cache.detail : undefined));
      return out;
    }
  }
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
  /** The parsed body and the plugins' edits to it. */
  rewrite?: { body: Record<string, unknown>; edits: readonly BodyEdit[] };
  /** Endpoint mode: an endpoint already chosen (session affinity); otherwise one is picked. */
  endpoint?: string;
}

/** Plans the upstream request for a model; also used to fail open to the default route. */
export function forwardTo(snap: RoutingSnapshot, plan: ForwardPlan): Extract<BodyOutcome, { kind: 'forward' }> {
  const { decision, model, requestedModel, raw, modelSpan, headers: headerPlugin, rewrite } = plan;
  const served = model.served_name ?? model.name;
  let body: Buffer | undefined;
  if (rewrite && rewrite.edits.length > 0) {
    // Plugins changed the body: the edited copy, with every member they left alone copied from
    // the client's bytes (re-serialising a 4 MB body whole costs twice its parse).
    const doc = forwardedDoc(rewrite.body, rewrite.edits, served);
    const spans = memberSpans(raw, ['messages']);
    body = spans ? serializeEdited(raw, spans, rewrite.body, doc) : Buffer.from(JSON.stringify(doc));
  } else if (requestedModel !== served) {
    body = modelSpan ? spliceJsonString(raw, modelSpan, served) : rewriteModel(raw, served);
  }
  const endpoint = plan.endpoint ?? snap.endpoints?.pick(model);
  return {
    kind: 'forward',
    decision,
    model: model.name,
    ...(endpoint ? { endpoint } : {}),
    edit: {
      set: [
        [MODEL_HEADER, model.name],
        [DECISION_HEADER, decision],
        ...(endpoint ? [[ENDPOINT_HEADER, endpoint] as const] : []),
        ...Object.entries(headerPlugin?.set ?? {}),
      ],
      remove: headerPlugin?.remove ?? [],
    },
    body,
    responseHeaders: [[DECISION_HEADER, decision], [MODEL_HEADER, model.name]],
  };
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
