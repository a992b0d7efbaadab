// What one request leaves behind in the logs and the trace: a logger whose every line carries
// the request id and trace id, and at the end of the stream one JSON line (request id, trace id,
// method, path without its query, protocol, decision, model, cache, status, outcome, latencies)
// and the request span's closing attributes. Never prompt or answer text, credentials, header
// values or identities: only values from configuration and closed sets, and our own numbers.
import type { Logger } from '../telemetry/logger.js';
import type { RequestTrace } from '../telemetry/tracing/index.js';
import { CACHE_HEADER } from './headers.js';
import type { HeaderPair } from './outcome.js';
import type { StepSpans } from '../telemetry/tracing/traced-metrics.js';

export type RequestLogLevel = 'info' | 'debug' | 'off';

function cacheOf(headers: readonly HeaderPair[]): string | undefined {
  for (const [k, v] of headers) if (k === CACHE_HEADER) return v;
  return undefined;
}

export class RequestRecord {
  readonly requestId: string;
  /** The fields of every line written about this request. */
  readonly ids: Record<string, string>;
  /** For every line written about this request. */
  readonly log: Logger;
  /** The spans of the request's steps (its upstream span is ended here when the response path did not). */
  steps: StepSpans = {};
  private readonly fields: Record<string, string | number | boolean | undefined> = {};
  private readonly startedAt: number;
  private done = false;

  constructor(
    logger: Logger,
    private readonly level: RequestLogLevel,
    private readonly trace: RequestTrace,
    headers: ReadonlyMap<string, string>,
    /** request-id.ts: Envoy's x-request-id when usable, else one semroute made. Logs and traces only, never trusted. */
    requestId: string,
  ) {
    this.startedAt = performance.now();
    this.requestId = requestId;
    this.ids = trace.traceId ? { request_id: this.requestId, trace_id: trace.traceId } : { request_id: this.requestId };
    this.log = logger.child(this.ids);
    const path = headers.get(':path') ?? '';
    const q = path.indexOf('?');
    this.fields.method = headers.get(':method');
    this.fields.path = (q >= 0 ? path.slice(0, q) : path).slice(0, 256);
    if (trace.recording) trace.set({ 'http.request.method': this.fields.method, 'url.path': this.fields.path, 'semroute.request_id': this.requestId });
  }

  protocol(protocol: string): void {
    this.fields.protocol = protocol;
  }

  routed(o: { decision: string; model: string; responseHeaders: readonly HeaderPair[]; stream?: boolean }, routingSeconds: number): void {
    Object.assign(this.fields, { outcome: 'routed', decision: o.decision, model: o.model, cache: cacheOf(o.responseHeaders), routing_ms: round(routingSeconds * 1000) });
  }

  /** An answer semroute gave itself (error, block, cache hit, models list…). */
  replied(r: { status: number; reason: string; decision?: string | undefined; model?: string | undefined; headers: readonly HeaderPair[] }): void {
    const outcome = r.reason === 'blocked' || r.reason === 'pii_blocked' ? 'blocked' : r.reason;
    Object.assign(this.fields, { outcome, status: r.status, decision: r.decision, model: r.model, cache: cacheOf(r.headers) });
    if (r.status >= 400) this.fields.error = r.reason;
  }

  outcome(outcome: string, model?: string): void {
    this.fields.outcome = outcome;
    if (model) this.fields.model = model;
  }

  responseStatus(status: number): void {
    this.fields.status = status;
  }

  /** The stream is over (`cancelled`: Envoy reset it): the request line and the end of its span. */
  finish(cancelled: boolean): void {
    if (this.done) return;
    this.done = true;
    const f = this.fields;
    const latencyMs = round(performance.now() - this.startedAt);
    if (this.trace.recording) {
      const up = this.steps.upstream;
      if (up) {
        up.end(cancelled ? 'cancelled' : undefined);
        delete this.steps.upstream;
      }
      this.trace.set({
        'semroute.outcome': f.outcome,
        'semroute.decision': f.decision,
        'semroute.model': f.model,
        'semroute.cache': f.cache,
        'http.response.status_code': typeof f.status === 'number' ? f.status : undefined,
        'error.type': typeof f.error === 'string' ? f.error : undefined,
      });
      const failed = cancelled ? 'cancelled' : typeof f.status === 'number' && f.status >= 500 ? String(f.status) : undefined;
      this.trace.end(failed);
    }
    if (this.level === 'off') return;
    // The fields are this record's own and this is their last use: no copy.
    const line = f;
    line.latency_ms = latencyMs;
    if (cancelled) line.cancelled = true;
    if (this.level === 'info') this.log.info('request', line);
    else this.log.debug('request', line);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
