// Semantic cache benchmark on a real redis-server (started here, loopback): fills one partition with
// N random unit vectors, then measures RedisStateStore.lookup end to end (LSH hashing in Node + one
// EVALSHA) for near-duplicates (hits) and random vectors (misses), against a plain GET round trip
// measured interleaved on the same server, plus pin reads (GETEX), round trips per lookup (INFO
// commandstats deltas) and Redis memory per entry (used_memory delta / N).
//   node dist/perf/cache-bench.js [--entries 10000,100000,1000000] [--lookups 20000] [--dim 128]
//                                 [--tables 8] [--bits 16] [--probes 1] [--cap 64] [--out FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { redisSchema } from '../src/config/schema/state.js';
import { DEFAULT_LSH } from '../src/state/lsh.js';
import { DEFAULT_BUCKET_CAP, RedisStateStore } from '../src/state/redis.js';
import type { CachedAnswer, CachePartition } from '../src/state/types.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { atCosine, randomUnit } from '../test/helpers/vectors.js';
import { mulberry32 } from './arrivals.js';
import { describeMachine, machineLine, resultFileName } from './report.js';
import { summarize, type LatencySummary } from './stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

const { values: args } = parseArgs({
  options: {
    entries: { type: 'string', default: '10000,100000' },
    lookups: { type: 'string', default: '20000' },
    dim: { type: 'string', default: '128' },
    tables: { type: 'string', default: String(DEFAULT_LSH.tables) },
    bits: { type: 'string', default: String(DEFAULT_LSH.bits) },
    probes: { type: 'string', default: String(DEFAULT_LSH.probes) },
    cap: { type: 'string', default: String(DEFAULT_BUCKET_CAP) },
    out: { type: 'string' },
  },
});
const dim = Number(args.dim);
const lookups = Number(args.lookups);
const lsh = { ...DEFAULT_LSH, tables: Number(args.tables), bits: Number(args.bits), probes: Number(args.probes) };
const bucketCap = Number(args.cap);
/** Lookups ask for this; near-duplicates are generated at cosine ≥ 0.95, so int8 rounding never decides a hit. */
const THRESHOLD = 0.94;
const FILL_BATCH = 512;
const partition: CachePartition = { id: 'bench', tenant: 'bench' };

interface Row {
  entries: number;
  fillSeconds: number;
  memoryBytesPerEntry: number;
  hit: LatencySummary;
  miss: LatencySummary;
  get: LatencySummary;
  pin: LatencySummary;
  /** Near-duplicates at cosine uniform in [0.95, 0.99] that returned their own entry. */
  recall: number;
  /** Near-duplicates at cosine exactly 0.95 (the worst case) that returned their own entry. */
  recallAt095: number;
  /** Random vectors that returned anything. */
  falseHits: number;
  roundTripsPerLookup: number;
  evalshaPerLookup: number;
  redisUsecPerLookup: number;
}

const answerFor = (i: number): CachedAnswer => ({
  content: `answer ${i}: ${'lorem ipsum dolor sit amet '.repeat(8)}`,
  finishReason: 'stop',
  model: 'org/model-8b',
  usage: { promptTokens: 42, completionTokens: 200 },
  storedAtMs: 1_700_000_000_000 + i,
});

async function commandStats(admin: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const m of (await admin.info('commandstats')).matchAll(/^cmdstat_(\S+):calls=(\d+),usec=(\d+)/gm)) {
    stats.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return stats;
}

async function usedMemory(admin: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))![1]);
}

async function timed(op: () => Promise<unknown>, into: number[]): Promise<void> {
  const t0 = performance.now();
  await op();
  into.push(performance.now() - t0);
}

async function fill(store: RedisStateStore, n: number, rand: () => number, keep: Map<number, Float32Array>, stride: number): Promise<void> {
  for (let start = 0; start < n; start += FILL_BATCH) {
    const batch: Array<Promise<void>> = [];
    for (let i = start; i < Math.min(n, start + FILL_BATCH); i++) {
      const vector = randomUnit(dim, rand);
      if (i % stride === 0) keep.set(i, vector);
      batch.push(store.store({ partition, exactKey: `k${i}`, vector, answer: answerFor(i), ttlSeconds: 3600, maxEntries: n }));
    }
    await Promise.all(batch);
  }
}

async function runLevel(url: string, admin: Redis, n: number): Promise<Row> {
  await admin.flushall();
  const memoryBefore = await usedMemory(admin);
  const config = redisSchema.parse({ url, op_timeout_ms: 5000, max_offline_queue: FILL_BATCH, breaker: { failures: 1_000_000 } });
  const store = new RedisStateStore(config, { lsh, bucketCap });
  const rand = mulberry32(n);
  const keep = new Map<number, Float32Array>();
  const t0 = performance.now();
  await fill(store, n, rand, keep, Math.max(1, Math.floor(n / lookups)));
  const fillSeconds = (performance.now() - t0) / 1000;
  const memoryBytesPerEntry = ((await usedMemory(admin)) - memoryBefore) / n;
  await admin.set('bench:get', JSON.stringify(answerFor(0)));

  const hitMs: number[] = [];
  const missMs: number[] = [];
  const getMs: number[] = [];
  const samples = [...keep];
  let found = 0;
  let foundAt095 = 0;
  let falseHits = 0;
  // Warm-up (script load, JIT), then counted phases with GETs interleaved so noise lands on both.
  for (const [i, v] of samples.slice(0, 500)) await store.lookup({ partition, exactKey: `w${i}`, vector: v, threshold: THRESHOLD });
  const before = await commandStats(admin);
  for (const [i, v] of samples) {
    const query = atCosine(v, 0.95 + 0.04 * rand(), rand);
    await timed(async () => {
      const hit = await store.lookup({ partition, exactKey: `q${i}`, vector: query, threshold: THRESHOLD });
      if (hit?.answer.storedAtMs === answerFor(i).storedAtMs) found++;
    }, hitMs);
    await timed(() => admin.get('bench:get'), getMs);
    await timed(async () => {
      if (await store.lookup({ partition, exactKey: `r${i}`, vector: randomUnit(dim, rand), threshold: THRESHOLD })) falseHits++;
    }, missMs);
    await timed(() => admin.get('bench:get'), getMs);
  }
  const after = await commandStats(admin);
  for (const [i, v] of samples) {
    const hit = await store.lookup({ partition, exactKey: `q${i}`, vector: atCosine(v, 0.95, rand), threshold: THRESHOLD });
    if (hit?.answer.storedAtMs === answerFor(i).storedAtMs) foundAt095++;
  }

  const pinMs: number[] = [];
  const pin = { model: 'org/model-8b', decision: 'default', priority: 1, lastUsedMs: Date.now() };
  await Promise.all(samples.map(([i]) => store.setPin(`conversation-${i}`, pin, 3600)));
  for (const [i] of samples) await timed(() => store.getPin(`conversation-${i}`, 3600), pinMs);
  await store.close();

  const lookupsDone = samples.length * 2;
  const delta = (cmd: string) => (after.get(cmd)?.calls ?? 0) - (before.get(cmd)?.calls ?? 0);
  const usecDelta = (after.get('evalsha')?.usec ?? 0) - (before.get('evalsha')?.usec ?? 0);
  return {
    entries: n,
    fillSeconds,
    memoryBytesPerEntry,
    hit: summarize(hitMs),
    miss: summarize(missMs),
    get: summarize(getMs),
    pin: summarize(pinMs),
    recall: found / samples.length,
    recallAt095: foundAt095 / samples.length,
    falseHits,
    // commandstats also counts the commands a script runs (HGET…): the round trips are the scripts.
    roundTripsPerLookup: (delta('evalsha') + delta('eval')) / lookupsDone,
    evalshaPerLookup: delta('evalsha') / lookupsDone,
    redisUsecPerLookup: usecDelta / Math.max(1, delta('evalsha')),
  };
}

const ms = (v: number) => v.toFixed(3);

function table(rows: Row[]): string {
  const lines = [
    '| entries | fill s | bytes/entry | hit p50 / p99 / p99.9 ms | miss p50 / p99 / p99.9 ms | GET p99 ms | hit p99 ÷ GET p99 | miss p99 ÷ GET p99 | GETEX pin p99 ms | recall U[.95,.99] | recall @.95 | false hits | round trips | Redis µs/lookup |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.entries} | ${r.fillSeconds.toFixed(1)} | ${Math.round(r.memoryBytesPerEntry)} | ${ms(r.hit.p50)} / ${ms(r.hit.p99)} / ${ms(r.hit.p999)} | ` +
        `${ms(r.miss.p50)} / ${ms(r.miss.p99)} / ${ms(r.miss.p999)} | ${ms(r.get.p99)} | ${(r.hit.p99 / r.get.p99).toFixed(1)} | ` +
        `${(r.miss.p99 / r.get.p99).toFixed(1)} | ${ms(r.pin.p99)} | ${r.recall.toFixed(3)} | ${r.recallAt095.toFixed(3)} | ${r.falseHits} | ` +
        `${r.roundTripsPerLookup.toFixed(2)} | ${r.redisUsecPerLookup.toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const server = await startRedisServer();
  const admin = new Redis(server.url);
  const rows: Row[] = [];
  try {
    for (const n of args.entries.split(',').map(Number)) {
      const row = await runLevel(server.url, admin, n);
      rows.push(row);
      console.log(`${n} entries done: hit p99 ${ms(row.hit.p99)} ms, miss p99 ${ms(row.miss.p99)} ms, recall ${row.recall.toFixed(3)}`);
    }
  } finally {
    admin.disconnect();
    await server.close();
  }
  const machine = describeMachine();
  console.log(`\n${machineLine(machine)}\nLSH: L=${lsh.tables} K=${lsh.bits} probes=${lsh.probes} cap=${bucketCap}, d=${dim}, threshold ${THRESHOLD}\n`);
  console.log(table(rows));
  const file = args.out ?? path.join(root, 'perf', 'results', resultFileName(new Date(), 'cache', 'json'));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ machine, lsh, bucketCap, dim, threshold: THRESHOLD, rows }, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

await main();
