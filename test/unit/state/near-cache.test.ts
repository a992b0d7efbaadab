import { describe, expect, it } from '@jest/globals';
import { MemoryStateStore } from '../../../src/state/memory.js';
import { NearCacheStore } from '../../../src/state/near-cache.js';
import type { CacheLookup, StateStore } from '../../../src/state/types.js';

/** The memory store, counting the lookups that reach it. */
function countingInner(): { inner: StateStore; lookups: () => number } {
  const mem = new MemoryStateStore({ maxEntries: 1000 });
  let n = 0;
  const inner: StateStore = Object.assign(Object.create(mem) as StateStore, {
    lookup: (req: CacheLookup) => {
      n++;
      return mem.lookup(req);
    },
  });
  return { inner, lookups: () => n };
}

const partition = { id: 'p1', tenant: 't' };
const answer = (content: string) => ({ content, finishReason: 'stop', model: 'm', storedAtMs: 0 });
const write = (exactKey: string, content = 'hello', vector?: Float32Array) => ({
  partition,
  exactKey,
  answer: answer(content),
  ttlSeconds: 60,
  maxEntries: 100,
  ...(vector ? { vector } : {}),
});

describe('NearCacheStore', () => {
  it('serves a stored or hit answer from process memory until its TTL, then asks the shared store', async () => {
    let now = 1000;
    const { inner, lookups } = countingInner();
    const near = new NearCacheStore(inner, { maxEntries: 10, maxBytes: 1 << 20, ttlMs: 5000, now: () => now });
    await near.store(write('k1'));
    expect(await near.lookup({ partition, exactKey: 'k1', threshold: 0.9 })).toMatchObject({ kind: 'exact', answer: { content: 'hello' } });
    expect(lookups()).toBe(0);
    now += 6000;
    expect((await near.lookup({ partition, exactKey: 'k1', threshold: 0.9 }))?.answer.content).toBe('hello');
    expect(lookups()).toBe(1);
    // The shared hit is remembered again.
    await near.lookup({ partition, exactKey: 'k1', threshold: 0.9 });
    expect(lookups()).toBe(1);
  });

  it('other partitions (tenants) never see an entry', async () => {
    const { inner } = countingInner();
    const near = new NearCacheStore(inner, { maxEntries: 10, maxBytes: 1 << 20, ttlMs: 5000 });
    await near.store(write('k1'));
    expect(await near.lookup({ partition: { id: 'p2', tenant: 'u' }, exactKey: 'k1', threshold: 0.9 })).toBeUndefined();
  });

  it('does not remember semantic hits (the query key is not the entry key)', async () => {
    const { inner, lookups } = countingInner();
    const near = new NearCacheStore(inner, { maxEntries: 10, maxBytes: 1 << 20, ttlMs: 5000 });
    const v = new Float32Array([1, 0, 0, 0]);
    await inner.store(write('k1', 'hello', v));
    const hit = await near.lookup({ partition, exactKey: 'other', vector: v, threshold: 0.9 });
    expect(hit?.kind).toBe('semantic');
    await near.lookup({ partition, exactKey: 'other', vector: v, threshold: 0.9 });
    expect(lookups()).toBe(2);
  });

  it('is bounded by entries and by bytes, least recently used first', async () => {
    const { inner, lookups } = countingInner();
    const near = new NearCacheStore(inner, { maxEntries: 2, maxBytes: 1 << 20, ttlMs: 60_000 });
    await near.store(write('a'));
    await near.store(write('b'));
    await near.lookup({ partition, exactKey: 'a', threshold: 1 }); // a is now the most recent
    await near.store(write('c')); // evicts b
    await near.lookup({ partition, exactKey: 'a', threshold: 1 });
    await near.lookup({ partition, exactKey: 'c', threshold: 1 });
    expect(lookups()).toBe(0);
    await near.lookup({ partition, exactKey: 'b', threshold: 1 });
    expect(lookups()).toBe(1);

    const counted = countingInner();
    const small = new NearCacheStore(counted.inner, { maxEntries: 100, maxBytes: 3000, ttlMs: 60_000 });
    await small.store(write('big', 'x'.repeat(2000))); // over the byte bound alone: not held
    for (const k of ['s1', 's2', 's3']) await small.store(write(k, 'x'.repeat(500))); // ~1.3 KB each: two fit
    for (const k of ['s2', 's3']) await small.lookup({ partition, exactKey: k, threshold: 1 });
    expect(counted.lookups()).toBe(0);
    for (const k of ['big', 's1']) await small.lookup({ partition, exactKey: k, threshold: 1 });
    expect(counted.lookups()).toBe(2);
  });
});
