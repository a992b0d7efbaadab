// Scrapes every endpoint's /metrics on an interval, off the request path: picks read the latest
// result from memory and never wait for a scrape. Bounds: at most `concurrency` scrapes in flight
// across all endpoints, one per endpoint at a time (a slow endpoint is skipped until its scrape
// ends), each cut at `timeoutMs` and `maxBytes`. A result older than `stalenessMs`, or a failed
// scrape, makes the endpoint unknown (scored as loaded, never as idle).
import { Agent } from 'undici';
import type { EndpointMetrics } from '../types.js';
import type { EngineMetrics } from './engines.js';
import { parseMetrics } from './parse.js';

export interface ScraperOptions {
  engine: EngineMetrics;
  path: string;
  intervalMs: number;
  stalenessMs: number;
  timeoutMs: number;
  concurrency: number;
  maxBytes: number;
  now?: () => number;
  onError?: (endpoint: string, message: string) => void;
}

interface EndpointState {
  metrics?: EndpointMetrics;
  at: number;
  busy: boolean;
  error?: string;
  scrapes: number;
  failures: number;
}

export interface ScrapeStats {
  endpoint: string;
  fresh: boolean;
  scrapes: number;
  failures: number;
  error?: string;
}

export class MetricsScraper {
  private readonly states = new Map<string, EndpointState>();
  private readonly agent: Agent;
  private timer: NodeJS.Timeout | undefined;
  private active = 0;
  private queue: string[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: ScraperOptions) {
    this.now = opts.now ?? Date.now;
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 2, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs });
  }

  /** The discovered set: new endpoints join, gone ones are dropped with their results. */
  setEndpoints(endpoints: readonly string[]): void {
    const live = new Set(endpoints);
    for (const ep of this.states.keys()) if (!live.has(ep)) this.states.delete(ep);
    for (const ep of live) if (!this.states.has(ep)) this.states.set(ep, { at: 0, busy: false, scrapes: 0, failures: 0 });
    this.queue = this.queue.filter((ep) => live.has(ep));
  }

  endpoints(): string[] {
    return [...this.states.keys()];
  }

  /** The endpoint's metrics when fresh; undefined: unknown. */
  get(endpoint: string): EndpointMetrics | undefined {
    const s = this.states.get(endpoint);
    if (!s?.metrics || this.now() - s.at > this.opts.stalenessMs) return undefined;
    return s.metrics;
  }

  stats(): ScrapeStats[] {
    return [...this.states].map(([endpoint, s]) => ({
      endpoint,
      fresh: this.get(endpoint) !== undefined,
      scrapes: s.scrapes,
      failures: s.failures,
      ...(s.error ? { error: s.error } : {}),
    }));
  }

  start(): void {
    if (this.timer) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.queue = [];
    await this.agent.close().catch(() => undefined);
  }

  /** One round: every idle endpoint is queued once; the queue drains `concurrency` at a time. */
  tick(): void {
    for (const [ep, s] of this.states) if (!s.busy && !this.queue.includes(ep)) this.queue.push(ep);
    this.drain();
  }

  private drain(): void {
    while (this.active < this.opts.concurrency && this.queue.length > 0) {
      const ep = this.queue.shift()!;
      const s = this.states.get(ep);
      if (!s || s.busy) continue;
      s.busy = true;
      this.active++;
      void this.scrape(ep, s).finally(() => {
        s.busy = false;
        this.active--;
        this.drain();
      });
    }
  }

  /** Scrapes one endpoint now and records the result (tests and the first round call it directly). */
  async scrape(endpoint: string, s = this.states.get(endpoint)): Promise<void> {
    if (!s) return;
    s.scrapes++;
    try {
      const text = await this.fetchText(endpoint);
      const r = parseMetrics(text, this.opts.engine);
      if (!r.ok) throw new Error(r.error);
      if (this.states.get(endpoint) !== s) return; // dropped meanwhile
      s.metrics = r.metrics;
      s.at = this.now();
      delete s.error;
    } catch (e) {
      s.failures++;
      s.error = (e as Error).message;
      delete s.metrics; // unreachable or unreadable: unknown at once, not after the staleness bound
      this.opts.onError?.(endpoint, s.error);
    }
  }

  private async fetchText(endpoint: string): Promise<string> {
    const res = await this.agent.request({
      origin: `http://${endpoint}`,
      path: this.opts.path,
      method: 'GET',
      signal: AbortSignal.timeout(this.opts.timeoutMs),
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`GET ${this.opts.path} answered ${res.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res.body as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > this.opts.maxBytes) {
        res.body.destroy();
        throw new Error(`metrics larger than ${this.opts.maxBytes} bytes`);
      }
      chunks.push(c);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
