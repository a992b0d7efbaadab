// What every StateStore backend must do, run against each of them (memory and Redis).
import { describe, expect, test } from '@jest/globals';
import { mulberry32 } from '../../perf/arrivals.js';
import type { CachedAnswer, CachePartition, StateStore } from '../../src/state/types.js';
import { StateUnavailable } from '../../src/state/types.js';
import { atCosine, cosine64, randomUnit } from './vectors.js';

export const DIM = 128;

let partitions = 0;
/** A partition no other test uses (stores may be shared between tests). */
export function freshPartition(tenant = 'tenant-a'): CachePartition {
  return { id: `part-${process.pid}-${++partitions}`, tenant };
}

export function answer(content: string): CachedAnswer {
  return { content, finishReason: 'stop', model: 'org/small-8b', usage: { promptTokens: 3, completionTokens: 5 }, storedAtMs: 1_700_000_000_000 };
}

/** `open` gives the store under test (called once per test); `release` undoes it. */
export function describeStateStoreBehaviour(open: () => StateStore, release: (s: StateStore) => Promise<void> = (s) => s.close()): void {
  const rand = mulberry32(99);
  const run = (body: (store: StateStore) => Promise<void>) => async () => {
    const store = open();
    try {
      await body(store);
    } finally {
      await release(store);
    }
  };
  const write = (store: StateStore, partition: CachePartition, exactKey: string, vector: Float32Array | undefined, content = exactKey, maxEntries = 100, text?: string) =>
    store.store({ partition, exactKey, ...(vector ? { vector } : {}), ...(text !== undefined ? { text } : {}), answer: answer(content), ttlSeconds: 60, maxEntries });

  describe('pins', () => {
    test('set, read back, overwrite; unknown keys are undefined', run(async (store) => {
      const pin = { model: 'org/small-8b', decision: 'code', priority: 10, endpoint: '10.0.0.1:8000', lastUsedMs: 123 };
      expect(await store.getPin('conversation-1', 60)).toBeUndefined();
      await store.setPin('conversation-1', pin, 60);
      expect(await store.getPin('conversation-1', 60)).toEqual(pin);
      await store.setPin('conversation-1', { ...pin, model: 'org/large-235b' }, 60);
      expect((await store.getPin('conversation-1', 60))?.model).toBe('org/large-235b');
      expect(await store.getPin('conversation-2', 60)).toBeUndefined();
    }));
  });

  describe('cache', () => {
    test('an exact key hits with similarity 1 and the stored answer', run(async (store) => {
      const p = freshPartition();
      const v = randomUnit(DIM, rand);
      await write(store, p, 'hash-1', v, 'the answer');
      expect(await store.lookup({ partition: p, exactKey: 'hash-1', vector: v, threshold: 0.95 })).toEqual({ kind: 'exact', similarity: 1, answer: answer('the answer') });
      expect(await store.lookup({ partition: p, exactKey: 'hash-1', threshold: 0.95 })).toMatchObject({ kind: 'exact' });
      expect(await store.lookup({ partition: p, exactKey: 'hash-2', threshold: 0.95 })).toBeUndefined();
    }));

    test('a near vector hits semantically with its cosine; an unrelated one misses', run(async (store) => {
      const p = freshPartition();
      const v = randomUnit(DIM, rand);
      await write(store, p, 'stored', v, 'near answer');
      const q = atCosine(v, 0.97, rand);
      const hit = await store.lookup({ partition: p, exactKey: 'other', vector: q, threshold: 0.95 });
      expect(hit?.kind).toBe('semantic');
      expect(hit?.answer.content).toBe('near answer');
      expect(Math.abs(hit!.similarity - cosine64(v, q))).toBeLessThan(0.01);
      expect(await store.lookup({ partition: p, exactKey: 'other', vector: randomUnit(DIM, rand), threshold: 0.5 })).toBeUndefined();
    }));

    test('the threshold decides: a vector at cosine 0.965 misses at 0.98 and hits at 0.95', run(async (store) => {
      const p = freshPartition();
      const v = randomUnit(DIM, rand);
      await write(store, p, 'stored', v);
      const q = atCosine(v, 0.965, rand);
      expect(await store.lookup({ partition: p, exactKey: 'q', vector: q, threshold: 0.98 })).toBeUndefined();
      expect((await store.lookup({ partition: p, exactKey: 'q', vector: q, threshold: 0.95 }))?.answer.content).toBe('stored');
    }));

    test('the nearest of several candidates wins', run(async (store) => {
      const p = freshPartition();
      const q = randomUnit(DIM, rand);
      await write(store, p, 'farther', atCosine(q, 0.96, rand));
      await write(store, p, 'nearest', atCosine(q, 0.995, rand));
      await write(store, p, 'unrelated', randomUnit(DIM, rand));
      expect((await store.lookup({ partition: p, exactKey: 'q', vector: q, threshold: 0.95 }))?.answer.content).toBe('nearest');
    }));

    test('a semantic hit carries the request text stored with it; an entry stored without one has none', run(async (store) => {
      const p = freshPartition();
      const v = randomUnit(DIM, rand);
      await write(store, p, 'with-text', v, 'answer', 100, 'Convert 10 km to miles — ünïcode too');
      const hit = await store.lookup({ partition: p, exactKey: 'q', vector: atCosine(v, 0.98, rand), threshold: 0.95 });
      expect(hit).toMatchObject({ kind: 'semantic', text: 'Convert 10 km to miles — ünïcode too' });
      expect(hit?.others).toBeUndefined();
      const q = freshPartition();
      await write(store, q, 'without-text', v);
      const bare = await store.lookup({ partition: q, exactKey: 'q', vector: v, threshold: 0.95 });
      expect(bare?.kind).toBe('semantic');
      expect(bare && 'text' in bare).toBe(false);
      // An exact hit never needs the guard: it has no text.
      expect(await store.lookup({ partition: p, exactKey: 'with-text', threshold: 0.95 })).toEqual({ kind: 'exact', similarity: 1, answer: answer('answer') });
    }));

    test('maxCandidates: the candidates at or above the threshold, best first, at most that many', run(async (store) => {
      const p = freshPartition();
      const q = randomUnit(DIM, rand);
      await write(store, p, 'c96', atCosine(q, 0.96, rand), 'c96', 100, 'text 96');
      await write(store, p, 'c99', atCosine(q, 0.99, rand), 'c99', 100, 'text 99');
      await write(store, p, 'c975', atCosine(q, 0.975, rand), 'c975', 100, 'text 975');
      await write(store, p, 'c90', atCosine(q, 0.9, rand), 'c90', 100, 'text 90');
      const all = await store.lookup({ partition: p, exactKey: 'q', vector: q, threshold: 0.95, maxCandidates: 8 });
      expect([all?.answer.content, ...(all?.others ?? []).map((c) => c.answer.content)]).toEqual(['c99', 'c975', 'c96']);
      expect(all?.others?.map((c) => c.text)).toEqual(['text 975', 'text 96']);
      const sims = [all!.similarity, ...all!.others!.map((c) => c.similarity)];
      expect([...sims].sort((a, b) => b - a)).toEqual(sims);
      const two = await store.lookup({ partition: p, exactKey: 'q', vector: q, threshold: 0.95, maxCandidates: 2 });
      expect([two?.answer.content, ...(two?.others ?? []).map((c) => c.answer.content)]).toEqual(['c99', 'c975']);
      const one = await store.lookup({ partition: p, exactKey: 'q', vector: q, threshold: 0.95 });
      expect(one?.answer.content).toBe('c99');
      expect(one?.others).toBeUndefined();
    }));

    test('paraphrase-like vectors (cosine 0.95–0.99) find their entry; unrelated ones find nothing', run(async (store) => {
      const p = freshPartition();
      const stored = Array.from({ length: 60 }, (_, i) => ({ i, v: randomUnit(DIM, rand) }));
      for (const { i, v } of stored) await write(store, p, `e${i}`, v, `answer ${i}`);
      let found = 0;
      let wrong = 0;
      for (const { i, v } of stored) {
        const hit = await store.lookup({ partition: p, exactKey: `q${i}`, vector: atCosine(v, 0.95 + 0.04 * rand(), rand), threshold: 0.94 });
        if (hit?.answer.content === `answer ${i}`) found++;
        if (await store.lookup({ partition: p, exactKey: `r${i}`, vector: randomUnit(DIM, rand), threshold: 0.94 })) wrong++;
      }
      expect(found).toBeGreaterThanOrEqual(57);
      expect(wrong).toBe(0);
    }));

    test('entries written without a vector are found by exact key only', run(async (store) => {
      const p = freshPartition();
      const v = randomUnit(DIM, rand);
      await write(store, p, 'exact-only', undefined);
      expect((await store.lookup({ partition: p, exactKey: 'exact-only', threshold: 0.95 }))?.kind).toBe('exact');
      expect(await store.lookup({ partition: p, exactKey: 'other', vector: v, threshold: 0 })).toBeUndefined();
    }));

    test('writing an exact key again replaces its answer and its vector', run(async (store) => {
      const p = freshPartition();
      const [v1, v2] = [randomUnit(DIM, rand), randomUnit(DIM, rand)];
      await write(store, p, 'k', v1, 'first');
      await write(store, p, 'k', v2, 'second');
      expect((await store.lookup({ partition: p, exactKey: 'k', threshold: 0.95 }))?.answer.content).toBe('second');
      expect(await store.lookup({ partition: p, exactKey: 'x', vector: v1, threshold: 0.95 })).toBeUndefined();
      expect((await store.lookup({ partition: p, exactKey: 'x', vector: v2, threshold: 0.95 }))?.answer.content).toBe('second');
    }));

    test('partitions and tenants are isolated: the same key and vector elsewhere never hit', run(async (store) => {
      const [a, b, c] = [freshPartition('tenant-a'), freshPartition('tenant-a'), freshPartition('tenant-b')];
      const v = randomUnit(DIM, rand);
      await write(store, a, 'same-key', v);
      for (const other of [b, c]) {
        expect(await store.lookup({ partition: other, exactKey: 'same-key', vector: v, threshold: 0 })).toBeUndefined();
      }
      expect((await store.lookup({ partition: a, exactKey: 'same-key', vector: v, threshold: 0.95 }))?.kind).toBe('exact');
    }));

    test('beyond maxEntries the oldest entries of the partition are evicted', run(async (store) => {
      const p = freshPartition();
      const other = freshPartition();
      const vs = Array.from({ length: 5 }, () => randomUnit(DIM, rand));
      await write(store, other, 'bystander', randomUnit(DIM, rand), 'bystander', 3);
      for (let i = 0; i < 5; i++) await write(store, p, `k${i}`, vs[i], `k${i}`, 3);
      for (let i = 0; i < 5; i++) {
        const exact = await store.lookup({ partition: p, exactKey: `k${i}`, threshold: 0.95 });
        const semantic = await store.lookup({ partition: p, exactKey: 'probe', vector: vs[i], threshold: 0.95 });
        expect([exact?.answer.content, semantic?.answer.content]).toEqual(i < 2 ? [undefined, undefined] : [`k${i}`, `k${i}`]);
      }
      expect(await store.lookup({ partition: other, exactKey: 'bystander', threshold: 0.95 })).toBeDefined();
    }));
  });

  test('a closed store rejects with StateUnavailable(closed)', async () => {
    const store = open();
    await release(store);
    await expect(store.getPin('k', 60)).rejects.toMatchObject({ name: 'StateUnavailable', reason: 'closed' });
    await expect(store.lookup({ partition: freshPartition(), exactKey: 'k', threshold: 0.9 })).rejects.toBeInstanceOf(StateUnavailable);
    expect(store.available()).toBe(false);
  });
}
