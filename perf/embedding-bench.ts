// The cache embedder's cost per call: the shipped order-aware model (models/embedding) against the
// previous architecture (the masked mean of token vectors, one Gather), built here with a table of
// the same shape, in the same run, rounds alternating so machine noise lands on both.
//   node dist/perf/embedding-bench.js [--seconds 3] [--rounds 3]
// Rows: session.run alone (µs per text at batch 1 and 32, tokens already encoded) and the handle
// (tokenize + micro-batch + run + pool) at concurrency 1 and 64. Writes perf/results/embedding-<date>.json.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildFeeds } from '../src/inference/feeds.js';
import { loadModel, type EmbedderHandle } from '../src/inference/model.js';
import { withDefaults } from '../src/inference/types.js';
import { embeddingOnnx } from '../tools/models/embedding-graph.js';
import { createRng } from '../tools/models/prng.js';
import { percentile } from './load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const SHIPPED = path.join(root, 'models', 'embedding');
const VOCAB = 12000;
const DIM = 128;
const TEXTS = [
  'What is the capital of France?',
  'Convert 10 km to miles',
  'Why does this python function raise a KeyError when the dict is empty?',
  'Summarise the plot of Hamlet in two sentences, then compare it with Macbeth.',
  'A car travels 60 km in 45 minutes. What is its average speed in km/h, and how long would 200 km take at that speed?',
];

/** The previous default: Gather + masked mean + L2 norm, over a random table of the shipped shape. */
function oldModelDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-old-embedding-'));
  const rng = createRng(7);
  const table = Float32Array.from({ length: VOCAB * DIM }, () => rng() - 0.5);
  for (let k = 0; k < 5 * DIM; k++) table[k] = 0;
  writeFileSync(path.join(dir, 'model.onnx'), embeddingOnnx(table, VOCAB, DIM, { producerName: 'semroute-perf' }));
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'config.json']) copyFileSync(path.join(SHIPPED, f), path.join(dir, f));
  return dir;
}

async function sessionMicros(h: EmbedderHandle, batch: number, seconds: number): Promise<number> {
  const encoded = TEXTS.map((t) => h.tokenizer.encode(t));
  const feeds = encoded.map((e) => buildFeeds(Array.from({ length: batch }, () => e), h.session.inputNames, 0).feeds);
  let items = 0;
  const start = performance.now();
  for (let i = 0; performance.now() - start < seconds * 1000; i++) {
    await h.session.run(feeds[i % feeds.length]!, h.session.outputNames.slice(0, 1));
    items += batch;
  }
  return ((performance.now() - start) * 1000) / items;
}

async function handleLoop(h: EmbedderHandle, concurrency: number, seconds: number): Promise<{ rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let n = 0;
  const start = performance.now();
  const worker = async () => {
    while (performance.now() - start < seconds * 1000) {
      // A different text each call: the tokenizer memoises recent texts.
      const text = `${TEXTS[n % TEXTS.length]!} (${n++})`;
      const t0 = performance.now();
      await h.embed(text);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const sorted = Float64Array.from(latencies).sort();
  return { rps: latencies.length / ((performance.now() - start) / 1000), p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

interface Figures {
  batch1Us: number;
  batch32Us: number;
  c1: { rps: number; p50: number; p99: number };
  c64: { rps: number; p50: number; p99: number };
}

async function measure(h: EmbedderHandle, seconds: number): Promise<Figures> {
  return {
    batch1Us: await sessionMicros(h, 1, seconds),
    batch32Us: await sessionMicros(h, 32, seconds),
    c1: await handleLoop(h, 1, seconds),
    c64: await handleLoop(h, 64, seconds),
  };
}

function mean(runs: Figures[]): Figures {
  const avg = (f: (x: Figures) => number) => runs.reduce((a, x) => a + f(x), 0) / runs.length;
  const loop = (k: 'c1' | 'c64') => ({ rps: avg((x) => x[k].rps), p50: avg((x) => x[k].p50), p99: avg((x) => x[k].p99) });
  return { batch1Us: avg((x) => x.batch1Us), batch32Us: avg((x) => x.batch32Us), c1: loop('c1'), c64: loop('c64') };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, rounds: { type: 'string', default: '3' } } });
  const seconds = Number(values.seconds);
  const rounds = Math.max(1, Number(values.rounds));
  const oldDir = oldModelDir();
  const spec = (name: string, dir: string) => withDefaults({ name, path: dir, task: 'embedding', batching: { maxBatchSize: 32, maxQueue: 1024 }, timeoutMs: 60_000 });
  const models = { old: (await loadModel(spec('old', oldDir))) as EmbedderHandle, new: (await loadModel(spec('new', SHIPPED))) as EmbedderHandle };
  const runs: Record<'old' | 'new', Figures[]> = { old: [], new: [] };
  try {
    for (const h of Object.values(models)) await measure(h, Math.min(1, seconds)); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const name of r % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const)) {
        runs[name].push(await measure(models[name], seconds));
        process.stderr.write(`round ${r + 1} ${name}: ${JSON.stringify(runs[name].at(-1))}\n`);
      }
    }
  } finally {
    await Promise.all(Object.values(models).map((h) => h.close()));
    rmSync(oldDir, { recursive: true, force: true });
  }
  const old = mean(runs.old);
  const now = mean(runs.new);
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const lines = [
    '| embedder | session.run µs/text, batch 1 | batch 32 | handle c=1 rps (p50 ms) | handle c=64 rps (p99 ms) |',
    '|---|---|---|---|---|',
    ...([['old (mean of token vectors)', old], ['new (token vectors + order bindings)', now]] as const).map(
      ([label, f]) => `| ${label} | ${f.batch1Us.toFixed(1)} | ${f.batch32Us.toFixed(2)} | ${f.c1.rps.toFixed(0)} (${f.c1.p50.toFixed(3)}) | ${f.c64.rps.toFixed(0)} (${f.c64.p99.toFixed(2)}) |`,
    ),
    `| new / old | ${ratio(now.batch1Us, old.batch1Us)} | ${ratio(now.batch32Us, old.batch32Us)} | ${ratio(now.c1.rps, old.c1.rps)} | ${ratio(now.c64.rps, old.c64.rps)} |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const outDir = path.join(root, 'perf', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `embedding-${new Date().toISOString().slice(0, 10)}.json`);
  const meta = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg: os.loadavg(), seconds, rounds };
  writeFileSync(file, `${JSON.stringify({ ...meta, old, new: now, runs }, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
