// Router metrics: OpenTelemetry SDK instruments read by a Prometheus exporter that never opens its
// own port. The admin listener serves `render()` at /metrics.
//
// Each createMetrics() builds its own MeterProvider and exporter and never touches the global
// provider, so several routers (tests, `semroute bench`) can live in one process.
//
// Label cardinality: every label value must come from configuration (decision names, model names,
// our own error codes, HTTP status numbers) or from a closed set in this file, never from request
// content (prompts, user ids, paths, header values). Callers pass 'none' when there is no decision
// or model. As a second line of defence values are truncated to 128 characters and the SDK folds
// anything beyond 2000 series per metric into one `otel_metric_overflow="true"` series.
//
// Notes on @opentelemetry/exporter-prometheus 0.223 (see the report in the commit):
// - its `prefix` option joins with an extra `_`, so we put the prefix in the instrument names instead;
// - it does not derive a unit suffix from `unit`, and emits `# UNIT` lines when one is set, which
//   are OpenMetrics, not text 0.0.4: names carry their unit (`_seconds`, `_bytes`) and no `unit` is set;
// - it appends `_total` to monotonic sums only when missing: counters are named with `_total`;
// - scope labels (otel_scope_name=…) on every series and a `target_info` series are on by default:
//   both are turned off here.

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Counter } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { hrTime } from '@opentelemetry/core';
import { INFERENCE_CALL_OUTCOMES, inferenceCallCounts } from '../inference/batcher.js';
import { genAiMetrics, type GenAiObservation } from './genai-metrics.js';
import { observeBuildInfo } from './build-info.js';
import { LocalCounter, LocalHistogram, type LocalInstrument } from './local-instruments.js';

export type RequestOutcome = 'routed' | 'passthrough' | 'blocked' | 'error' | 'models_list' | 'cache_hit' | 'count_tokens' | 'stored_response';
export type ReloadResult = 'success' | 'rejected';
export type SignalOutcomeLabel = 'matched' | 'not_matched' | 'error' | 'timeout';
/** Affinity per request: a new pin, the pin kept, a switch (with its reason), or skipped (state unavailable). */
export type AffinityResult = 'pinned' | 'kept' | 'switched' | 'skipped';
export type AffinitySwitchReason = 'higher_priority' | 'model_unavailable' | 'context_overflow' | 'idle' | 'policy' | 'none';
export type CacheLookupResult = 'hit_exact' | 'hit_semantic' | 'miss' | 'bypass' | 'skipped';
/** stored; not_storable (error, tool call, incomplete, too large...); failed (state unavailable). */
export type CacheStoreResult = 'stored' | 'not_storable' | 'failed';
/** Why a request's text never goes to the semantic cache (exact matches only): it fills the embedding window, or is over cache.guard.max_text_chars. */
export type CacheSemanticSkipReason = 'over_window' | 'too_long';
export type StateOp = 'get_pin' | 'set_pin' | 'lookup' | 'store' | 'get_response' | 'set_response' | 'delete_response';

export interface RouterMetrics {
  /** One per HTTP request that reached a routing outcome. */
  recordRequest(labels: { decision: string; model: string; outcome: RequestOutcome }): void;
  /** Seconds spent deciding the route for one request (body received → answer sent). */
  recordRoutingLatency(seconds: number, labels: { decision: string; model: string }): void;
  /** Client-visible errors we produced, by OpenAI error code (e.g. invalid_request_error, model_not_found) and HTTP status. */
  recordError(labels: { code: string; status: number }): void;
  /** ext_proc streams currently open (+1 on open, -1 on close). */
  streamOpened(): void;
  streamClosed(): void;
  /** Streams cancelled by the idle reaper (no message for longer than the idle timeout). */
  recordStreamsReaped(count: number): void;
  /** Tokens of one answer, from the upstream's usage report. */
  recordTokens(labels: { model: string; decision: string }, usage: { input: number; output: number; cached: number }): void;
  /** The GenAI metrics of one answer (genai-metrics.ts): tokens, time to first token, time per output token, duration, cost. */
  recordGenAi(o: GenAiObservation): void;
  /** One span export to the OTLP collector: ok or failed (its spans are dropped). */
  recordTraceExport(result: 'ok' | 'failed', spans: number): void;
  /** A client connection sent the GOAWAY notice because it reached listeners.grpc.max_connection_age_ms. */
  recordConnectionRotated(): void;
  /** The TLS listeners' certificates, read at scrape time for semroute_tls_certificate_expiry_timestamp_seconds. */
  observeCertificates(source: () => ReadonlyArray<{ listener: string; notAfter: Date }>): void;
  /** Config reload attempts by result. */
  recordReload(result: ReloadResult): void;
  /**
   * One signal evaluation: its outcome (matched, not_matched, error, timeout), and its time when
   * given (model-backed signals; text signals take microseconds and are not timed).
   */
  recordSignal(labels: { signal: string; kind: string; outcome: SignalOutcomeLabel }, seconds?: number): void;
  recordAffinity(result: AffinityResult, reason?: AffinitySwitchReason): void;
  recordCacheLookup(result: CacheLookupResult, labels: { decision: string }): void;
  recordCacheStore(result: CacheStoreResult): void;
  /** A semantic candidate the cache guard turned down, by rule (the guard's closed set of rule names, and no_text). */
  recordCacheGuardRejection(rule: string): void;
  /** A request looked up and stored by exact match only, and why. */
  recordCacheSemanticSkip(reason: CacheSemanticSkipReason): void;
  /** A state operation that failed or was skipped (breaker open, timeout, error). */
  recordStateError(op: StateOp, reason: string): void;
  /** Called by the state backend's breaker: 1 closed (Redis in use), 0 open (features skipped). */
  setStateAvailable(available: boolean): void;
  /** The endpoint picker's scrapes, read at collection time (routing.endpoint_picker). */
  observeEndpoints?(read: () => readonly EndpointScrapeStats[]): void;
  /** Prometheus text exposition of everything above (content-type text/plain; version=0.0.4). */
  render(): Promise<string>;
  shutdown(): Promise<void>;
}

export interface MetricsOptions {
  /** Prepended to every semroute metric name. Default 'semroute_'. */
  prefix?: string;
  /** process_resident_memory_bytes, process_start_time_seconds and the event-loop delay gauge. Default true. */
  processMetrics?: boolean;
  /** telemetry.max_tenant_labels: distinct tenant label values on the GenAI metrics. Default 100. */
  maxTenantLabels?: number;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Routing latency buckets, seconds: 100 µs … 10 s (a cold model on CPU can take seconds). */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

const MAX_LABEL_LENGTH = 128;

function labelValue(v: string): string {
  if (v === '') return 'none';
  return v.length > MAX_LABEL_LENGTH ? v.slice(0, MAX_LABEL_LENGTH) : v;
}

function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'invalid';
}

/** One scraped endpoint, as the endpoint picker counts it. */
export interface EndpointScrapeStats {
  model: string;
  endpoint: string;
  fresh: boolean;
  scrapes: number;
  failures: number;
}

export function createMetrics(opts: MetricsOptions = {}): RouterMetrics {
  const prefix = opts.prefix ?? 'semroute_';
  // OTel instrument names must start with a letter; Prometheus names allow [a-zA-Z0-9_] after that.
  if (!/^([A-Za-z][A-Za-z0-9_]*)?$/.test(prefix)) {
    throw new Error(`invalid metrics prefix "${prefix}" (letters, digits and _; must start with a letter)`);
  }
  const name = (n: string): string => `${prefix}${n}`;

  const exporterOptions = { preventServerStart: true, withoutScopeInfo: true, withoutTargetInfo: true };
  const exporter = new PrometheusExporter(exporterOptions);
  // The exporter's serializer is private and its request handler writes `text/plain` to a
  // ServerResponse; a serializer with the same settings over exporter.collect() gives us the string.
  const serializer = new PrometheusSerializer(
    undefined,
    false,
    undefined,
    exporterOptions.withoutTargetInfo,
    exporterOptions.withoutScopeInfo,
  );
  const provider = new MeterProvider({ readers: [exporter] });
  const meter = provider.getMeter('semroute');

  // What every request records goes through local-instruments.ts (a map lookup per record; the
  // SDK's instruments hash their attributes on every call); the rest are SDK instruments.
  const local: LocalInstrument[] = [];
  const counter = <K extends string>(fullName: string, description: string, labels: readonly K[]): LocalCounter<K> => {
    const c = new LocalCounter(fullName, description, labels);
    local.push(c);
    return c;
  };
  const histogram = <K extends string>(fullName: string, description: string, labels: readonly K[], buckets: readonly number[]): LocalHistogram<K> => {
    const h = new LocalHistogram(fullName, description, labels, buckets);
    local.push(h);
    return h;
  };
  const startTime = hrTime();

  const requests = counter(name('requests_total'), 'HTTP requests that reached a routing outcome, by decision, model and outcome.', ['decision', 'model', 'outcome']);
  const latency = histogram(name('routing_latency_seconds'), 'Seconds spent deciding the route for one request (request body received to answer sent).', ['decision', 'model'], LATENCY_BUCKETS_SECONDS);
  // A request evaluates every used signal (100 keyword signals → 100 evaluations).
  const signalCounts = counter(
    name('signal_evaluations_total'),
    'Signal evaluations by signal, kind and outcome (error and timeout count as not matched, or matched when the signal fails closed).',
    ['signal', 'kind', 'outcome'],
  );
  const signalLatency = histogram(name('signal_latency_seconds'), 'Seconds one signal took, by kind.', ['kind'], LATENCY_BUCKETS_SECONDS);
  const errors: Counter = meter.createCounter(name('errors_total'), {
    description: 'Client-visible errors produced by the router, by error code and HTTP status.',
  });
  const reloads: Counter = meter.createCounter(name('config_reloads_total'), {
    description: 'Configuration reload attempts, by result.',
  });
  // Both results are known up front: expose them at 0 so rate() and alerts work from the first scrape.
  for (const result of ['success', 'rejected'] satisfies ReloadResult[]) reloads.add(0, { result });
  // Like Prometheus' own prometheus_config_last_reload_successful: alert on 0.
  observeBuildInfo(meter, prefix);
  let lastReloadOk = 1;
  meter
    .createObservableGauge(name('config_last_reload_successful'), {
      description: '1 when the last config reload was applied (or none was tried), 0 when it was rejected.',
    })
    .addCallback((r) => r.observe(lastReloadOk));

  // A plain number read at collection time: the gauge exists (at 0) before the first stream.
  // Certificates in use per TLS listener (expiry as a Unix time, for "expires within N days" alerts).
  let certificates: () => ReadonlyArray<{ listener: string; notAfter: Date }> = () => [];
  meter
    .createObservableGauge(name('tls_certificate_expiry_timestamp_seconds'), {
      description: 'When the certificate a TLS listener presents expires (Unix time); absent without TLS.',
      unit: 's',
    })
    .addCallback((r) => {
      for (const c of certificates()) r.observe(Math.floor(c.notAfter.getTime() / 1000), { listener: c.listener });
    });
  let streamsActive = 0;
  meter
    .createObservableGauge(name('extproc_streams_active'), { description: 'ext_proc streams currently open.' })
    .addCallback((r) => r.observe(streamsActive));
  const streamsReaped: Counter = meter.createCounter(name('extproc_streams_reaped_total'), {
    description: 'ext_proc streams cancelled after no message for longer than listeners.grpc.stream_idle_timeout_ms (a reset that never arrived).',
  });

  const tokens = counter(
    name('tokens_total'),
    'Tokens of routed answers as the upstream reported them: type input (prompt, cached included), output, cached (prompt tokens served from the prefix cache).',
    ['model', 'decision', 'type'],
  );

  const recordGenAi = genAiMetrics(histogram, { prefix, maxTenants: opts.maxTenantLabels ?? 100, label: labelValue });
  const traceExports: Counter = meter.createCounter(name('trace_exports_total'), {
    description: 'Span exports to the OTLP collector by result (ok; failed: collector down, slow past export_timeout_ms or refusing; those spans are dropped).',
  });
  const traceSpans: Counter = meter.createCounter(name('trace_spans_exported_total'), {
    description: 'Spans handed to the OTLP collector, by result of their export.',
  });

  const connectionsRotated: Counter = meter.createCounter(name('extproc_connections_rotated_total'), {
    description: 'ext_proc client connections rotated after listeners.grpc.max_connection_age_ms (two-phase GOAWAY: no stream refused).',
  });

  const affinity = counter(name('affinity_total'), 'Session affinity per request: pinned (first turn), kept, switched (reason), skipped (state unavailable).', ['result', 'reason']);
  const cacheLookups = counter(
    name('cache_lookups_total'),
    'Semantic cache lookups by result (hit_exact, hit_semantic, miss, bypass by request, skipped when state is unavailable) and decision.',
    ['result', 'decision'],
  );
  const cacheStores = counter(name('cache_stores_total'), 'Answers offered to the cache: stored, not_storable (error, tool call, incomplete, too large), failed.', ['result']);
  const guardRejections: Counter = meter.createCounter(name('cache_guard_rejections_total'), {
    description: 'Semantic cache candidates above the similarity that the cache guard turned down, by the rule that did (numbers, negation, order, ...; no_text: stored without its request text).',
  });
  const semanticSkips: Counter = meter.createCounter(name('cache_semantic_skips_total'), {
    description: 'Requests matched by exact key only, never semantically, by reason (over_window: the text fills the embedding window; too_long: over cache.guard.max_text_chars).',
  });
  const stateErrors: Counter = meter.createCounter(name('state_errors_total'), {
    description: 'State operations that failed or were skipped, by operation and reason (breaker_open, timeout, error, closed).',
  });
  let stateAvailable = 1;
  meter
    .createObservableGauge(name('state_available'), { description: '1 while the state backend is in use, 0 while its circuit breaker is open.' })
    .addCallback((r) => r.observe(stateAvailable));

  // Inference calls (src/inference/batcher.ts keeps process-wide counts per model; read at scrape
  // time). Fail-open rate per model: (timeout + overloaded + model_error) / all; see src/inference/README.md.
  meter
    .createObservableCounter(name('inference_calls_total'), {
      description: 'Inference calls by model and outcome (ok, timeout: the budget ran out queued or running, overloaded: refused by the queue bounds, model_error, closed).',
    })
    .addCallback((r) => {
      for (const [model, c] of inferenceCallCounts()) for (const outcome of INFERENCE_CALL_OUTCOMES) r.observe(c[outcome], { model: labelValue(model), outcome });
    });
  meter
    .createObservableCounter(name('inference_dropped_results_total'), {
      description: 'Inference results computed after their caller had given up (the signal budget ran out while the batch ran in its worker), by model.',
    })
    .addCallback((r) => {
      for (const [model, c] of inferenceCallCounts()) r.observe(c.dropped, { model: labelValue(model) });
    });

  // The endpoint picker's scrapes per model and endpoint (counts kept by its scrapers, read at
  // collection time; an endpoint that leaves discovery leaves the series).
  let readEndpoints: () => readonly EndpointScrapeStats[] = () => [];
  meter
    .createObservableCounter(name('endpoint_scrapes_total'), { description: 'Endpoint picker scrapes of /metrics by model, endpoint and outcome (ok, error).' })
    .addCallback((r) => {
      for (const s of readEndpoints()) {
        r.observe(s.scrapes - s.failures, { model: labelValue(s.model), endpoint: s.endpoint, outcome: 'ok' });
        r.observe(s.failures, { model: labelValue(s.model), endpoint: s.endpoint, outcome: 'error' });
      }
    });
  meter
    .createObservableGauge(name('endpoint_metrics_fresh'), { description: '1 while an endpoint\'s scraped metrics are fresh, 0 while it is unknown (stale or failing: scored as loaded).' })
    .addCallback((r) => {
      for (const s of readEndpoints()) r.observe(s.fresh ? 1 : 0, { model: labelValue(s.model), endpoint: s.endpoint });
    });

  let loopDelay: IntervalHistogram | undefined;
  if (opts.processMetrics ?? true) {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    loopDelay = h;
    meter
      .createObservableGauge(name('event_loop_delay_seconds'), {
        description: 'Event-loop delay p99 in seconds since the previous scrape (perf_hooks.monitorEventLoopDelay).',
      })
      .addCallback((r) => {
        // percentile() is in nanoseconds; NaN/0 before the first sample.
        const p99 = h.count > 0 ? h.percentile(99) / 1e9 : 0;
        r.observe(Number.isFinite(p99) ? p99 : 0);
        h.reset();
      });
    meter
      .createObservableGauge('process_resident_memory_bytes', { description: 'Resident memory size in bytes.' })
      .addCallback((r) => r.observe(process.memoryUsage.rss()));
    const startSeconds = Math.floor(Date.now() / 1000 - process.uptime());
    meter
      .createObservableGauge('process_start_time_seconds', {
        description: 'Start time of the process since unix epoch in seconds.',
      })
      .addCallback((r) => r.observe(startSeconds));
  }

  let shutdown: Promise<void> | undefined;

  return {
    recordRequest({ decision, model, outcome }) {
      requests.add(1, { decision: labelValue(decision), model: labelValue(model), outcome });
    },
    recordRoutingLatency(seconds, { decision, model }) {
      latency.record(seconds, { decision: labelValue(decision), model: labelValue(model) });
    },
    recordError({ code, status }) {
      errors.add(1, { code: labelValue(code), status: statusLabel(status) });
    },
    streamOpened() {
      streamsActive++;
    },
    streamClosed() {
      if (streamsActive > 0) streamsActive--;
    },
    recordStreamsReaped(count) {
      streamsReaped.add(count);
    },
    recordTokens({ model, decision }, usage) {
      const m = labelValue(model);
      const d = labelValue(decision);
      tokens.add(usage.input, { model: m, decision: d, type: 'input' });
      tokens.add(usage.output, { model: m, decision: d, type: 'output' });
      if (usage.cached > 0) tokens.add(usage.cached, { model: m, decision: d, type: 'cached' });
    },
    recordGenAi,
    recordTraceExport(result, spans) {
      traceExports.add(1, { result });
      traceSpans.add(spans, { result });
    },
    observeCertificates(source) {
      certificates = source;
    },
    recordConnectionRotated() {
      connectionsRotated.add(1);
    },
    recordSignal({ signal, kind, outcome }, seconds) {
      signalCounts.add(1, { signal: labelValue(signal), kind, outcome });
      if (seconds !== undefined) signalLatency.record(seconds, { kind });
    },
    recordAffinity(result, reason = 'none') {
      affinity.add(1, { result, reason });
    },
    recordCacheLookup(result, { decision }) {
      cacheLookups.add(1, { result, decision: labelValue(decision) });
    },
    recordCacheStore(result) {
      cacheStores.add(1, { result });
    },
    recordCacheGuardRejection(rule) {
      guardRejections.add(1, { rule: labelValue(rule) });
    },
    recordCacheSemanticSkip(reason) {
      semanticSkips.add(1, { reason });
    },
    recordStateError(op, reason) {
      stateErrors.add(1, { op, reason: labelValue(reason) });
    },
    setStateAvailable(available) {
      stateAvailable = available ? 1 : 0;
    },
    observeEndpoints(read) {
      readEndpoints = read;
    },
    recordReload(result) {
      reloads.add(1, { result });
      lastReloadOk = result === 'success' ? 1 : 0;
    },
    async render() {
      const { resourceMetrics, errors: collectErrors } = await exporter.collect();
      const now = hrTime();
      resourceMetrics.scopeMetrics.push({ scope: { name: 'semroute' }, metrics: local.map((i) => i.collect(startTime, now)) });
      let text = serializer.serialize(resourceMetrics);
      if (collectErrors.length > 0) {
        // Partial data beats none; a comment is legal in the exposition and visible to whoever looks.
        text += `# ${collectErrors.length} metric collection error(s)\n`;
      }
      return text;
    },
    shutdown() {
      shutdown ??= (async () => {
        loopDelay?.disable();
        await provider.shutdown();
      })();
      return shutdown;
    },
  };
}
