// One state machine per ext_proc stream (= one HTTP request). Messages are handled strictly in
// order, one answer each, of the matching kind; an immediate response ends the stream.
import type { HeaderEdit, HeadersOutcome } from '../pipeline/outcome.js';
import type { RequestHeaders } from '../pipeline/headers.js';
import { onRequestHeaders } from '../pipeline/request-headers.js';
import { onRequestBody } from '../pipeline/request-body.js';
import { failOpenRoute } from '../pipeline/fail-open.js';
import { recordReply } from '../pipeline/reply-metrics.js';
import { headerMapToMap } from './header-map.js';
import { SERVED_HEADER, subsetHint } from '../pipeline/endpoint-step.js';
import { errorReply } from '../pipeline/replies.js';
import { RouterError } from '../protocol/errors.js';
import type { Logger } from '../telemetry/logger.js';
import { errorMessage } from '../telemetry/errors.js';
import { endpointLoadKey } from '../routing/endpoints.js';
import { countTokensReply } from '../pipeline/count-tokens.js';
import { ResponsePath, type ResponsePlan } from '../pipeline/response-path.js';
import { storedResponseAnswer } from '../pipeline/stored-response-request.js';
import { untrustedIdentityHeaders } from '../pipeline/identity-headers.js';
import { REQUEST_ID_HEADER, requestIdOf } from '../pipeline/request-id.js';
import { noopTracing } from '../telemetry/tracing/index.js';
import { RequestRecord } from '../pipeline/request-record.js';
import { requestTelemetry, type RequestTelemetry } from '../pipeline/trace-steps.js';
import { bodyResponse, duplexBody, endpointMetadata, headersResponse, immediateResponse, modeOverride, trailersResponse } from './mutations.js';
import { HOLDS_HEADERS, type Answers, type Phase, type ResponseSink, type StreamDeps } from './stream-types.js';
import type { BodySendMode, HttpBody, HttpHeaders, ProcessingMode, ProcessingRequest, ProcessingResponse } from './wire.js';

export type { ResponseSink, StreamDeps } from './stream-types.js';

export class ExtProcStream {
  private phase: Phase = { name: 'start' };
  private queue: Promise<void> = Promise.resolve();
  /** Set when Envoy cancelled the stream; nothing is written after it. */
  private cancelled = false;
  /** Set when semroute closed its side; nothing is written after it. */
  private finished = false;
  /** Body bytes this stream holds against the shared budget. */
  private held = 0;
  private requestBodyMode: BodySendMode = 'BUFFERED';
  /** Envoy's configured response body mode, when it told us (protocol_config). */
  private responseBodyMode: BodySendMode | undefined;
  private readonly now: () => number;
  /** Ends this request's in-flight count on its model. */
  private leaveModel: (() => void) | undefined;
  /** The stream's logger; carries request_id once the request headers arrived. */
  private log: Logger;
  /** The request id semroute made (none came, or it was unusable), set on the routed upstream request. */
  private generatedRequestId: string | undefined;
  /** This request's trace and log line; set at the request headers. */
  private tel: RequestTelemetry | undefined;
  private record: RequestRecord | undefined;

  constructor(
    private readonly deps: StreamDeps,
    private readonly sink: ResponseSink,
  ) {
    this.now = deps.now ?? (() => performance.now());
    this.log = deps.logger;
  }

  /** Queue a message; answers leave in arrival order. */
  push(req: ProcessingRequest): void {
    this.queue = this.queue.then(() => this.process(req));
  }

  /** The client half-closed: answer what is pending, then close our side. */
  end(): Promise<void> {
    this.queue = this.queue.then(() => {
      this.releaseAll();
      this.record?.finish(false);
      if (this.closed) return;
      this.finished = true;
      this.sink.end();
    });
    return this.queue;
  }

  /** Whether this side is over (closed by semroute or cancelled by Envoy): nothing more is written. */
  get closed(): boolean {
    return this.finished || this.cancelled;
  }

  /** Envoy cancelled the stream (client gone, timeout): stop work, write nothing more. */
  cancel(): void {
    this.cancelled = true;
    this.releaseAll();
    this.record?.finish(true);
    this.phase = { name: 'done' };
  }

  /** Resolves when every queued message has been handled. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async process(req: ProcessingRequest): Promise<void> {
    if (this.cancelled || this.phase.name === 'done') return;
    let answers: Answers;
    try {
      answers = await this.answer(req);
    } catch (e) {
      // A bug must not cost the request: log it and answer the message so Envoy carries on.
      this.log.error('ext_proc message failed', { kind: req.request, error: errorMessage(e) });
      answers = this.fallbackAnswer(req);
    }
    for (const res of answers === undefined ? [] : Array.isArray(answers) ? answers : [answers]) {
      if (this.cancelled) break;
      if (res.immediate_response) this.phase = { name: 'done' };
      this.sink.write(res);
    }
    if (this.phase.name !== 'body') this.releaseBody();
  }

  private answer(req: ProcessingRequest): Promise<Answers> | Answers {
    const pc = req.protocol_config;
    if (pc?.request_body_mode) this.requestBodyMode = pc.request_body_mode;
    if (pc?.response_body_mode) this.responseBodyMode = pc.response_body_mode;
    switch (req.request) {
      case 'request_headers':
        return this.onRequestHeaders(req.request_headers ?? {}, req.metadata_context);
      case 'request_body':
        return this.onRequestBody(req.request_body ?? {});
      case 'request_trailers':
        return this.onRequestTrailers();
      case 'response_headers':
        return this.onResponseHeaders(req.response_headers ?? {});
      case 'response_body':
        return this.onResponseBody(req.response_body ?? {});
      case 'response_trailers':
        return trailersResponse('response_trailers');
      case undefined:
        this.deps.logger.warn('ext_proc message without a request kind ignored');
        return undefined;
    }
  }

  private onRequestHeaders(msg: HttpHeaders, metadataContext?: unknown): Answers | Promise<ProcessingResponse> {
    if (this.phase.name !== 'start') {
      this.deps.logger.warn('request_headers received twice; answered unchanged');
      return headersResponse('request_headers');
    }
    const map = headerMapToMap(msg.headers);
    // Identity headers from an untrusted hop: routing never sees them, and neither does the upstream.
    const untrusted = untrustedIdentityHeaders(map, this.deps.snapshot.config.security.identity, this.deps.peer);
    for (const name of untrusted) map.delete(name);
    const requestId = requestIdOf(map);
    if (requestId.generated) map.set(REQUEST_ID_HEADER, requestId.id);
    const headers: RequestHeaders = map;
    // A generated id goes upstream with the routing headers (routed requests only, so that a
    // pass-through request still gets no header mutation and keeps its route).
    if (requestId.generated) this.generatedRequestId = requestId.id;
    const { metrics, state, logger } = this.deps;
    const trace = (this.deps.tracing ?? noopTracing).start(headers);
    const record = new RequestRecord(logger, this.deps.snapshot.config.telemetry.logging.requests, trace, headers, requestId.id);
    this.tel = requestTelemetry(trace, metrics, state, record);
    record.steps = this.tel.steps;
    this.record = record;
    // Every line about this request carries its request id (and trace id).
    this.log = record.log;
    const outcome = onRequestHeaders(this.deps.snapshot, headers, msg.end_of_stream ?? false, untrusted);
    switch (outcome.kind) {
      case 'reply':
        return this.reply(outcome);
      case 'passthrough':
        this.phase = { name: 'passthrough' };
        record.outcome('passthrough');
        this.deps.metrics.recordRequest({ decision: 'none', model: 'none', outcome: 'passthrough' });
        // Not a request semroute routes: skip its bodies; the route is recomputed without any
        // client-sent routing header. (FULL_DUPLEX_STREAMED cannot be overridden: its body
        // chunks still come, and are handed back unchanged.)
        return headersResponse('request_headers', outcome.edit, {
          clearRouteCache: true,
          ...this.override('NONE', 'NONE'),
        });
      case 'stored_response':
        return this.onStoredResponse(outcome, headers);
      case 'await_body':
        record.protocol(outcome.protocol);
        this.phase = { name: 'body', protocol: outcome.protocol, countTokens: outcome.countTokens ?? false, headers, chunks: [], size: 0, cleared: false };
        {
          const subset = subsetHint(metadataContext);
          if (subset) this.phase.subset = subset;
        }
        if (this.duplex('request')) {
          // FULL_DUPLEX_STREAMED: Envoy holds the headers until they are answered and sends the
          // body meanwhile; the answer waits for the whole body, so the routing headers and
          // clear_route_cache still reach the route (as the GIE endpoint picker does).
          this.phase.heldHeaders = outcome.edit;
          return undefined;
        }
        if (!HOLDS_HEADERS.has(this.requestBodyMode) && this.responseBodyMode !== undefined) {
          // With NONE the body never comes; with STREAMED modes Envoy forwards the headers before
          // the body is classified, so routing headers set on the body answer would be too late.
          // Ask for BUFFERED (honoured with allow_mode_override), keeping the response mode.
          this.requestBodyMode = 'BUFFERED';
          return headersResponse('request_headers', outcome.edit, {
            clearRouteCache: true,
            modeOverride: modeOverride('BUFFERED', this.responseBodyMode),
          });
        }
        return headersResponse('request_headers', outcome.edit, { clearRouteCache: true });
    }
  }

  private async onRequestBody(msg: HttpBody): Promise<Answers> {
    const phase = this.phase;
    if (phase.name !== 'body') return this.duplex('request') ? duplexBody('request_body', msg.body, msg.end_of_stream ?? false) : bodyResponse('request_body');
    const chunk = msg.body ?? Buffer.alloc(0);
    phase.startedAt ??= this.now();
    phase.size += chunk.length;
    const limit = this.deps.snapshot.limits.maxBodyBytes;
    if (phase.size > limit) {
      return this.reply(errorReply(new RouterError('body_too_large', `The request body exceeds the limit of ${limit} bytes.`)));
    }
    const budget = this.deps.bodyBudget;
    if (budget) {
      if (!budget.tryTake(chunk.length)) {
        return this.reply(errorReply(new RouterError('overloaded', 'The router is handling too many large requests; retry shortly.')));
      }
      this.held += chunk.length;
    }
    phase.chunks.push(chunk);
    // FULL_DUPLEX_STREAMED: held without an answer (an empty streamed_response would reach the
    // upstream as an empty body chunk); the whole body goes back once it is routed.
    if (!msg.end_of_stream && this.duplex('request')) return undefined;
    if (!msg.end_of_stream) {
      if (this.requestBodyMode === 'BUFFERED_PARTIAL') {
        // Envoy sends a partial buffer without end_of_stream only when the body overflowed it.
        return this.reply(errorReply(new RouterError('body_too_large', 'The request body exceeds the proxy buffer limit.')));
      }
      // STREAMED: hold the bytes back; the whole (rewritten) body goes out with the last chunk.
      phase.cleared = true;
      return bodyResponse('request_body', undefined, { clear: true });
    }
    return this.route(phase);
  }

  private async route(phase: Extract<Phase, { name: 'body' }>): Promise<Answers> {
    const { snapshot, metrics } = this.deps;
    const tel = this.tel;
    const logger = this.log;
    const raw = phase.chunks.length === 1 ? phase.chunks[0]! : Buffer.concat(phase.chunks, phase.size);
    if (phase.countTokens) return this.reply(countTokensReply(snapshot, raw));
    let outcome;
    try {
      outcome = await onRequestBody(snapshot, phase.protocol, raw, phase.headers, tel?.state ?? this.deps.state, tel, phase.subset ? { subset: phase.subset } : {});
    } catch (e) {
      // Fail open: an internal fault routes to the default route rather than failing the request.
      logger.error('routing failed; using the default route', { error: errorMessage(e) });
      // Counted as an internal error, with the status the client still gets (200 from upstream).
      metrics.recordError({ code: 'internal', status: 200 });
      outcome = failOpenRoute(snapshot, phase.protocol, raw);
    }
    if (outcome.kind === 'reply') return this.reply(outcome);
    if (this.generatedRequestId !== undefined) {
      outcome = { ...outcome, edit: { ...outcome.edit, set: [...outcome.edit.set, [REQUEST_ID_HEADER, this.generatedRequestId] as const] } };
    }

    const streamed = phase.cleared;
    const body = outcome.body ?? (streamed ? raw : undefined);
    // Field by field, not spreads: this runs for every request (perf/pipeline-bench.ts).
    const plan: ResponsePlan = {};
    if (outcome.cacheWrite) plan.cacheWrite = outcome.cacheWrite;
    if (outcome.translation) plan.translation = outcome.translation;
    if (outcome.responses) plan.responses = outcome.responses;
    if (outcome.usage) {
      outcome.usage.forwardedAt = performance.now();
      plan.usage = outcome.usage;
    }
    this.phase = { name: 'routed', responseHeaders: outcome.responseHeaders, plan, ...(outcome.onServed ? { onServed: outcome.onServed } : {}) };
    metrics.recordRequest({ decision: outcome.decision, model: outcome.model, outcome: 'routed' });
    const inflight = this.deps.inflight;
    if (inflight) {
      const leaveModel = inflight.begin(outcome.model);
      const leaveEndpoint = outcome.endpoint ? inflight.begin(endpointLoadKey(outcome.model, outcome.endpoint)) : undefined;
      this.leaveModel = () => {
        leaveModel();
        leaveEndpoint?.();
      };
    }
    const routingSeconds = (this.now() - (phase.startedAt ?? this.now())) / 1000;
    metrics.recordRoutingLatency(routingSeconds, { decision: outcome.decision, model: outcome.model });
    this.record?.routed(outcome, routingSeconds);
    if (phase.heldHeaders) {
      // FULL_DUPLEX_STREAMED: the held headers answer carries the routing (Envoy drops
      // content-length in this mode), then the whole body in one streamed response.
      const edit: HeaderEdit = { set: [...phase.heldHeaders.set, ...outcome.edit.set], remove: [...phase.heldHeaders.remove, ...outcome.edit.remove] };
      const headersRes = headersResponse('request_headers', edit, { clearRouteCache: true });
      if (outcome.endpoint) headersRes.dynamic_metadata = endpointMetadata(outcome.endpoints?.join(',') ?? outcome.endpoint);
      return [headersRes, duplexBody('request_body', body ?? raw, true)];
    }
    // In STREAMED mode Envoy drops content-length itself.
    const res = bodyResponse('request_body', outcome.edit, { body, clearRouteCache: true, setContentLength: !streamed });
    // The same list as the header: the endpoint-picker protocol requires the two to agree.
    if (outcome.endpoint) res.dynamic_metadata = endpointMetadata(outcome.endpoints?.join(',') ?? outcome.endpoint);
    return res;
  }

  /** The stream is over: body bytes, the in-flight count, and an answer still being captured (incomplete: not stored). */
  private releaseAll(): void {
    this.releaseBody();
    this.leaveModel?.();
    if (this.phase.name === 'routed') this.phase.path?.abort();
  }

  private releaseBody(): void {
    if (this.held > 0) this.deps.bodyBudget?.give(this.held);
    this.held = 0;
  }

  private onRequestTrailers(): ProcessingResponse {
    if (this.phase.name === 'body') {
      // The body ended with trailers instead of end_of_stream: it can no longer be rewritten.
      return this.reply(
        errorReply(new RouterError('invalid_request', 'Request trailers are not supported on routed endpoints.')),
      );
    }
    return trailersResponse('request_trailers');
  }

  private onResponseHeaders(msg: HttpHeaders): ProcessingResponse {
    const phase = this.phase;
    if (phase.name !== 'routed') return this.responseHeadersAnswer(undefined);
    if (phase.onServed) {
      const served = headerMapToMap(msg.headers).get(SERVED_HEADER);
      if (served) phase.onServed(served.trim());
    }
    const edit: HeaderEdit = { set: phase.responseHeaders, remove: [] };
    const headers = headerMapToMap(msg.headers);
    this.record?.responseStatus(Number(headers.get(':status') ?? 0));
    if (!msg.end_of_stream) {
      const path = ResponsePath.begin(this.tel?.state ?? this.deps.state, phase.plan, headers, this.tel?.metrics ?? this.deps.metrics, this.tel);
      if (path) {
        phase.path = path;
        // STREAMED: each chunk passes to the client as soon as it is answered (SSE stays live),
        // captured for the cache and translated on the way.
        const changed: HeaderEdit = { set: [...edit.set, ...path.edit.set], remove: path.edit.remove };
        return headersResponse('response_headers', changed, this.override(this.requestBodyMode, 'STREAMED'));
      }
    }
    return this.responseHeadersAnswer(edit);
  }

  /**
   * Without a cache write semroute reads no response body: the response-headers answer (the
   * fallback one too) stops Envoy from buffering it, which would hold an SSE stream back until it ends.
   */
  private responseHeadersAnswer(edit: HeaderEdit | undefined): ProcessingResponse {
    return headersResponse('response_headers', edit, this.override(this.requestBodyMode, 'NONE'));
  }

  private onResponseBody(msg: HttpBody): Answers {
    const phase = this.phase;
    const last = msg.end_of_stream ?? false;
    const duplex = this.duplex('response');
    if (phase.name !== 'routed' || !phase.path) return duplex ? duplexBody('response_body', msg.body, last) : bodyResponse('response_body');
    const out = phase.path.push(msg.body ?? Buffer.alloc(0), last);
    if (last) delete phase.path;
    if (duplex) {
      // Every byte the client gets is one semroute hands back; nothing to hand back yet: no message.
      const bytes = out ?? msg.body ?? Buffer.alloc(0);
      return bytes.length > 0 || last ? duplexBody('response_body', bytes, last) : undefined;
    }
    if (out === undefined) return bodyResponse('response_body');
    // A translated chunk: its bytes replace the upstream's (empty: nothing to send yet).
    return bodyResponse('response_body', undefined, out.length > 0 ? { body: out, setContentLength: false } : { clear: true });
  }


  /** GET or DELETE /v1/responses/{id}: answered from stored responses, or routed to the model holding it. */
  private async onStoredResponse(outcome: Extract<HeadersOutcome, { kind: 'stored_response' }>, headers: RequestHeaders): Promise<ProcessingResponse> {
    const answer = await storedResponseAnswer(this.deps.snapshot, this.deps.state, outcome, headers);
    if (answer.kind === 'reply') return this.reply(answer);
    this.phase = { name: 'passthrough' };
    this.record?.outcome('stored_response', answer.model);
    this.deps.metrics.recordRequest({ decision: 'none', model: answer.model, outcome: 'stored_response' });
    return headersResponse('request_headers', answer.edit, { clearRouteCache: true, modeOverride: modeOverride('NONE', 'NONE') });
  }

  private reply(reply: Parameters<typeof immediateResponse>[0] & { reason: string; decision?: string; model?: string }): ProcessingResponse {
    const { metrics } = this.deps;
    this.record?.replied(reply);
    recordReply(metrics, reply);
    return immediateResponse(reply, `semroute:${reply.reason}`);
  }

  /** Whether a direction's body is FULL_DUPLEX_STREAMED (no mode_override can change that). */
  private duplex(dir: 'request' | 'response'): boolean {
    return (dir === 'request' ? this.requestBodyMode : this.responseBodyMode) === 'FULL_DUPLEX_STREAMED';
  }

  /** A mode_override, unless either direction is FULL_DUPLEX_STREAMED (Envoy refuses to switch into or out of it). */
  private override(request: BodySendMode, response: BodySendMode): { modeOverride?: ProcessingMode } {
    if (this.duplex('request') || this.duplex('response')) return {};
    return { modeOverride: modeOverride(request, response) };
  }

  /** The answer when handling a message threw: continue unchanged, of the matching kind. */
  private fallbackAnswer(req: ProcessingRequest): ProcessingResponse | undefined {
    switch (req.request) {
      case 'request_headers':
        return headersResponse(req.request);
      case 'response_headers':
        return this.responseHeadersAnswer(undefined);
      case 'request_body':
      case 'response_body': {
        const dir = req.request === 'request_body' ? 'request' : 'response';
        const body = req.request === 'request_body' ? req.request_body : req.response_body;
        return this.duplex(dir) ? duplexBody(req.request, body?.body, body?.end_of_stream ?? false) : bodyResponse(req.request);
      }
      case 'request_trailers':
      case 'response_trailers':
        return trailersResponse(req.request);
      case undefined:
        return undefined;
    }
  }
}
