// The request-path steps as spans: what the pipeline tells a request's trace. Nothing here runs
// for a request that is not recorded (callers check trace.recording first where it costs).
// Attributes follow the OpenTelemetry GenAI semantic conventions (gen_ai.*) plus semroute.*; no
// prompt or answer text unless telemetry.tracing.capture_content allows it.
import { createHash } from 'node:crypto';
import type { RoutingRequest } from '../protocol/ir.js';
import type { Logger } from '../telemetry/logger.js';
import type { RouterMetrics } from '../telemetry/metrics.js';
import type { RequestTrace, SpanAttributes, TraceSpan } from '../telemetry/tracing/index.js';
import { tracedMetrics, type StepSpans } from '../telemetry/tracing/traced-metrics.js';
import type { Signal, SignalObserver, SignalOutcome, SignalResult } from '../signals/types.js';
import type { RouteChoice } from '../routing/router.js';
import type { BodyOutcome } from './outcome.js';
import type { StateContext } from './state-context.js';

/**
 * One request's trace, the spans of its steps in progress, its logger (request and trace id on
 * every line), and the metrics and state that report onto them.
 */
export interface RequestTelemetry {
  trace: RequestTrace;
  steps: StepSpans;
  metrics: RouterMetrics;
  state: StateContext | undefined;
  log: Logger;
}

/** `ids`: the fields every line about this request carries (request_id, trace_id). */
export function requestTelemetry(
  trace: RequestTrace,
  metrics: RouterMetrics,
  state: StateContext | undefined,
  request: { ids: Record<string, string>; log: Logger },
): RequestTelemetry {
  const steps: StepSpans = {};
  const traced = trace.recording ? tracedMetrics(metrics, trace, steps) : metrics;
  // The state context's logger stays rate-limited (its limits are shared) and gains the ids.
  const st = state ? { ...state, metrics: traced, log: state.log.child(request.ids) } : undefined;
  return { trace, steps, metrics: traced, state: st, log: request.log };
}

/**
 * This request's signal observer: a failed signal is logged (at most one line per 10 s for all
 * requests together, with this request's ids), and with `spans` each evaluation becomes a span.
 */
export function requestSignalObserver(tel: RequestTelemetry, spans: SignalObserver | undefined): SignalObserver {
  const log = tel.log.rateLimited('signal-failure', 10_000);
  return {
    signalEvaluated(signal, outcome, seconds, error) {
      if (error !== undefined) log.warn('signal failed; it counts as ' + (signal.onError === 'matched' ? 'matched' : 'not matched'), { signal: signal.name, outcome, error });
      spans?.signalEvaluated(signal, outcome, seconds, error);
    },
  };
}

/** gen_ai.operation.name of a protocol (Anthropic Messages and Responses are chat turns). */
export function operationName(protocol: RoutingRequest['protocol']): string {
  return protocol === 'openai.completions' ? 'text_completion' : 'chat';
}

/** A tenant as a span attribute: hashed (never an identity in a trace backend). */
export function hashedTenant(tenant: string): string {
  return createHash('sha256').update(tenant).digest('hex').slice(0, 16);
}

interface Evaluated {
  signal: Signal;
  outcome: SignalOutcome;
  seconds: number;
  endedAt: number;
}

/**
 * Collects the request's signal evaluations while the router decides; `record` then makes one span
 * per signal under `parent`, with its time, outcome and confidence (known only after decide).
 */
export function signalSpans(trace: RequestTrace, parent: TraceSpan): { observer: SignalObserver; record(results: ReadonlyMap<string, SignalResult>): void } {
  const seen: Evaluated[] = [];
  return {
    observer: {
      signalEvaluated(signal, outcome, seconds) {
        seen.push({ signal, outcome, seconds, endedAt: performance.now() });
      },
    },
    record(results) {
      for (const e of seen) {
        const r = results.get(e.signal.name);
        // Model-backed signals report a label ("top math 0.60"); text signals' details quote the prompt.
        const label = r?.detail !== undefined && (e.signal.budgetMs !== undefined || trace.captureContent) ? r.detail : undefined;
        const span = trace.child(
          'semroute.signal',
          {
            'semroute.signal.name': e.signal.name,
            'semroute.signal.kind': e.signal.kind,
            'semroute.signal.outcome': e.outcome,
            'semroute.signal.confidence': r?.confidence,
            'semroute.signal.label': label,
          },
          { parent, startTime: e.endedAt - e.seconds * 1000 },
        );
        span.end(e.outcome === 'error' || e.outcome === 'timeout' ? e.outcome : undefined);
      }
    },
  };
}

/** One span per inference call of a signal (its batch's size, the call's time queued and the batch's run), under `parent`. */
export function inferenceSpans(trace: RequestTrace, parent: TraceSpan): NonNullable<RoutingRequest['onInference']> {
  return (model, b) => {
    // Told when the batch has run: the span started queuedMs + runMs ago.
    const span = trace.child(
      'semroute.inference',
      { 'semroute.inference.model': model, 'semroute.inference.batch_size': b.batchSize, 'semroute.inference.queue_ms': b.queuedMs, 'semroute.inference.run_ms': b.runMs },
      { parent, startTime: performance.now() - b.queuedMs - b.runMs },
    );
    span.end();
  };
}

export function decisionAttributes(choice: RouteChoice): SpanAttributes {
  return {
    'semroute.decision': choice.decision,
    'semroute.decision.confidence': choice.confidence,
    'semroute.decision.why': choice.why,
    'semroute.model': choice.model.name,
    'semroute.model.why': choice.modelWhy,
    'semroute.blocked': choice.block !== undefined,
    'semroute.plugins': choice.applied.length > 0 ? choice.applied.join(',') : undefined,
  };
}

const MAX_CAPTURED_CHARS = 16 * 1024;

/**
 * The upstream call as a GenAI client span ("{operation} {model}"), and the W3C headers that make
 * the model server's own span its child (traceparent set on the upstream request, overwriting a
 * client's). Ended by the response path, or when the stream ends.
 */
export function startUpstreamSpan(tel: RequestTelemetry, out: Extract<BodyOutcome, { kind: 'forward' }>, ir: RoutingRequest, served: string): void {
  const { trace } = tel;
  const body = ir.body as { max_tokens?: unknown; max_completion_tokens?: unknown; temperature?: unknown; top_p?: unknown; max_output_tokens?: unknown };
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const operation = operationName(ir.protocol);
  const span = trace.child(
    `${operation} ${served}`,
    {
      'gen_ai.operation.name': operation,
      'gen_ai.provider.name': ir.protocol === 'anthropic.messages' ? 'anthropic' : 'openai',
      'gen_ai.request.model': served,
      'gen_ai.request.max_tokens': num(body.max_tokens) ?? num(body.max_completion_tokens) ?? num(body.max_output_tokens),
      'gen_ai.request.temperature': num(body.temperature),
      'gen_ai.request.top_p': num(body.top_p),
      'gen_ai.request.stream': ir.stream,
      'semroute.model': out.model,
      'semroute.decision': out.decision,
      'semroute.translated': out.translation !== undefined,
      'server.address': out.endpoint,
      'gen_ai.input.messages': trace.captureContent ? capturedMessages(ir) : undefined,
    },
    { kind: 'client' },
  );
  tel.steps.upstream = span;
  out.edit.set.push(...trace.inject(span));
}

function capturedMessages(ir: RoutingRequest): string {
  const json = JSON.stringify(ir.messages.map((m) => ({ role: m.role, content: m.text })));
  return json.length > MAX_CAPTURED_CHARS ? json.slice(0, MAX_CAPTURED_CHARS) : json;
}
