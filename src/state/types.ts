// The StateStore seam: what affinity and the semantic cache need from shared state, one round trip
// per operation. Two backends: in-process memory (one replica) and Redis (every replica shares it).
// A backend never throws into the pipeline for a Redis fault: it rejects with StateUnavailable,
// and callers skip the feature for that request.

/** A conversation's pin: the model (and endpoint) its first turn went to. */
export interface Pin {
  model: string;
  decision: string;
  /** Priority of the pinned decision, for the switch-by-margin rule. */
  priority: number;
  /** Endpoint mode only. */
  endpoint?: string;
  /** Unix ms of the last turn that used the pin (idle timeout). */
  lastUsedMs: number;
}

/** A stored answer, replayed as JSON or as an SSE stream. */
export interface CachedAnswer {
  /** The assistant text. */
  content: string;
  /** Reasoning text, when the model returned it separately. */
  reasoning?: string;
  finishReason: string;
  /** The served model name the answer came from. */
  model: string;
  usage?: { promptTokens: number; completionTokens: number };
  /** Unix ms when stored. */
  storedAtMs: number;
}

/**
 * The partition a cache entry lives in: answers are only ever found inside the partition they were
 * written to (tenant, decision, model, protocol, stream or not, conversation-so-far fingerprint).
 * `id` is a hash of all of them; backends key everything of a partition under it (one Redis Cluster
 * slot via a {hash tag}).
 */
export interface CachePartition {
  id: string;
  tenant: string;
}

export interface CacheLookup {
  partition: CachePartition;
  /** Hash of the normalised request (exact match first). */
  exactKey: string;
  /** L2-normalised embedding of the cached text; absent: exact match only. */
  vector?: Float32Array;
  /** Lowest cosine similarity that counts as a semantic hit. */
  threshold: number;
  /**
   * Semantic candidates at or above the threshold to return, best first (default 1): the cache
   * guard may reject the best one, and the next is then already at hand (same round trip).
   */
  maxCandidates?: number;
}

/** A semantic candidate: a stored answer near the request, and the request text it answered. */
export interface SemanticCandidate {
  similarity: number;
  answer: CachedAnswer;
  /** Absent for entries stored without one (the cache guard then rejects them). */
  text?: string;
}

export interface CacheHit extends SemanticCandidate {
  kind: 'exact' | 'semantic';
  /** Semantic hits with maxCandidates > 1: the next candidates at or above the threshold, best first. */
  others?: SemanticCandidate[];
}

export interface CacheWrite {
  partition: CachePartition;
  exactKey: string;
  vector?: Float32Array;
  /** The request text the answer is for: kept with a semantic entry (one with a vector) for the cache guard; bounded by the caller. */
  text?: string;
  answer: CachedAnswer;
  ttlSeconds: number;
  /** Oldest entries of the partition are evicted beyond this. */
  maxEntries: number;
}

export interface StateStore {
  readonly backend: 'memory' | 'redis';
  /** Reads a pin and refreshes its TTL (one round trip). */
  getPin(key: string, ttlSeconds: number): Promise<Pin | undefined>;
  setPin(key: string, pin: Pin, ttlSeconds: number): Promise<void>;
  /** Exact match first, then the nearest vectors in the partition above the threshold (one round trip). */
  lookup(req: CacheLookup): Promise<CacheHit | undefined>;
  store(write: CacheWrite): Promise<void>;
  /** A stored document (a translated Responses API response), or undefined (one round trip). */
  getDocument(key: string): Promise<string | undefined>;
  setDocument(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Whether there was one to delete. */
  deleteDocument(key: string): Promise<boolean>;
  /** Whether operations are currently attempted (the breaker is closed or probing). */
  available(): boolean;
  close(): Promise<void>;
}

/** Raised by a backend when the operation was skipped or failed (breaker open, timeout, error). */
export class StateUnavailable extends Error {
  constructor(
    readonly reason: 'breaker_open' | 'timeout' | 'error' | 'closed',
    message: string,
  ) {
    super(message);
    this.name = 'StateUnavailable';
  }
}
