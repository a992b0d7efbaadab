// A small in-process copy of recently hit or stored answers in front of the shared store: a hot
// repeat is answered without a Redis round trip. Safe because an entry is immutable for its key
// (partition id + exact key, the tenant included); the cost is that an entry evicted or expired in
// Redis may still be served here for up to ttlMs. Bounded by entries and by bytes, LRU.
import type { CachedAnswer, CacheHit, CacheLookup, CacheWrite, Pin, StateStore } from './types.js';

export interface NearCacheOptions {
  maxEntries: number;
  maxBytes: number;
  ttlMs: number;
  now?: () => number;
}

interface Held {
  answer: CachedAnswer;
  bytes: number;
  expiresAt: number;
}

export class NearCacheStore implements StateStore {
  readonly backend: StateStore['backend'];
  /** Map order is recency order: the first entry is the least recently used. */
  private readonly held = new Map<string, Held>();
  private bytes = 0;
  private readonly now: () => number;

  constructor(
    private readonly inner: StateStore,
    private readonly opts: NearCacheOptions,
  ) {
    this.backend = inner.backend;
    this.now = opts.now ?? Date.now;
  }

  getPin(key: string, ttlSeconds: number): Promise<Pin | undefined> {
    return this.inner.getPin(key, ttlSeconds);
  }

  setPin(key: string, pin: Pin, ttlSeconds: number): Promise<void> {
    return this.inner.setPin(key, pin, ttlSeconds);
  }

  getDocument(key: string): Promise<string | undefined> {
    return this.inner.getDocument(key);
  }

  setDocument(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.inner.setDocument(key, value, ttlSeconds);
  }

  deleteDocument(key: string): Promise<boolean> {
    return this.inner.deleteDocument(key);
  }

  async lookup(req: CacheLookup): Promise<CacheHit | undefined> {
    const key = `${req.partition.id}\0${req.exactKey}`;
    const near = this.held.get(key);
    if (near && near.expiresAt > this.now()) {
      this.held.delete(key);
      this.held.set(key, near);
      return { kind: 'exact', similarity: 1, answer: near.answer };
    }
    if (near) this.drop(key, near);
    const hit = await this.inner.lookup(req);
    // Only exact hits are remembered: a semantic hit is stored under its own key by the pipeline.
    if (hit?.kind === 'exact') this.remember(key, hit.answer);
    return hit;
  }

  async store(write: CacheWrite): Promise<void> {
    await this.inner.store(write);
    this.remember(`${write.partition.id}\0${write.exactKey}`, write.answer);
  }

  available(): boolean {
    return this.inner.available();
  }

  close(): Promise<void> {
    this.held.clear();
    this.bytes = 0;
    return this.inner.close();
  }

  private remember(key: string, answer: CachedAnswer): void {
    if (this.opts.maxEntries === 0) return;
    // UTF-16 length × 2 over-estimates UTF-8 for ASCII text: a safe bound, without encoding.
    const bytes = 2 * (answer.content.length + (answer.reasoning?.length ?? 0)) + 256;
    if (bytes > this.opts.maxBytes) return;
    const prev = this.held.get(key);
    if (prev) this.drop(key, prev);
    this.held.set(key, { answer, bytes, expiresAt: this.now() + this.opts.ttlMs });
    this.bytes += bytes;
    for (const [k, v] of this.held) {
      if (this.held.size <= this.opts.maxEntries && this.bytes <= this.opts.maxBytes) break;
      this.drop(k, v);
    }
  }

  private drop(key: string, held: Held): void {
    this.held.delete(key);
    this.bytes -= held.bytes;
  }
}
