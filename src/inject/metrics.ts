// The injector's metrics (Prometheus text on its /metrics), in the router's style: an OTel meter
// with its own provider, the exporter never opening a port (src/telemetry/metrics.ts says why).
import type { Counter } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { observeBuildInfo } from '../telemetry/build-info.js';
import type { SkipReason } from './mutate.js';

/** Every answered review, by what happened to the pod (a closed set: label values never come from pods). */
export type ReviewOutcome = 'injected' | SkipReason | 'invalid_admitted' | 'invalid_denied' | 'ignored' | 'malformed';

export interface InjectorMetrics {
  recordReview(outcome: ReviewOutcome): void;
  /** A certificate reload: ok, or failed (the previous certificate keeps serving). */
  recordCertReload(ok: boolean): void;
  render(): Promise<string>;
  shutdown(): Promise<void>;
}

export function createInjectorMetrics(prefix = 'semroute_'): InjectorMetrics {
  const opts = { preventServerStart: true, withoutScopeInfo: true, withoutTargetInfo: true };
  const exporter = new PrometheusExporter(opts);
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  const provider = new MeterProvider({ readers: [exporter] });
  const meter = provider.getMeter('semroute-inject');
  observeBuildInfo(meter, prefix);
  const reviews: Counter = meter.createCounter(`${prefix}inject_reviews_total`, {
    description: 'AdmissionReviews answered, by outcome (injected, already_injected, host_network, opted_out, invalid_admitted, invalid_denied, ignored, malformed).',
  });
  const withoutSidecar: Counter = meter.createCounter(`${prefix}inject_admitted_without_sidecar_total`, {
    description: 'Pods that asked for the sidecar and were admitted without it (invalid annotations with --on-invalid admit).',
  });
  const certReloads: Counter = meter.createCounter(`${prefix}inject_cert_reloads_total`, {
    description: 'Serving certificate reloads after a file change, by result (ok, failed: the previous one keeps serving).',
  });
  return {
    recordReview(outcome) {
      reviews.add(1, { outcome });
      if (outcome === 'invalid_admitted') withoutSidecar.add(1, { reason: 'invalid_annotations' });
    },
    recordCertReload(ok) {
      certReloads.add(1, { result: ok ? 'ok' : 'failed' });
    },
    async render() {
      const { resourceMetrics } = await exporter.collect();
      return serializer.serialize(resourceMetrics);
    },
    shutdown: () => provider.shutdown(),
  };
}
