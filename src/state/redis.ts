// The Redis state store: pins and the semantic cache shared by every replica. Each operation is one
// round trip (GETEX, SET, or one script via EVALSHA), runs under a per-operation timer and through
// the circuit breaker, and rejects only with StateUnavailable.
//
// Similarity: vectors travel and are stored as int8 (lsh.ts, per-vector max-abs scale); the
// similarity returned is the cosine of the int8 vectors, within 0.01 of the float cosine.
import type { RedisConfig } from '../config/schema/state.js';
import type { Logger } from '../telemetry/logger.js';
import { CircuitBreaker, type BreakerState } from './breaker.js';
import { DEFAULT_LSH, LshHasher, maxHamming, quantize, validateLsh, type LshParams } from './lsh.js';
import { createRedisClient, type RedisClient } from './redis-client.js';
import { documentKey, entryId, partitionKeys, pinKey } from './redis-keys.js';
import { LOOKUP_LUA, STORE_LUA } from './redis-scripts.js';
import type { CacheHit, CacheLookup, CachedAnswer, CacheWrite, Pin, SemanticCandidate, StateStore } from './types.js';
import { StateUnavailable } from './types.js';

type Arg = string | Buffer | number;

/** The scripts, as ioredis defineCommand adds them (EVALSHA, EVAL on NOSCRIPT). */
interface ScriptCommands {
  semrouteLookup(entry: string, index: string, ...argv: Arg[]): Promise<string[] | null>;
  semrouteStore(entry: string, index: string, zset: string, ...argv: Arg[]): Promise<number>;
}

export interface RedisStoreDeps {
  /** Gets the client's connection errors (rate-limited). */
  logger?: Logger;
  /** Breaker transitions, for metrics and logs (the store logs none itself). */
  onBreakerChange?: (state: BreakerState, previous: BreakerState) => void;
  /** LSH layout (tables, bits, probes, seed); every replica must use the same tables/bits/seed. */
  lsh?: Partial<LshParams>;
  /** Records kept per LSH bucket (newest first): bounds the candidates a lookup reads. */
  bucketCap?: number;
  /** Clock of the circuit breaker (tests). */
  now?: () => number;
}

/**
 * Default records per bucket. With K=18 a bucket averages 4 records at 1M entries, so 32 only
 * truncates crowded buckets (clustered data), and bounds a lookup at 24 buckets × 32 records.
 */
export const DEFAULT_BUCKET_CAP = 32;

export class RedisStateStore implements StateStore {
  readonly backend = 'redis';
  private readonly client: RedisClient & ScriptCommands;
  private readonly breaker: CircuitBreaker;
  private readonly lsh: LshParams;
  private readonly bucketCap: number;
  private readonly hashers = new Map<number, LshHasher>();
  /** Commands sent and not yet answered (what sits in ioredis' offline queue while disconnected). */
  private pending = 0;
  private closed = false;

  constructor(
    private readonly cfg: RedisConfig,
    deps: RedisStoreDeps = {},
  ) {
    this.lsh = { ...DEFAULT_LSH, ...deps.lsh };
    validateLsh(this.lsh);
    this.bucketCap = deps.bucketCap ?? DEFAULT_BUCKET_CAP;
    this.breaker = new CircuitBreaker({
      failures: cfg.breaker.failures,
      openMs: cfg.breaker.open_ms,
      slowMs: cfg.breaker.slow_ms ?? Number.POSITIVE_INFINITY,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.onBreakerChange ? { onChange: deps.onBreakerChange } : {}),
    });
    const client = createRedisClient(cfg, deps.logger) as RedisClient & ScriptCommands;
    client.defineCommand('semrouteLookup', { numberOfKeys: 2, lua: LOOKUP_LUA });
    client.defineCommand('semrouteStore', { numberOfKeys: 3, lua: STORE_LUA });
    this.client = client;
  }

  async getPin(key: string, ttlSeconds: number): Promise<Pin | undefined> {
    const json = await this.run((c) => c.getex(pinKey(this.cfg.key_prefix, key), 'EX', wholeSeconds(ttlSeconds)));
    return json === null ? undefined : parseJson<Pin>(json);
  }

  async setPin(key: string, pin: Pin, ttlSeconds: number): Promise<void> {
    await this.run((c) => c.set(pinKey(this.cfg.key_prefix, key), JSON.stringify(pin), 'EX', wholeSeconds(ttlSeconds)));
  }

  async getDocument(key: string): Promise<string | undefined> {
    return (await this.run((c) => c.get(documentKey(this.cfg.key_prefix, key)))) ?? undefined;
  }

  async setDocument(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.run((c) => c.set(documentKey(this.cfg.key_prefix, key), value, 'EX', wholeSeconds(ttlSeconds)));
  }

  async deleteDocument(key: string): Promise<boolean> {
    return (await this.run((c) => c.del(documentKey(this.cfg.key_prefix, key)))) > 0;
  }

  async lookup(req: CacheLookup): Promise<CacheHit | undefined> {
    const keys = partitionKeys(this.cfg.key_prefix, req.partition.id, this.lsh);
    const id = entryId(req.exactKey);
    let semantic: Arg[] = ['', '', 0, 0, 0];
    if (req.vector) {
      const { sig, probeFields } = this.hasher(req.vector.length).signature(req.vector);
      const maxHam = maxHamming(req.threshold, this.lsh.tables * this.lsh.bits);
      semantic = [quantize(req.vector), sig, req.threshold, maxHam, Math.max(1, req.maxCandidates ?? 1), ...probeFields];
    }
    const reply = await this.run((c) => c.semrouteLookup(keys.entryPrefix + id, keys.index, keys.entryPrefix, ...semantic));
    if (!reply) return undefined;
    if (reply[0] === 'exact') {
      const answer = parseJson<CachedAnswer>(reply[2]!);
      return answer ? { kind: 'exact', similarity: 1, answer } : undefined;
    }
    // 'semantic', then (similarity, answer JSON, request text) per candidate, best first.
    const candidates: SemanticCandidate[] = [];
    for (let i = 1; i + 2 < reply.length; i += 3) {
      const answer = parseJson<CachedAnswer>(reply[i + 1]!);
      const text = reply[i + 2]!;
      if (answer) candidates.push({ similarity: Number(reply[i]), answer, ...(text !== '' ? { text } : {}) });
    }
    const [best, ...others] = candidates;
    if (!best) return undefined;
    return { kind: 'semantic', ...best, ...(others.length > 0 ? { others } : {}) };
  }

  async store(write: CacheWrite): Promise<void> {
    const keys = partitionKeys(this.cfg.key_prefix, write.partition.id, this.lsh);
    const id = entryId(write.exactKey);
    const hasher = write.vector ? this.hasher(write.vector.length) : undefined;
    const vector = write.vector ? quantize(write.vector) : '';
    const sig = write.vector ? hasher!.signature(write.vector).sig : '';
    const B = Math.ceil(this.lsh.bits / 8);
    await this.run((c) =>
      c.semrouteStore(keys.entryPrefix + id, keys.index, keys.zset, keys.entryPrefix, id, JSON.stringify(write.answer), vector, sig, B, this.lsh.tables * B, wholeSeconds(write.ttlSeconds), Math.max(1, write.maxEntries), this.bucketCap, write.text ?? ''),
    );
  }

  available(): boolean {
    return !this.closed && (this.breaker.state !== 'open' || this.breaker.allowsAttempt());
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      // disconnect, not quit: quit would wait in the offline queue for a server that may be gone.
      this.client.disconnect();
    }
    return Promise.resolve();
  }

  private hasher(dim: number): LshHasher {
    let h = this.hashers.get(dim);
    if (!h) this.hashers.set(dim, (h = new LshHasher(this.lsh, dim)));
    return h;
  }

  /** One command, through the breaker, raced against op_timeout_ms; every failure is StateUnavailable. */
  private run<T>(command: (c: RedisClient & ScriptCommands) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StateUnavailable('closed', 'state store is closed'));
    return this.breaker.run(() => this.withTimeout(command));
  }

  private withTimeout<T>(command: (c: RedisClient & ScriptCommands) => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready' && this.pending >= this.cfg.max_offline_queue) {
      return Promise.reject(new StateUnavailable('error', `redis is ${this.client.status} and ${this.pending} commands are queued`));
    }
    this.pending++;
    // The executor also turns a synchronous throw into a rejection.
    const sent = new Promise<T>((resolve, reject) => {
      command(this.client).then(resolve, reject);
    }).finally(() => this.pending--);
    const timeoutMs = this.cfg.op_timeout_ms;
    return new Promise<T>((resolve, reject) => {
      // The rejection waits for the check phase: when the event loop itself stalled past the
      // budget, timers run before the poll phase that reads the reply already sitting in the
      // socket, and every command in flight would time out for the loop's fault, not Redis'.
      const timer = setTimeout(
        () => setImmediate(() => reject(new StateUnavailable('timeout', `redis operation took over ${timeoutMs} ms`))),
        timeoutMs,
      );
      sent.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(new StateUnavailable('error', `redis: ${e instanceof Error ? e.message : String(e)}`));
        },
      );
    });
  }
}

/** Redis expiries are whole seconds, and at least one (0 would be an error). */
function wholeSeconds(ttl: number): number {
  return Math.max(1, Math.ceil(ttl));
}

/** A value a replica wrote; unreadable JSON is a miss, not an error. */
function parseJson<T>(json: string): T | undefined {
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}
