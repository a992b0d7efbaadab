// Real transformer ops through the worker pool: the committed tiny BERT fixture
// (test/fixtures/models/tiny-bert, 2 layers, hidden 64: embeddings, LayerNormalization, attention
// with the mask bias, GELU FFN, as torch.onnx.export writes them; random weights) and the tiny
// shape in each export layout bench-models writes (Optimum, transformers.js with its quantized
// MatMulInteger graph, sentence-transformers). Shows (a) concurrent calls of different lengths each
// get their own result, equal to the in-thread one; (b) a budget shorter than a forced slow
// inference routes at once and counts a timeout and the dropped result; (c) a keyword-only
// evaluation is not held up by a long inference in flight (a ratio to the same evaluation with
// nothing running, in the same test, with a generous bound).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runEval } from '../../../src/cli/eval.js';
import { domainSignalSchema, keywordSignalSchema } from '../../../src/config/schema/signals.js';
import {
  inferenceCallCounts,
  loadModel,
  PooledSession,
  withDefaults,
  type ClassifierHandle,
  type ClassifyResult,
  type EmbedderHandle,
  type ModelHandle,
  type ModelSpecInput,
} from '../../../src/inference/index.js';
import { domainSignal } from '../../../src/signals/classifier.js';
import { keywordSignal } from '../../../src/signals/keyword.js';
import { runSignal } from '../../../src/signals/run.js';
import type { Signal } from '../../../src/signals/types.js';
import { writeShape } from '../../../tools/models/bench-models.js';
import { keywordLatencyMedian } from '../../helpers/keyword-latency.js';
import { until } from '../../helpers/until.js';
import { userRequest as ir } from '../../helpers/routing-request.js';

const TINY = path.resolve('test/fixtures/models/tiny-bert');
const open: ModelHandle[] = [];
async function load<T extends ModelHandle>(spec: ModelSpecInput): Promise<T> {
  const h = await loadModel(withDefaults({ timeoutMs: 30_000, ...spec }));
  open.push(h);
  return h as T;
}
const TEXTS = [
  'hi',
  'How do I reverse a linked list in Python?',
  `${'The committee reviewed the quarterly figures and the forecast for next year. '.repeat(12)}What changed?`,
  'Explain the second law of thermodynamics',
  `${'word '.repeat(200)}end`,
];

let layouts: string;
beforeAll(() => {
  layouts = mkdtempSync(path.join(os.tmpdir(), 'semroute-tiny-layouts-'));
  writeShape(layouts, 'tiny');
});
afterAll(async () => {
  await Promise.all(open.map((h) => h.close()));
  rmSync(layouts, { recursive: true, force: true });
});

describe('the tiny transformer fixture in the worker pool', () => {
  let inThread: ClassifierHandle;
  let pooled: ClassifierHandle;
  beforeAll(async () => {
    inThread = await load<ClassifierHandle>({ name: 'tiny-ref', path: TINY, task: 'sequence-classification', workers: 0 });
    pooled = await load<ClassifierHandle>({ name: 'tiny-pooled', path: TINY, task: 'sequence-classification', workers: 1 });
  }, 60_000);

  test('(a) concurrent calls of different lengths each get their own result, equal to the in-thread one', async () => {
    expect(pooled.session).toBeInstanceOf(PooledSession);
    const texts = Array.from({ length: 40 }, (_, i) => TEXTS[i % TEXTS.length]!.slice(0, 10 + ((i * 37) % 400)));
    const expected: ClassifyResult[] = [];
    for (const t of texts) expected.push(await inThread.classify(t));
    const before = pooled.stats().batches;
    const together = await Promise.all(texts.map((t) => pooled.classify(t)));
    expect(pooled.stats().batches - before).toBeLessThan(texts.length); // they were batched
    // Different inputs give different distributions (the graph is not constant), and each call got its own.
    expect(new Set(expected.map((r) => r.distribution[pooled.labels[0]!]!.toFixed(6))).size).toBeGreaterThan(3);
    together.forEach((r, i) => {
      for (const l of pooled.labels) expect(r.distribution[l]).toBeCloseTo(expected[i]!.distribution[l]!, 4);
    });
  }, 60_000);

  test('a transformer batches at most 512 padded tokens by default: long calls run alone, short ones together', async () => {
    const long = Array.from({ length: 6 }, (_, i) => `${'word '.repeat(300)} ${i}`);
    const short = Array.from({ length: 6 }, (_, i) => `short question ${i}`);
    let before = pooled.stats().batches;
    await Promise.all(long.map((t) => pooled.classify(t)));
    expect(pooled.stats().batches - before).toBe(long.length);
    before = pooled.stats().batches;
    await Promise.all(short.map((t) => pooled.classify(t)));
    expect(pooled.stats().batches - before).toBeLessThan(short.length);
  }, 30_000);

  test('(b) a budget shorter than a forced slow inference routes within it; the timeout and the dropped result are counted', async () => {
    const req = ir('How do I reverse a linked list in Python?');
    const label = (await pooled.classify('How do I reverse a linked list in Python?')).label;
    const signal: Signal = { ...domainSignal(domainSignalSchema.parse({ name: 'tiny', labels: [label], threshold: 0 }), pooled), budgetMs: 50 };
    expect((await runSignal(signal, req)).matched).toBe(true);
    const pool = (pooled.session as PooledSession).pool;
    const before = { timeout: 0, dropped: 0, ...inferenceCallCounts().get('tiny-pooled') };
    pool.runDelayMs = 1500;
    try {
      const t0 = performance.now();
      const r = await runSignal(signal, req);
      const elapsed = performance.now() - t0;
      expect(r).toMatchObject({ matched: false, error: 'no answer within 50 ms' });
      expect(elapsed).toBeLessThan(1000); // the run takes 1.5 s; routing did not wait for it
      expect(inferenceCallCounts().get('tiny-pooled')?.timeout).toBe(before.timeout + 1);
    } finally {
      pool.runDelayMs = 0;
    }
    await until(() => inferenceCallCounts().get('tiny-pooled')?.dropped === before.dropped + 1, 10_000, 'the dropped result');
  }, 30_000);

  test('(c) a keyword-only evaluation is not held up by a long inference in flight', async () => {
    const keyword = keywordSignal(keywordSignalSchema.parse({ name: 'kw', any: ['python', 'linked list'] }));
    const req = ir(`How do I reverse a linked list in Python? ${'Some context. '.repeat(50)}`);
    const samples = () => keywordLatencyMedian(keyword, req);
    await samples(); // warm
    const idle = await samples();
    const pool = (pooled.session as PooledSession).pool;
    pool.runDelayMs = 1000;
    let busy: number;
    try {
      let done = false;
      const slow = pooled.classify(TEXTS[2]!).finally(() => (done = true));
      await until(() => pool.stats().inFlight > 0, 10_000, 'the inference in flight');
      busy = await samples();
      expect(done).toBe(false); // measured while the inference ran
      await expect(slow).resolves.toHaveProperty('label');
    } finally {
      pool.runDelayMs = 0;
    }
    process.stderr.write(`transformer-fixture.test: keyword median ${idle.toFixed(3)} ms idle, ${busy.toFixed(3)} ms during inference\n`);
    expect(busy / Math.max(idle, 0.01)).toBeLessThan(10);
  }, 30_000);
});

describe('the tiny shape in each export layout, through the workers', () => {
  test('Optimum root and transformers.js onnx/ load the same graph; the quantized variant (MatMulInteger) runs', async () => {
    const root = await load<ClassifierHandle>({ name: 'tiny-optimum', path: path.join(layouts, 'tiny-classifier'), task: 'sequence-classification', workers: 1 });
    const tjs = await load<ClassifierHandle>({ name: 'tiny-tjs', path: path.join(layouts, 'tiny-classifier-tjs'), task: 'sequence-classification', workers: 1 });
    const q = await load<ClassifierHandle>({ name: 'tiny-q', path: path.join(layouts, 'tiny-classifier-tjs'), task: 'sequence-classification', variant: 'quantized', workers: 1 });
    for (const t of TEXTS) {
      const a = await root.classify(t);
      const b = await tjs.classify(t);
      for (const l of root.labels) expect(b.distribution[l]).toBeCloseTo(a.distribution[l]!, 5);
      const c = await q.classify(t);
      expect(Object.values(c.distribution).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 4);
    }
    expect(root.labels).toHaveLength(14);
  }, 60_000);

  test.each(['tiny-classifier', 'tiny-classifier-tjs'])('semroute eval runs on the %s layout', async (folder) => {
    const dir = path.join(layouts, folder);
    const ref = await load<ClassifierHandle>({ name: `tiny-eval-${folder}`, path: dir, task: 'sequence-classification', workers: 0 });
    // Labelled with the model's own answers: eval must load the same graph and agree on every row.
    const rows = await Promise.all(TEXTS.map(async (text) => ({ text, label: (await ref.classify(text)).label })));
    const dataset = path.join(layouts, `${folder}.jsonl`);
    writeFileSync(dataset, rows.map((r) => JSON.stringify(r)).join('\n'));
    let stdout = '';
    let stderr = '';
    const code = await runEval(['--model', dir, '--dataset', dataset, '--json'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ count: TEXTS.length, accuracy: 1 });
  }, 60_000);

  test('sentence-transformers: mean pooling and 2_Normalize from the modules, max_seq_length caps the input', async () => {
    const emb = await load<EmbedderHandle>({ name: 'tiny-st', path: path.join(layouts, 'tiny-embedding'), task: 'embedding', workers: 1 });
    expect(emb.dimensions).toBe(64);
    const v = await emb.embed('How do I reverse a linked list in Python?');
    expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    expect(emb.tokenizer.maxLength).toBe(512);
    const w = await emb.embed('The committee reviewed the quarterly figures');
    expect(w.some((x, i) => Math.abs(x - v[i]!) > 1e-3)).toBe(true);
  }, 60_000);
});
