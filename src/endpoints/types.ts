// The endpoint picker's vocabulary (the llm-d shape: filters → scorers → picker). Each plugin is a
// small object with a type (what it is) and a name (which instance, from config); the framework in
// scheduler.ts clamps scores to [0, 1], weighs them and turns "none left" into a typed outcome.

/** What one scrape of an endpoint's /metrics said, in engine-neutral terms. */
export interface EndpointMetrics {
  /** Requests queued, not yet running. */
  waiting: number;
  /** Requests running (in the batch). */
  running: number;
  /** KV-cache use in [0, 1]. */
  kvUsage: number;
  /** LoRA adapters loaded and running, and waiting (vllm:lora_requests_info). */
  runningAdapters: readonly string[];
  waitingAdapters: readonly string[];
  /** Most adapters the engine holds at once; undefined when it did not say. */
  maxLora?: number;
  /** The engine's KV block size in tokens (vllm:cache_config_info), when it said. */
  blockSize?: number;
}

/** One endpoint as the picker sees it at pick time. */
export interface Candidate {
  /** ip:port (or [v6]:port). */
  address: string;
  /** The latest scrape, or undefined: unknown (never scraped, stale, or unreachable). */
  metrics: EndpointMetrics | undefined;
  /** Requests this replica has in flight there. */
  inflight: number;
}

/** What a pick is about. */
export interface PickRequest {
  model: string;
  /** Chained hashes of the prompt's blocks (prefix/block-hash.ts); empty when not computed. */
  blockHashes: readonly number[];
  /** The LoRA adapter the request names, if any. */
  adapter?: string;
  /** The GIE subset hint: only these addresses may be picked (undefined: any). */
  subset?: ReadonlySet<string>;
  /** The session's pinned endpoint (session affinity), if any. */
  pinned?: string;
  /** May be refused with 429 when every endpoint is saturated. */
  sheddable: boolean;
}

export interface Filter {
  readonly type: string;
  readonly name: string;
  /** The candidates that stay; `why` names the outcome when the filter decides the request's fate. */
  filter(req: PickRequest, candidates: readonly Candidate[]): FilterResult;
}

export type FilterResult =
  | { kind: 'kept'; candidates: readonly Candidate[] }
  /** Nothing eligible: 503 (subset empty) or 429 (sheddable request, all saturated). */
  | { kind: 'refused'; outcome: 'none_eligible' | 'shed'; reason: string };

export interface Scorer {
  readonly type: string;
  readonly name: string;
  /** One score per candidate, same order; the framework clamps them to [0, 1]. */
  score(req: PickRequest, candidates: readonly Candidate[]): number[];
}

export interface Scored {
  candidate: Candidate;
  score: number;
}

export interface Picker {
  readonly type: string;
  readonly name: string;
  /** The candidates in the order to try them: the pick first, then the fallbacks. */
  order(scored: readonly Scored[], random: () => number): Candidate[];
}
