// The tracing seam the pipeline calls: one RequestTrace per ext_proc stream, child spans for its
// steps. With tracing off (or a request not sampled) every call hits the no-op trace in noop.ts:
// one property read and an empty method per step, no allocation.
import type { HeaderPair } from '../../pipeline/outcome.js';

/** Attribute values; undefined ones are skipped. Never request content unless captureContent says so. */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

export interface TraceSpan {
  set(attrs: SpanAttributes): void;
  /** Ends the span; `error`: a short, content-free reason (an error code), marks the span failed. */
  end(error?: string): void;
}

export interface ChildOptions {
  /** The parent span (default: the request span). */
  parent?: TraceSpan;
  /** client: a call to another service (the upstream model); default internal. */
  kind?: 'internal' | 'client';
  /** When it started, on the performance.now() clock (a step timed before its span was made). */
  startTime?: number;
}

export interface RequestTrace extends TraceSpan {
  /** Whether spans are recorded; false: every method is a no-op. */
  readonly recording: boolean;
  /** For log lines: this request's trace id (or the incoming traceparent's when not sampled); '' when none. */
  readonly traceId: string;
  readonly spanId: string;
  /** telemetry.tracing.capture_content: prompt text may go into spans. */
  readonly captureContent: boolean;
  child(name: string, attrs?: SpanAttributes, opts?: ChildOptions): TraceSpan;
  /** W3C traceparent (and tracestate) that make the upstream's span a child of `span`; [] when not recording. */
  inject(span: TraceSpan): HeaderPair[];
}

/** Starts the trace of one request from the headers Envoy forwarded (W3C traceparent/tracestate). */
export interface Tracing {
  readonly enabled: boolean;
  start(headers: ReadonlyMap<string, string>, attrs?: SpanAttributes): RequestTrace;
  /** Exports what is queued (tests, shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}
