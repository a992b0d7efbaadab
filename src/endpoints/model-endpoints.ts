// One model's fleet as the picker sees it: the discovered addresses, their scraped metrics, what
// this replica has in flight there, and which prompt blocks it sent each one (the prefix index),
// with the scheduler built from config.
import type { EndpointPickerConfig } from '../config/schema/endpoint-picker.js';
import type { ModelConfig } from '../config/schema.js';
import { dnsSource, type DnsResolver } from './discovery/dns.js';
import { kubernetesSource } from './discovery/kubernetes.js';
import { staticSource } from './discovery/static.js';
import type { EndpointSource } from './discovery/types.js';
import { ENGINES } from './metrics/engines.js';
import { MetricsScraper } from './metrics/scraper.js';
import { PrefixIndex } from './prefix/prefix-index.js';
import { buildFilter, buildPicker, buildScorer } from './registry.js';
import { EndpointScheduler, type ScheduleResult } from './scheduler.js';
import type { Candidate, EndpointMetrics, PickRequest } from './types.js';

export interface ModelEndpointsOptions {
  /** Requests this replica has in flight on an endpoint of this model. */
  inflight: (endpoint: string) => number;
  resolver?: DnsResolver;
  random?: () => number;
  now?: () => number;
  onError?: (message: string) => void;
  /** Metrics from elsewhere instead of scraping (the fleet simulator's virtual scrapes). */
  metrics?: (endpoint: string) => EndpointMetrics | undefined;
}

export class ModelEndpoints {
  readonly scraper: MetricsScraper;
  readonly prefix: PrefixIndex;
  private readonly scheduler: EndpointScheduler;
  private readonly source: EndpointSource;
  private addresses: readonly string[] = [];

  constructor(
    readonly model: ModelConfig,
    cfg: EndpointPickerConfig,
    private readonly opts: ModelEndpointsOptions,
  ) {
    this.prefix = new PrefixIndex(cfg.prefix.blocks_per_endpoint);
    this.scraper = new MetricsScraper({
      engine: ENGINES[model.engine ?? 'vllm'],
      path: model.metrics_path ?? '/metrics',
      intervalMs: cfg.scrape.interval_ms,
      stalenessMs: cfg.scrape.staleness_ms,
      timeoutMs: cfg.scrape.timeout_ms,
      concurrency: cfg.scrape.concurrency,
      maxBytes: cfg.scrape.max_bytes,
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.onError ? { onError: (ep, m) => opts.onError!(`${model.name} ${ep}: ${m}`) } : {}),
    });
    this.scheduler = new EndpointScheduler(
      cfg.filters.map(buildFilter),
      cfg.scorers.map((s) => buildScorer(s, this.prefix)),
      buildPicker(cfg.picker),
      cfg.fallbacks,
      opts.random,
    );
    const d = model.discovery;
    this.source =
      d?.type === 'dns'
        ? dnsSource({ name: d.name, record: d.record, ...(d.port ? { port: d.port } : {}), intervalMs: d.interval_ms, ...(opts.resolver ? { resolver: opts.resolver } : {}), ...(opts.onError ? { onError: opts.onError } : {}) })
        : d?.type === 'kubernetes'
          ? kubernetesSource({ service: d.service, ...(d.namespace ? { namespace: d.namespace } : {}), ...(d.port ? { port: d.port } : {}), watchTimeoutS: d.watch_timeout_s, backoffMaxMs: d.backoff_max_ms, ...(opts.onError ? { onError: opts.onError } : {}) })
          : staticSource(model.endpoints);
  }

  start(): void {
    this.source.start((eps) => this.setEndpoints(eps));
    if (!this.opts.metrics) this.scraper.start();
  }

  async stop(): Promise<void> {
    this.source.stop();
    await this.scraper.stop();
  }

  setEndpoints(eps: readonly string[]): void {
    this.addresses = [...eps];
    this.scraper.setEndpoints(eps);
    this.prefix.retain(new Set(eps));
  }

  endpoints(): readonly string[] {
    return this.addresses;
  }

  candidates(): Candidate[] {
    const read = this.opts.metrics ?? ((ep: string) => this.scraper.get(ep));
    return this.addresses.map((address) => ({ address, metrics: read(address), inflight: this.opts.inflight(address) }));
  }

  /**
   * The data plane reported which endpoint served (x-gateway-destination-endpoint-served): after a
   * retry to a fallback, that one holds the prompt's blocks, not the pick.
   */
  served(picked: string, served: string, hashes: readonly number[]): void {
    if (served !== picked && this.addresses.includes(served)) this.prefix.record(served, hashes);
  }

  schedule(req: PickRequest): ScheduleResult {
    const r = this.scheduler.schedule(req, this.candidates());
    // The chosen endpoint will hold the prompt's blocks once it prefills them.
    if (r.kind === 'picked' && r.endpoints[0]) this.prefix.record(r.endpoints[0], req.blockHashes);
    return r;
  }
}
