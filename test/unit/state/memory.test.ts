import { describe, expect, test } from '@jest/globals';
import { MemoryStateStore } from '../../../src/state/memory.js';
import { answer, describeStateStoreBehaviour, DIM, freshPartition } from '../../helpers/state-store-behaviour.js';
import { randomUnit } from '../../helpers/vectors.js';
import { mulberry32 } from '../../../perf/arrivals.js';

describe('MemoryStateStore: the StateStore behaviour', () => {
  describeStateStoreBehaviour(() => new MemoryStateStore({ maxEntries: 10_000 }));
});

function clocked(maxEntries = 1000) {
  let now = 1_000_000;
  const store = new MemoryStateStore({ maxEntries, now: () => now });
  return { store, advance: (ms: number) => (now += ms) };
}

const pin = { model: 'm', decision: 'd', priority: 1, lastUsedMs: 0 };
const rand = mulberry32(5);

describe('MemoryStateStore: time and bounds', () => {
  test('a pin expires after its TTL, and each read restarts the TTL', async () => {
    const { store, advance } = clocked();
    await store.setPin('a', pin, 10);
    advance(9_000);
    expect(await store.getPin('a', 10)).toEqual(pin);
    advance(9_000);
    expect(await store.getPin('a', 10)).toEqual(pin);
    advance(10_000);
    expect(await store.getPin('a', 10)).toBeUndefined();
  });

  test('cache entries expire after their TTL, for exact and semantic lookups', async () => {
    const { store, advance } = clocked();
    const p = freshPartition();
    const v = randomUnit(DIM, rand);
    await store.store({ partition: p, exactKey: 'k', vector: v, answer: answer('x'), ttlSeconds: 5, maxEntries: 10 });
    advance(4_999);
    expect(await store.lookup({ partition: p, exactKey: 'other', vector: v, threshold: 0.9 })).toBeDefined();
    advance(1);
    expect(await store.lookup({ partition: p, exactKey: 'other', vector: v, threshold: 0.9 })).toBeUndefined();
    expect(await store.lookup({ partition: p, exactKey: 'k', threshold: 0.9 })).toBeUndefined();
  });

  test('expired slots go without being read again (writes sweep a few each)', async () => {
    const { store, advance } = clocked();
    for (let i = 0; i < 50; i++) await store.setPin(`old${i}`, pin, 1);
    advance(2_000);
    for (let i = 0; i < 20; i++) await store.setPin(`new${i}`, pin, 60);
    expect(store.size).toBe(20);
  });

  test('max_entries bounds pins and cache entries together, least recently used first', async () => {
    const { store } = clocked(4);
    const p = freshPartition();
    await store.setPin('a', pin, 60);
    await store.setPin('b', pin, 60);
    await store.store({ partition: p, exactKey: 'c', answer: answer('c'), ttlSeconds: 60, maxEntries: 10 });
    await store.setPin('d', pin, 60);
    expect(await store.getPin('a', 60)).toBeDefined();
    await store.setPin('e', pin, 60);
    expect(store.size).toBe(4);
    expect(await store.getPin('b', 60)).toBeUndefined();
    expect(await store.getPin('a', 60)).toBeDefined();
    await store.setPin('f', pin, 60);
    expect(await store.lookup({ partition: p, exactKey: 'c', threshold: 0.9 })).toBeUndefined();
    expect(store.size).toBe(4);
  });

  test('answers are copies: changing what was stored or returned does not change the cache', async () => {
    const { store } = clocked();
    const p = freshPartition();
    const stored = answer('original');
    await store.store({ partition: p, exactKey: 'k', answer: stored, ttlSeconds: 60, maxEntries: 10 });
    stored.content = 'changed';
    const hit = await store.lookup({ partition: p, exactKey: 'k', threshold: 0.9 });
    hit!.answer.content = 'changed again';
    expect((await store.lookup({ partition: p, exactKey: 'k', threshold: 0.9 }))?.answer.content).toBe('original');
  });
});
