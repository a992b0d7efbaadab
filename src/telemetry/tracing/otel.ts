// Tracing with the OpenTelemetry SDK: a tracer provider of our own (never the global one, so that
// several routers live in one process and nothing else in it is instrumented), parent-based ratio
// sampling, W3C trace context read from the request headers, a bounded batch processor and an
// OTLP exporter. Contexts are passed explicitly (no context manager, no AsyncLocalStorage).
import { defaultTextMapSetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import type { HeaderPair } from '../../pipeline/outcome.js';
import { createSpanExporter, type ExporterSettings, type ExportOutcome } from './exporter.js';
import { unsampledTrace } from './noop.js';
import type { ChildOptions, RequestTrace, SpanAttributes, TraceSpan, Tracing } from './types.js';

export interface OtelTracingOptions extends ExporterSettings {
  serviceName: string;
  serviceVersion?: string;
  sampleRatio: number;
  parentBased: boolean;
  captureContent: boolean;
  maxQueueSize: number;
  /** Told of every export (semroute_trace_exports_total). */
  onExport?: (outcome: ExportOutcome, spans: number) => void;
  /** How often queued spans are exported. Default 1 s. */
  scheduledDelayMs?: number;
}

const mapGetter: TextMapGetter<ReadonlyMap<string, string>> = {
  keys: (m) => [...m.keys()],
  get: (m, k) => m.get(k.toLowerCase()),
};

function clean(attrs: SpanAttributes | undefined): Record<string, string | number | boolean> | undefined {
  if (!attrs) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = v;
  return out;
}

class OtelSpan implements TraceSpan {
  constructor(readonly span: Span) {}
  set(attrs: SpanAttributes): void {
    const a = clean(attrs);
    if (a) this.span.setAttributes(a);
  }
  end(error?: string): void {
    if (error !== undefined) this.span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    this.span.end();
  }
}

class OtelRequestTrace extends OtelSpan implements RequestTrace {
  readonly recording = true;
  readonly traceId: string;
  readonly spanId: string;
  private readonly ctx: Context;

  constructor(
    span: Span,
    private readonly tracer: Tracer,
    private readonly propagator: W3CTraceContextPropagator,
    readonly captureContent: boolean,
  ) {
    super(span);
    const sc = span.spanContext();
    this.traceId = sc.traceId;
    this.spanId = sc.spanId;
    this.ctx = trace.setSpan(ROOT_CONTEXT, span);
  }

  child(name: string, attrs?: SpanAttributes, opts: ChildOptions = {}): TraceSpan {
    const parent = opts.parent instanceof OtelSpan ? trace.setSpan(ROOT_CONTEXT, opts.parent.span) : this.ctx;
    const a = clean(attrs);
    const span = this.tracer.startSpan(
      name,
      {
        kind: opts.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL,
        ...(a ? { attributes: a } : {}),
        // OTel reads a number below the time origin as a performance.now() reading.
        ...(opts.startTime !== undefined ? { startTime: opts.startTime } : {}),
      },
      parent,
    );
    return new OtelSpan(span);
  }

  inject(span: TraceSpan): HeaderPair[] {
    const target = span instanceof OtelSpan ? span.span : this.span;
    const carrier: Record<string, string> = {};
    this.propagator.inject(trace.setSpan(ROOT_CONTEXT, target), carrier, defaultTextMapSetter);
    return Object.entries(carrier);
  }
}

export function createOtelTracing(o: OtelTracingOptions): Tracing {
  const root: Sampler = new TraceIdRatioBasedSampler(o.sampleRatio);
  const sampler = o.parentBased ? new ParentBasedSampler({ root }) : root;
  const exporter = createSpanExporter(o, o.onExport ?? (() => undefined));
  const provider = new BasicTracerProvider({
    sampler,
    resource: resourceFromAttributes({ 'service.name': o.serviceName, ...(o.serviceVersion ? { 'service.version': o.serviceVersion } : {}) }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        maxQueueSize: o.maxQueueSize,
        maxExportBatchSize: Math.min(512, o.maxQueueSize),
        scheduledDelayMillis: o.scheduledDelayMs ?? 1000,
        exportTimeoutMillis: o.timeoutMs,
      }),
    ],
  });
  const tracer = provider.getTracer('semroute');
  const propagator = new W3CTraceContextPropagator();
  let shutdown: Promise<void> | undefined;
  return {
    enabled: true,
    start(headers, attrs) {
      const parent = propagator.extract(ROOT_CONTEXT, headers, mapGetter);
      const a = clean(attrs);
      const span = tracer.startSpan('semroute.request', { kind: SpanKind.SERVER, ...(a ? { attributes: a } : {}) }, parent);
      if (!span.isRecording()) return unsampledTrace(trace.getSpanContext(parent)?.traceId ?? '');
      return new OtelRequestTrace(span, tracer, propagator, o.captureContent);
    },
    // A failed export is counted (onExport) and its spans dropped; it never fails a flush or the
    // router's shutdown (the SDK rejects them with the exporter's error).
    flush: () => provider.forceFlush().catch(() => undefined),
    shutdown() {
      shutdown ??= provider.shutdown().catch(() => undefined);
      return shutdown;
    },
  };
}
