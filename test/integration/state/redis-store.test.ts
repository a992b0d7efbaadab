import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { mulberry32 } from '../../../perf/arrivals.js';
import { redisSchema, type RedisConfig } from '../../../src/config/schema/state.js';
import type { BreakerState } from '../../../src/state/breaker.js';
import { DEFAULT_LSH } from '../../../src/state/lsh.js';
import { RedisStateStore, type RedisStoreDeps } from '../../../src/state/redis.js';
import { entryId, partitionKeys } from '../../../src/state/redis-keys.js';
import { ID_LENGTH } from '../../../src/state/redis-scripts.js';
import { StateUnavailable } from '../../../src/state/types.js';
import { RecordingLogger } from '../../helpers/fakes.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { until } from '../../helpers/until.js';
import { answer, describeStateStoreBehaviour, DIM, freshPartition } from '../../helpers/state-store-behaviour.js';
import { randomUnit } from '../../helpers/vectors.js';

let server: RedisServer;
let admin: Redis;
const rand = mulberry32(11);
/** An index record: entry id + the whole signature. */
const RECORD_BYTES = ID_LENGTH + DEFAULT_LSH.tables * Math.ceil(DEFAULT_LSH.bits / 8);
/** Generous per-op budget: jest runs suites in parallel on small machines. */
const config = (over: Record<string, unknown> = {}): RedisConfig => redisSchema.parse({ url: server.url, op_timeout_ms: 1000, ...over });

/** Stores a test opened are closed after it, passed or failed (an open client keeps jest alive). */
const opened: RedisStateStore[] = [];
const openStore = (cfg: RedisConfig, deps: RedisStoreDeps = {}) => {
  const store = new RedisStateStore(cfg, deps);
  opened.push(store);
  return store;
};
afterEach(() => Promise.all(opened.splice(0).map((s) => s.close())));

/** All index records of a partition's index hash, as bytes. */
async function indexRecords(prefix: string, partitionId: string): Promise<Buffer> {
  const [index] = await admin.keys(`${prefix}c:{${partitionId}}:i:*`);
  return Buffer.concat(await admin.hvalsBuffer(index!));
}

function occurrences(haystack: Buffer, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) n++;
  return n;
}

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
});

afterAll(async () => {
  admin.disconnect();
  await server.close();
});

describe('RedisStateStore: the StateStore behaviour', () => {
  describeStateStoreBehaviour(() => new RedisStateStore(config()));
});

describe('RedisStateStore: shared state', () => {
  test('two instances see each other’s pins and cache entries', async () => {
    const [a, b] = [openStore(config()), openStore(config())];
    const p = freshPartition();
    const v = randomUnit(DIM, rand);
    await a.setPin('conv', { model: 'm', decision: 'd', priority: 1, lastUsedMs: 1 }, 60);
    await a.store({ partition: p, exactKey: 'k', vector: v, answer: answer('from a'), ttlSeconds: 60, maxEntries: 10 });
    expect((await b.getPin('conv', 60))?.model).toBe('m');
    expect((await b.lookup({ partition: p, exactKey: 'other', vector: v, threshold: 0.95 }))?.answer.content).toBe('from a');
  });

  test('every key written has a TTL, and reading a pin restarts its TTL', async () => {
    const store = openStore(config({ key_prefix: 'ttl-test:' }));
    await store.setPin('conv', { model: 'm', decision: 'd', priority: 1, lastUsedMs: 1 }, 100);
    const p = freshPartition();
    for (let i = 0; i < 5; i++) await store.store({ partition: p, exactKey: `k${i}`, vector: randomUnit(DIM, rand), answer: answer('x'), ttlSeconds: 60, maxEntries: 3 });
    await store.store({ partition: p, exactKey: 'exact-only', answer: answer('x'), ttlSeconds: 60, maxEntries: 3 });
    const keys = await admin.keys('ttl-test:*');
    // a pin; 3 entries and the exact-only one (4 evicted down to 3); the index; the zset
    expect(keys).toHaveLength(1 + 3 + 2);
    const withoutTtl: string[] = [];
    for (const key of keys) if ((await admin.ttl(key)) <= 0) withoutTtl.push(key);
    expect(withoutTtl).toEqual([]);
    const [pinKey] = await admin.keys('ttl-test:p:*');
    await admin.expire(pinKey!, 5);
    await store.getPin('conv', 100);
    expect(await admin.ttl(pinKey!)).toBeGreaterThan(90);
  });

  test('eviction removes the evicted entry’s hash and its index records', async () => {
    const store = openStore(config({ key_prefix: 'evict-test:' }));
    const p = freshPartition();
    for (let i = 0; i < 4; i++) await store.store({ partition: p, exactKey: `k${i}`, vector: randomUnit(DIM, rand), answer: answer(`k${i}`), ttlSeconds: 60, maxEntries: 3 });
    const entries = await admin.keys(`evict-test:c:{${p.id}}:e:*`);
    expect(entries).toHaveLength(3);
    const [zset] = await admin.keys(`evict-test:c:{${p.id}}:z`);
    const ids = await admin.zrange(zset!, 0, -1);
    expect(ids).toHaveLength(3);
    const records = await indexRecords('evict-test:', p.id);
    // One record per table for each of the 3 live entries, and nothing else.
    for (const id of ids) expect(occurrences(records, id)).toBe(DEFAULT_LSH.tables);
    expect(records.length).toBe(3 * DEFAULT_LSH.tables * RECORD_BYTES);
  });

  test('a lookup that meets an expired entry removes its index records', async () => {
    const store = openStore(config({ key_prefix: 'stale-test:' }));
    const p = freshPartition();
    const v = randomUnit(DIM, rand);
    await store.store({ partition: p, exactKey: 'short-lived', vector: v, answer: answer('x'), ttlSeconds: 1, maxEntries: 10 });
    await store.store({ partition: p, exactKey: 'long-lived', vector: randomUnit(DIM, rand), answer: answer('y'), ttlSeconds: 60, maxEntries: 10 });
    const recordBytes = async () => (await indexRecords('stale-test:', p.id)).length;
    expect(await recordBytes()).toBe(2 * DEFAULT_LSH.tables * RECORD_BYTES);
    // The short-lived entry carries its 1 s TTL (-2 if it is already gone); rather than wait it
    // out, let it expire now.
    const shortLived = partitionKeys('stale-test:', p.id, DEFAULT_LSH).entryPrefix + entryId('short-lived');
    const pttl = await admin.pttl(shortLived);
    expect(pttl === -2 || (pttl > 0 && pttl <= 1000)).toBe(true);
    await admin.pexpire(shortLived, 1);
    await until(async () => (await admin.exists(shortLived)) === 0, 10_000, 'the entry expired');
    expect(await store.lookup({ partition: p, exactKey: 'q', vector: v, threshold: 0.95 })).toBeUndefined();
    expect(await recordBytes()).toBe(DEFAULT_LSH.tables * RECORD_BYTES);
  });
});

describe('RedisStateStore: round trips', () => {
  test('a lookup (exact hit, semantic hit, miss) is one EVALSHA, a pin read one GETEX', async () => {
    const store = openStore(config());
    const p = freshPartition();
    const v = randomUnit(DIM, rand);
    await store.store({ partition: p, exactKey: 'k', vector: v, answer: answer('x'), ttlSeconds: 60, maxEntries: 10 });
    await store.lookup({ partition: p, exactKey: 'warm', vector: v, threshold: 0.95 });
    const monitor = await admin.monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') seen.push(String(args[0]).toLowerCase());
    });
    await store.lookup({ partition: p, exactKey: 'k', vector: v, threshold: 0.95 });
    await store.lookup({ partition: p, exactKey: 'other', vector: v, threshold: 0.95 });
    await store.lookup({ partition: p, exactKey: 'other', vector: randomUnit(DIM, rand), threshold: 0.95 });
    await store.getPin('conv', 60);
    await admin.ping();
    // MONITOR reports commands in the order Redis ran them: once it shows the PING, it has shown
    // everything before it.
    await until(() => seen.includes('ping'), 10_000, 'MONITOR showed the PING');
    monitor.disconnect();
    expect(seen.filter((c) => c !== 'ping')).toEqual(['evalsha', 'evalsha', 'evalsha', 'getex']);
  });
});

describe('RedisStateStore: Redis goes away and comes back', () => {
  let flaky: RedisServer;
  const unhandled: unknown[] = [];
  const record = (e: unknown) => unhandled.push(e);
  beforeAll(async () => {
    flaky = await startRedisServer();
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
  });
  afterAll(async () => {
    process.removeListener('unhandledRejection', record);
    process.removeListener('uncaughtException', record);
    await flaky.close();
  });

  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return e instanceof StateUnavailable ? e.reason : `raw ${String(e)}`;
    }
    return 'resolved';
  };
  /** Whether p settles in this turn of the event loop: refused at once, no timer or I/O waited for. */
  const settlesAtOnce = (p: Promise<unknown>) =>
    Promise.race([p.then(() => true, () => true), new Promise<boolean>((r) => setImmediate(() => r(false)))]);

  test('an operation Redis never answers fails with code timeout', async () => {
    const store = openStore(redisSchema.parse({ url: flaky.url, op_timeout_ms: 100, breaker: { failures: 100 } }));
    await store.getPin('warm', 60);
    // Stopped (SIGSTOP), Redis keeps the connection open and never answers: only the operation's
    // own timer can end the call.
    flaky.pause();
    try {
      expect(await failure(store.getPin('conv', 60))).toBe('timeout');
    } finally {
      flaky.resume();
    }
  });

  test('operations fail while Redis is gone, the breaker opens and fails fast, and a probe closes it after restart', async () => {
    const changes: BreakerState[] = [];
    const logger = new RecordingLogger();
    // The breaker's clock is the test's: it stays open until the test moves the clock past open_ms.
    let clock = 0;
    const store = openStore(
      redisSchema.parse({ url: flaky.url, op_timeout_ms: 100, breaker: { failures: 3, open_ms: 300 } }),
      { logger, onBreakerChange: (s) => changes.push(s), now: () => clock },
    );
    const p = freshPartition();
    await store.setPin('conv', { model: 'm', decision: 'd', priority: 1, lastUsedMs: 1 }, 60);
    await flaky.stop();

    for (let i = 0; i < 3; i++) {
      // The connection refused, or the op timer first: either way a failure, not a hang.
      expect(await failure(store.lookup({ partition: p, exactKey: 'k', vector: randomUnit(DIM, rand), threshold: 0.9 }))).toMatch(/^(timeout|error)$/);
    }
    expect(changes).toEqual(['open']);
    expect(store.available()).toBe(false);
    const fast = store.getPin('conv', 60);
    expect(await settlesAtOnce(fast)).toBe(true);
    expect(await failure(fast)).toBe('breaker_open');

    await flaky.start();
    // Each attempt first moves the clock past open_ms, so the breaker lets a probe through; a probe
    // that fails (the client still reconnecting) opens it again until the next attempt.
    let pinned: unknown = 'never';
    await until(
      async () => {
        clock += 300;
        try {
          await store.setPin('conv', { model: 'back', decision: 'd', priority: 1, lastUsedMs: 2 }, 60);
          pinned = await store.getPin('conv', 60);
          return true;
        } catch (e) {
          expect(e).toBeInstanceOf(StateUnavailable);
          return false;
        }
      },
      10_000,
      'a probe got through',
    );
    expect(pinned).toMatchObject({ model: 'back' });
    expect(changes.at(-1)).toBe('closed');
    expect(store.available()).toBe(true);
    // The client's 'error' events were listened to (and logged), never thrown.
    expect(logger.lines.some((l) => l.level === 'warn' && l.msg === 'redis connection error')).toBe(true);
    await store.close();
    expect(unhandled).toEqual([]);
  }, 30_000);

  test('while disconnected, commands beyond max_offline_queue are refused at once', async () => {
    const logger = new RecordingLogger();
    const store = openStore(redisSchema.parse({ url: flaky.url, op_timeout_ms: 50, max_offline_queue: 2, breaker: { failures: 100 } }), { logger });
    await store.getPin('warm', 60);
    await flaky.stop();
    // The client knows it is disconnected once a reconnect attempt has failed (and it says so).
    await until(() => logger.lines.some((l) => l.msg === 'redis connection error'), 10_000, 'the client saw Redis gone');
    const calls = Array.from({ length: 5 }, () => store.getPin('conv', 60));
    const atOnce = await Promise.all(calls.map(settlesAtOnce));
    const reasons = await Promise.all(calls.map(failure));
    // The first two wait in the offline queue (until the timer, or ioredis gives up on them).
    expect(atOnce.slice(0, 2)).toEqual([false, false]);
    for (const r of reasons.slice(0, 2)) expect(['timeout', 'error']).toContain(r);
    // The others are refused before the event loop turns.
    expect(atOnce.slice(2)).toEqual([true, true, true]);
    expect(reasons.slice(2)).toEqual(['error', 'error', 'error']);
    await store.close();
    await flaky.start();
    expect(unhandled).toEqual([]);
  });
});
