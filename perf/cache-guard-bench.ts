// The cache guard's cost per semantic lookup, on a real redis-server (started here, loopback).
// One partition holds N entries with random 128-d vectors and realistic request texts
// (perf/guard-prompts.ts); each query is a vector at cosine 0.97 to one entry, with a text that
// paraphrases the entry's (the guard passes it) or nearly matches it (the guard rejects it).
// Measured interleaved in the same run:
//   plain    RedisStateStore.lookup, one candidate, no guard (what a semantic lookup cost before);
//   guarded  lookup of up to max_candidates candidates with their texts, then the guard until
//            one passes (what the request path does now);
//   guard    the guard's own CPU inside `guarded` (prepare the request text, then prepare and
//            compare each candidate's): the added cost, free of Redis noise.
//   node dist/perf/cache-guard-bench.js [--entries 10000] [--lookups 5000] [--datasets ../shared/datasets] [--out FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cacheGuardSchema, redisSchema } from '../src/config/schema/state.js';
import { GuardEngine } from '../src/state/cache-guard/index.js';
import { RedisStateStore } from '../src/state/redis.js';
import type { CachedAnswer, CachePartition } from '../src/state/types.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { atCosine, randomUnit } from '../test/helpers/vectors.js';
import { mulberry32 } from './arrivals.js';
import { loadPrompts, nearMissOf, paraphraseOf } from './guard-prompts.js';
import { describeMachine, machineLine, resultFileName } from './report.js';
import { summarize, type LatencySummary } from './stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

const { values: args } = parseArgs({
  options: {
    entries: { type: 'string', default: '10000' },
    lookups: { type: 'string', default: '5000' },
    datasets: { type: 'string', default: path.join(root, '..', 'shared', 'datasets') },
    out: { type: 'string' },
  },
});
const entries = Number(args.entries);
const lookups = Number(args.lookups);
const DIM = 128;
const THRESHOLD = 0.94;
const FILL_BATCH = 512;
const partition: CachePartition = { id: 'guard-bench', tenant: 'bench' };
const settings = cacheGuardSchema.parse({});
const guard = new GuardEngine(settings);

const answerFor = (i: number): CachedAnswer => ({ content: `answer ${i}: ${'lorem ipsum dolor sit amet '.repeat(8)}`, finishReason: 'stop', model: 'org/model-8b', storedAtMs: i });

interface Phase {
  plain: number[];
  guarded: number[];
  guard: number[];
  hits: number;
}

const newPhase = (): Phase => ({ plain: [], guarded: [], guard: [], hits: 0 });

/** The request path's semantic step: candidates from Redis, then the guard until one passes. */
async function guardedLookup(store: RedisStateStore, vector: Float32Array, text: string, exactKey: string): Promise<{ hit: boolean; guardMs: number }> {
  const found = await store.lookup({ partition, exactKey, vector, threshold: THRESHOLD, maxCandidates: settings.max_candidates });
  if (!found) return { hit: false, guardMs: 0 };
  const t0 = performance.now();
  const request = guard.prepare(text);
  let hit = false;
  for (const c of [found, ...(found.others ?? [])]) {
    if (c.text !== undefined && guard.compare(request, guard.prepare(c.text)).pass) {
      hit = true;
      break;
    }
  }
  return { hit, guardMs: performance.now() - t0 };
}

async function main(): Promise<void> {
  const { prompts, source } = loadPrompts(args.datasets);
  const server = await startRedisServer();
  const store = new RedisStateStore(redisSchema.parse({ url: server.url, op_timeout_ms: 5000, max_offline_queue: FILL_BATCH, breaker: { failures: 1_000_000 } }));
  const rand = mulberry32(13);
  const vectors: Float32Array[] = [];
  try {
    const t0 = performance.now();
    for (let start = 0; start < entries; start += FILL_BATCH) {
      const batch: Array<Promise<void>> = [];
      for (let i = start; i < Math.min(entries, start + FILL_BATCH); i++) {
        const vector = randomUnit(DIM, rand);
        vectors.push(vector);
        batch.push(store.store({ partition, exactKey: `k${i}`, vector, text: prompts[i % prompts.length]!, answer: answerFor(i), ttlSeconds: 3600, maxEntries: entries }));
      }
      await Promise.all(batch);
    }
    console.log(`filled ${entries} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s (${prompts.length} prompts from ${source})`);

    const phases = { paraphrase: newPhase(), near_miss: newPhase() };
    const run = async (counted: boolean, n: number) => {
      for (let q = 0; q < n; q++) {
        const i = Math.floor(rand() * entries);
        const kind = q % 2 === 0 ? 'paraphrase' : 'near_miss';
        const stored = prompts[i % prompts.length]!;
        const text = kind === 'paraphrase' ? paraphraseOf(stored) : nearMissOf(stored);
        const vector = atCosine(vectors[i]!, 0.97, rand);
        let t = performance.now();
        await store.lookup({ partition, exactKey: `p${q}`, vector, threshold: THRESHOLD });
        const plainMs = performance.now() - t;
        t = performance.now();
        const r = await guardedLookup(store, vector, text, `g${q}`);
        const guardedMs = performance.now() - t;
        if (!counted) continue;
        const phase = phases[kind];
        phase.plain.push(plainMs);
        phase.guarded.push(guardedMs);
        phase.guard.push(r.guardMs);
        if (r.hit) phase.hits++;
      }
    };
    await run(false, 500);
    await run(true, lookups);

    // The guard alone on every prompt pair, many times over: µs per check by prompt length.
    const pairs = prompts.flatMap((p) => [[p, paraphraseOf(p)], [p, nearMissOf(p)]] as const);
    const byLength = { short: [] as number[], long: [] as number[] };
    for (let round = 0; round < 20; round++) {
      for (const [stored, asked] of pairs) {
        const t = performance.now();
        guard.compare(guard.prepare(asked), guard.prepare(stored));
        (stored.length < 300 ? byLength.short : byLength.long).push(performance.now() - t);
      }
    }

    const us = (s: LatencySummary, k: 'mean' | 'p50' | 'p99') => (s[k] * 1000).toFixed(0);
    const rows = Object.entries(phases).map(([kind, p]) => {
      const plain = summarize(p.plain);
      const guarded = summarize(p.guarded);
      const g = summarize(p.guard);
      return { kind, lookups: p.plain.length, hitRate: p.hits / p.plain.length, plain, guarded, guard: g };
    });
    const lengths = Object.entries(byLength).map(([kind, xs]) => ({ kind, checks: xs.length, ...summarize(xs) }));
    const machine = describeMachine();
    console.log(`\n${machineLine(machine)}\n${entries} entries, 128-d, threshold ${THRESHOLD}, max_candidates ${settings.max_candidates}; prompts: ${source}\n`);
    console.log('| query text | lookups | served | plain lookup p50 / p99 µs | guarded lookup p50 / p99 µs | guard CPU mean / p50 / p99 µs |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(`| ${r.kind} | ${r.lookups} | ${(100 * r.hitRate).toFixed(1)}% | ${us(r.plain, 'p50')} / ${us(r.plain, 'p99')} | ${us(r.guarded, 'p50')} / ${us(r.guarded, 'p99')} | ${us(r.guard, 'mean')} / ${us(r.guard, 'p50')} / ${us(r.guard, 'p99')} |`);
    }
    console.log('\n| prompt length | checks | guard check mean / p50 / p99 µs |');
    console.log('|---|---|---|');
    for (const l of lengths) console.log(`| ${l.kind === 'short' ? '< 300 chars' : '≥ 300 chars'} | ${l.checks} | ${(l.mean * 1000).toFixed(0)} / ${(l.p50 * 1000).toFixed(0)} / ${(l.p99 * 1000).toFixed(0)} |`);
    const file = args.out ?? path.join(root, 'perf', 'results', resultFileName(new Date(), 'cache-guard', 'json'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ machine, entries, dim: DIM, threshold: THRESHOLD, prompts: source, rows, lengths }, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await store.close();
    await server.close();
  }
}

await main();
