// Endpoint mode with routing.endpoint_picker: one ModelEndpoints per model, built with the config
// snapshot and stopped when it is replaced. pick() is synchronous and reads memory only: the scrape
// loop and DNS run on their own timers, never on the request path.
import type { Config, ModelConfig } from '../config/schema.js';
import type { EndpointPickerConfig } from '../config/schema/endpoint-picker.js';
import type { DnsResolver } from './discovery/dns.js';
import { ModelEndpoints } from './model-endpoints.js';
import { blockHashes } from './prefix/block-hash.js';
import type { ScheduleResult } from './scheduler.js';
import type { EndpointMetrics } from './types.js';

export interface PickInput {
  /** The prompt in order (tools, then messages): what the engine's KV cache holds as a prefix. */
  prompt: string;
  decision: string;
  subset?: readonly string[];
  pinned?: string;
}

export type LivePick = Exclude<ScheduleResult, { kind: 'picked' }> | (Extract<ScheduleResult, { kind: 'picked' }> & { served: (endpoint: string) => void });

export interface LivePickerOptions {
  inflight: (model: string, endpoint: string) => number;
  resolver?: DnsResolver;
  random?: () => number;
  now?: () => number;
  onError?: (message: string) => void;
  /** Metrics from elsewhere instead of scraping (the fleet simulator). */
  metrics?: (model: string, endpoint: string) => EndpointMetrics | undefined;
}

export class LiveEndpointPicker {
  private readonly models = new Map<string, ModelEndpoints>();
  private readonly sheddable: ReadonlySet<string>;

  constructor(
    config: Config,
    readonly cfg: EndpointPickerConfig,
    opts: LivePickerOptions,
  ) {
    this.sheddable = new Set(cfg.sheddable_decisions);
    for (const m of config.models) {
      const { metrics, ...rest } = opts;
      this.models.set(m.name, new ModelEndpoints(m, cfg, { ...rest, inflight: (ep) => opts.inflight(m.name, ep), ...(metrics ? { metrics: (ep: string) => metrics(m.name, ep) } : {}) }));
    }
  }

  start(): void {
    for (const m of this.models.values()) m.start();
  }

  async close(): Promise<void> {
    await Promise.all([...this.models.values()].map((m) => m.stop()));
  }

  /** Every endpoint's scrape counts, for semroute_endpoint_* metrics. */
  stats(): { model: string; endpoint: string; fresh: boolean; scrapes: number; failures: number }[] {
    return [...this.models].flatMap(([model, me]) => me.scraper.stats().map((s) => ({ model, endpoint: s.endpoint, fresh: s.fresh, scrapes: s.scrapes, failures: s.failures })));
  }

  of(model: string): ModelEndpoints | undefined {
    return this.models.get(model);
  }

  /** Whether the endpoint is one the model's discovery knows now (a pin to a gone pod is not). */
  knows(model: string, endpoint: string): boolean {
    return this.models.get(model)?.endpoints().includes(endpoint) ?? false;
  }

  pick(model: ModelConfig, input: PickInput): LivePick {
    const me = this.models.get(model.name);
    if (!me) return { kind: 'refused', outcome: 'none_eligible', reason: `no endpoints for ${model.name}` };
    const p = this.cfg.prefix;
    const hashes = blockHashes(input.prompt.slice(0, p.max_blocks * p.block_size * p.chars_per_token), { blockSize: p.block_size, charsPerToken: p.chars_per_token, maxBlocks: p.max_blocks });
    const r = me.schedule({
      model: model.name,
      blockHashes: hashes,
      ...(model.lora_adapter ? { adapter: model.lora_adapter } : {}),
      ...(input.subset ? { subset: new Set(input.subset) } : {}),
      ...(input.pinned ? { pinned: input.pinned } : {}),
      sheddable: this.sheddable.has(input.decision),
    });
    if (r.kind !== 'picked') return r;
    const picked = r.endpoints[0]!;
    return { ...r, served: (ep) => me.served(picked, ep, hashes) };
  }
}
