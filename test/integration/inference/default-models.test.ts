// The default models in models/ (trained by scripts in models/): they load through the registry,
// classify their held-out sets above a floor, batch without mixing callers up, and degrade with
// coded errors. Skipped, with a note, while the models have not been built into models/.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runEval } from '../../../src/cli/eval.js';
import { loadModel, withDefaults, type ClassifierHandle, type ClassifyResult, type EmbedderHandle, type ModelHandle } from '../../../src/inference/index.js';

const MODELS = path.resolve('models');
const NAMES = ['domain-classifier', 'jailbreak-detector', 'embedding'];
const present = NAMES.every((n) => existsSync(path.join(MODELS, n, 'model.onnx')));
if (!present) process.stderr.write(`default-models.test: skipped, models not built in ${MODELS}\n`);
const suite = present ? describe : describe.skip;

// Accuracy floors on heldout.jsonl (first HELDOUT_LIMIT lines); training reported 0.81 and 0.98.
const FLOORS: Record<string, number> = { 'domain-classifier': 0.75, 'jailbreak-detector': 0.95 };
const HELDOUT_LIMIT = 400;

function heldout(name: string): { text: string; label: string }[] {
  return readFileSync(path.join(MODELS, name, 'heldout.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, HELDOUT_LIMIT)
    .map((l) => JSON.parse(l) as { text: string; label: string });
}

suite('default models', () => {
  const models = new Map<string, ModelHandle>();
  const classifier = (name: string) => models.get(name) as ClassifierHandle;
  beforeAll(async () => {
    const specs = [
      { name: 'domain', path: path.join(MODELS, 'domain-classifier'), task: 'sequence-classification' as const, batching: { maxBatchSize: 16, maxWaitUs: 2000, maxQueue: 1024 }, timeoutMs: 30_000 },
      { name: 'jailbreak', path: path.join(MODELS, 'jailbreak-detector'), task: 'sequence-classification' as const, batching: { maxQueue: 1024 }, timeoutMs: 30_000 },
      { name: 'embedding', path: path.join(MODELS, 'embedding'), task: 'embedding' as const, timeoutMs: 30_000 },
    ];
    for (const spec of specs) models.set(spec.name, await loadModel(withDefaults(spec)));
  }, 120_000);
  afterAll(() => Promise.all([...models.values()].map((m) => m.close())));

  test.each([
    ['domain', 'domain-classifier'],
    ['jailbreak', 'jailbreak-detector'],
  ])('%s classifies heldout.jsonl above its floor', async (name, folder) => {
    const model = classifier(name);
    const rows = heldout(folder);
    const results = await Promise.all(rows.map((r) => model.classify(r.text)));
    const correct = results.filter((r, i) => r.label === rows[i]!.label).length;
    for (const r of results) expect(Object.values(r.distribution).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(correct / rows.length).toBeGreaterThanOrEqual(FLOORS[folder]!);
  }, 120_000);

  test('interleaved concurrent calls of different lengths get the results of one-at-a-time calls', async () => {
    const model = classifier('domain');
    const texts = heldout('domain-classifier')
      .slice(0, 48)
      .map((r, i) => (i % 4 === 0 ? `${r.text} ${r.text} ${r.text}` : r.text));
    const alone: ClassifyResult[] = [];
    for (const t of texts) alone.push(await model.classify(t));
    const before = model.stats().batches;
    const together = await Promise.all(texts.map((t) => model.classify(t)));
    expect(model.stats().batches - before).toBeLessThan(texts.length);
    together.forEach((r, i) => {
      expect(r.label).toBe(alone[i]!.label);
      for (const l of model.labels) expect(r.distribution[l]).toBeCloseTo(alone[i]!.distribution[l]!, 3);
    });
  }, 120_000);

  test('embeddings are unit length, stable under batching, and closer for related texts', async () => {
    const model = (models.get('embedding') as EmbedderHandle);
    const texts = ['How do I fix a segfault in my C program?', 'My C code crashes with a segmentation fault', 'Best recipe for chocolate cake'];
    const alone: Float32Array[] = [];
    for (const t of texts) alone.push(await model.embed(t));
    const together = await Promise.all(texts.map((t) => model.embed(t)));
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    for (const [i, v] of together.entries()) {
      expect(v).toHaveLength(model.dimensions);
      expect(dot(v, v)).toBeCloseTo(1, 4);
      expect(dot(v, alone[i]!)).toBeCloseTo(1, 3);
    }
    expect(dot(together[0]!, together[1]!)).toBeGreaterThan(dot(together[0]!, together[2]!));
  }, 60_000);

  test('a burst beyond maxQueue is refused with overloaded; a tiny budget gives timeout', async () => {
    const spec = { name: 'small-queue', path: path.join(MODELS, 'domain-classifier'), task: 'sequence-classification' as const };
    const small = (await loadModel(withDefaults({ ...spec, batching: { maxBatchSize: 4, maxQueue: 8 }, timeoutMs: 30_000 }))) as ClassifierHandle;
    try {
      const results = await Promise.allSettled(Array.from({ length: 64 }, (_, i) => small.classify(`question number ${i}`)));
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused.length).toBeGreaterThan(0);
      expect(new Set(refused.map((r) => (r.reason as { code: string }).code))).toEqual(new Set(['overloaded']));
    } finally {
      await small.close();
    }
    const hurried = (await loadModel(withDefaults({ ...spec, timeoutMs: 1 }))) as ClassifierHandle;
    try {
      const call = hurried.classify('what is the capital of France?');
      // Hold the event loop past the budget: the timer is due before the run can report back.
      const until = performance.now() + 10;
      while (performance.now() < until) {
        // busy
      }
      await expect(call).rejects.toMatchObject({ code: 'timeout' });
    } finally {
      await hurried.close();
    }
  }, 60_000);

  test('cuda falls back to cpu with a warning here; required: true fails with a clear error', async () => {
    const warnings: string[] = [];
    const logger = { info: () => {}, warn: (msg: string, f?: Record<string, unknown>) => void warnings.push(`${msg} ${JSON.stringify(f)}`) };
    const spec = { name: 'jb-gpu', path: path.join(MODELS, 'jailbreak-detector'), task: 'sequence-classification' as const };
    const model = (await loadModel(withDefaults({ ...spec, provider: { kind: 'cuda' } }), { logger })) as ClassifierHandle;
    try {
      expect(model.provider).toMatchObject({ asked: 'cuda', used: 'cpu' });
      expect(warnings.join('\n')).toMatch(/falling back to cpu .*"asked":"cuda"/);
      expect(model.labels).toContain((await model.classify('hello there')).label);
    } finally {
      await model.close();
    }
    await expect(loadModel(withDefaults({ ...spec, provider: { kind: 'cuda', required: true } }), { logger })).rejects.toThrow(
      /model jb-gpu: provider cuda is required but unavailable/,
    );
  }, 60_000);

  test('semroute eval --json reports accuracy, per-class metrics and the confusion matrix', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runEval(['--model', 'jailbreak-detector', '--dataset', path.join(MODELS, 'jailbreak-detector', 'heldout.jsonl'), '--json'], {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(stdout);
    expect(report.accuracy).toBeGreaterThanOrEqual(FLOORS['jailbreak-detector']!);
    expect(report.labels.length).toBeGreaterThanOrEqual(2);
    expect(report.confusion).toHaveLength(report.labels.length);
    expect(report.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(report.count);
    for (const l of report.labels) expect(Object.keys(report.per_class[l])).toEqual(['precision', 'recall', 'f1', 'support']);
  }, 120_000);
});
