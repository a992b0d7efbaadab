// The OTLP span exporter for telemetry.tracing.protocol, wrapped to count what each export did.
// A collector that is down or slow never reaches a request: spans wait in the batch processor's
// bounded queue (max_queue_size; beyond it they are dropped) and an export gives up after
// export_timeout_ms; both are counted in semroute_trace_exports_total{result}.
import { Metadata } from '@grpc/grpc-js';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface ExporterSettings {
  endpoint: string;
  protocol: 'http/protobuf' | 'http/json' | 'grpc';
  headers: Record<string, string>;
  timeoutMs: number;
}

export type ExportOutcome = 'ok' | 'failed';

/** A bare collector URL (no path) gets the OTLP/HTTP traces path, as OTEL_EXPORTER_OTLP_ENDPOINT does. */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/v1/traces';
  return url.toString();
}

export function createSpanExporter(s: ExporterSettings, onExport: (outcome: ExportOutcome, spans: number) => void): SpanExporter {
  let inner: SpanExporter;
  switch (s.protocol) {
    case 'grpc': {
      const metadata = new Metadata();
      for (const [k, v] of Object.entries(s.headers)) metadata.set(k, v);
      inner = new GrpcExporter({ url: s.endpoint, metadata, timeoutMillis: s.timeoutMs });
      break;
    }
    case 'http/json':
      inner = new JsonExporter({ url: tracesUrl(s.endpoint), headers: { ...s.headers }, timeoutMillis: s.timeoutMs });
      break;
    case 'http/protobuf':
      inner = new ProtoExporter({ url: tracesUrl(s.endpoint), headers: { ...s.headers }, timeoutMillis: s.timeoutMs });
      break;
  }
  return {
    export(spans: ReadableSpan[], done: (r: ExportResult) => void) {
      inner.export(spans, (r) => {
        onExport(r.code === ExportResultCode.SUCCESS ? 'ok' : 'failed', spans.length);
        done(r);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}
