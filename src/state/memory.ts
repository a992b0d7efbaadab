// The in-process state store (one replica). Pins and cache entries share one Map kept in
// least-recently-used order, bounded by `maxEntries` in all. TTLs are checked on every read, and
// each write also sweeps a few slots (a resumable iterator over the Map), so expired slots that are
// never read again still go. Semantic lookup is a brute-force cosine over the partition's vectors:
// a partition holds at most its write's `maxEntries`, so that bounds one lookup's scan; it keeps
// the best `maxCandidates` at or above the threshold.
import type { CacheHit, CacheLookup, CachedAnswer, CacheWrite, Pin, SemanticCandidate, StateStore } from './types.js';
import { StateUnavailable } from './types.js';

interface PinSlot {
  kind: 'pin';
  pin: Pin;
  expiresAt: number;
}

interface EntrySlot {
  kind: 'entry';
  partitionId: string;
  exactKey: string;
  answer: CachedAnswer;
  /** Unit length. */
  vector?: Float32Array;
  /** The request text, with the vector (the cache guard compares it). */
  text?: string;
  expiresAt: number;
}

interface DocumentSlot {
  kind: 'document';
  value: string;
  expiresAt: number;
}

type Slot = PinSlot | EntrySlot | DocumentSlot;

export interface MemoryStoreOptions {
  maxEntries: number;
  now?: () => number;
}

/** Slots examined for expiry on each write. */
const SWEEP_PER_WRITE = 8;

const pinSlotKey = (key: string) => `p\0${key}`;
const documentSlotKey = (key: string) => `d\0${key}`;
const entrySlotKey = (partitionId: string, exactKey: string) => `c\0${partitionId}\0${exactKey}`;

export class MemoryStateStore implements StateStore {
  readonly backend = 'memory';
  /** Every slot, least recently used first. */
  private readonly slots = new Map<string, Slot>();
  /** Per partition id: exact key → entry, oldest stored first. */
  private readonly partitions = new Map<string, Map<string, EntrySlot>>();
  private sweep: IterableIterator<[string, Slot]> = this.slots.entries();
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly opts: MemoryStoreOptions) {
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.slots.size;
  }

  getPin(key: string, ttlSeconds: number): Promise<Pin | undefined> {
    return this.guard(() => {
      const slot = this.live(pinSlotKey(key));
      if (slot?.kind !== 'pin') return undefined;
      slot.expiresAt = this.now() + ttlSeconds * 1000;
      return { ...slot.pin };
    });
  }

  setPin(key: string, pin: Pin, ttlSeconds: number): Promise<void> {
    return this.guard(() => {
      this.put(pinSlotKey(key), { kind: 'pin', pin: { ...pin }, expiresAt: this.now() + ttlSeconds * 1000 });
    });
  }

  getDocument(key: string): Promise<string | undefined> {
    return this.guard(() => {
      const slot = this.live(documentSlotKey(key));
      return slot?.kind === 'document' ? slot.value : undefined;
    });
  }

  setDocument(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.guard(() => {
      this.put(documentSlotKey(key), { kind: 'document', value, expiresAt: this.now() + ttlSeconds * 1000 });
    });
  }

  deleteDocument(key: string): Promise<boolean> {
    return this.guard(() => {
      const found = this.live(documentSlotKey(key))?.kind === 'document';
      if (found) this.remove(documentSlotKey(key));
      return found;
    });
  }

  lookup(req: CacheLookup): Promise<CacheHit | undefined> {
    return this.guard(() => {
      const exact = this.live(entrySlotKey(req.partition.id, req.exactKey));
      if (exact?.kind === 'entry') return { kind: 'exact' as const, similarity: 1, answer: structuredClone(exact.answer) };
      const partition = this.partitions.get(req.partition.id);
      if (!req.vector || !partition) return undefined;
      const query = normalized(req.vector);
      const now = this.now();
      const wanted = Math.max(1, req.maxCandidates ?? 1);
      // The best `wanted` entries at or above the threshold, best first (wanted is small).
      const top: Array<{ entry: EntrySlot; similarity: number }> = [];
      for (const entry of partition.values()) {
        if (!entry.vector || entry.vector.length !== query.length || entry.expiresAt <= now) continue;
        const similarity = dot(query, entry.vector);
        if (similarity < req.threshold || (top.length === wanted && similarity <= top[wanted - 1]!.similarity)) continue;
        const at = top.findIndex((t) => t.similarity < similarity);
        top.splice(at < 0 ? top.length : at, 0, { entry, similarity });
        if (top.length > wanted) top.pop();
      }
      if (top.length === 0) return undefined;
      for (const { entry } of top) this.touch(entrySlotKey(entry.partitionId, entry.exactKey), entry);
      const [best, ...others] = top.map(({ entry, similarity }) => candidateOf(entry, similarity));
      return { kind: 'semantic' as const, ...best!, ...(others.length > 0 ? { others } : {}) };
    });
  }

  store(write: CacheWrite): Promise<void> {
    return this.guard(() => {
      const { id } = write.partition;
      const slotKey = entrySlotKey(id, write.exactKey);
      this.remove(slotKey);
      const entry: EntrySlot = {
        kind: 'entry',
        partitionId: id,
        exactKey: write.exactKey,
        answer: structuredClone(write.answer),
        ...(write.vector ? { vector: normalized(write.vector) } : {}),
        ...(write.vector && write.text ? { text: write.text } : {}),
        expiresAt: this.now() + write.ttlSeconds * 1000,
      };
      let partition = this.partitions.get(id);
      if (!partition) this.partitions.set(id, (partition = new Map<string, EntrySlot>()));
      partition.set(write.exactKey, entry);
      while (partition.size > Math.max(1, write.maxEntries)) {
        const oldest = partition.values().next().value!;
        this.remove(entrySlotKey(id, oldest.exactKey));
      }
      this.put(slotKey, entry);
    });
  }

  available(): boolean {
    return !this.closed;
  }

  close(): Promise<void> {
    this.closed = true;
    this.slots.clear();
    this.partitions.clear();
    return Promise.resolve();
  }

  private guard<T>(op: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StateUnavailable('closed', 'state store is closed'));
    return Promise.resolve(op());
  }

  /** The slot if present and not expired (expired: removed); a hit becomes most recently used. */
  private live(slotKey: string): Slot | undefined {
    const slot = this.slots.get(slotKey);
    if (!slot) return undefined;
    if (slot.expiresAt <= this.now()) {
      this.remove(slotKey);
      return undefined;
    }
    this.touch(slotKey, slot);
    return slot;
  }

  private touch(slotKey: string, slot: Slot): void {
    this.slots.delete(slotKey);
    this.slots.set(slotKey, slot);
  }

  private put(slotKey: string, slot: Slot): void {
    this.slots.delete(slotKey);
    this.slots.set(slotKey, slot);
    while (this.slots.size > this.opts.maxEntries) this.remove(this.slots.keys().next().value!);
    this.sweepSome();
  }

  private remove(slotKey: string): void {
    const slot = this.slots.get(slotKey);
    if (!slot) return;
    this.slots.delete(slotKey);
    if (slot.kind !== 'entry') return;
    const partition = this.partitions.get(slot.partitionId);
    partition?.delete(slot.exactKey);
    if (partition?.size === 0) this.partitions.delete(slot.partitionId);
  }

  private sweepSome(): void {
    const now = this.now();
    for (let i = 0; i < SWEEP_PER_WRITE; i++) {
      const next = this.sweep.next();
      if (next.done) {
        this.sweep = this.slots.entries();
        return;
      }
      const [slotKey, slot] = next.value;
      if (slot.expiresAt <= now) this.remove(slotKey);
    }
  }
}

function candidateOf(entry: EntrySlot, similarity: number): SemanticCandidate {
  return { similarity, answer: structuredClone(entry.answer), ...(entry.text !== undefined ? { text: entry.text } : {}) };
}

function normalized(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  return norm === 0 ? new Float32Array(v.length) : v.map((x) => x / norm);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
