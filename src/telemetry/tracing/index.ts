// Tracing for a config: off (no-op, free) when telemetry.tracing.otlp_endpoint is empty.
import type { Config } from '../../config/schema.js';
import type { ExportOutcome } from './exporter.js';
import { noopTracing } from './noop.js';
import { createOtelTracing } from './otel.js';
import type { Tracing } from './types.js';

export type { RequestTrace, SpanAttributes, TraceSpan, Tracing } from './types.js';
export { NOOP_TRACE, noopTracing } from './noop.js';

export interface TracingDeps {
  onExport?: (outcome: ExportOutcome, spans: number) => void;
  /** Export interval; tests flush instead. */
  scheduledDelayMs?: number;
}

export function createTracing(cfg: Config['telemetry']['tracing'], deps: TracingDeps = {}): Tracing {
  if (cfg.otlp_endpoint === '') return noopTracing;
  return createOtelTracing({
    endpoint: cfg.otlp_endpoint,
    protocol: cfg.protocol,
    headers: cfg.headers,
    timeoutMs: cfg.export_timeout_ms,
    serviceName: cfg.service_name,
    sampleRatio: cfg.sample_ratio,
    parentBased: cfg.parent_based,
    captureContent: cfg.capture_content,
    maxQueueSize: cfg.max_queue_size,
    ...(deps.onExport ? { onExport: deps.onExport } : {}),
    ...(deps.scheduledDelayMs !== undefined ? { scheduledDelayMs: deps.scheduledDelayMs } : {}),
  });
}
