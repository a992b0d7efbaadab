// Real onnxruntime sessions over tiny generated models (fixtures/tiny-model.ts): loading, the
// three task heads, batching fidelity, overload, timeout, token_type_ids, renamed outputs.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { rm } from 'node:fs/promises';
import { loadModel, withDefaults, type ClassifierHandle, type EmbedderHandle, type TokenClassifierHandle } from '../../../src/inference/index.js';
import { writeTinyModel } from './fixtures/tiny-model.js';

const WORDS = ['hello', 'world', 'code', 'python', 'bug', 'fix', 'cake', 'bake', 'sugar', 'john', 'smith', 'paris', 'lives', 'in', 'jo', '##hn', 'cafe'];
// Class 0 = coding, class 1 = cooking.
const CLS_WEIGHTS: Record<string, number[]> = { code: [3, 0], python: [3, 0], bug: [2, 0], fix: [1, 0], cake: [0, 3], bake: [0, 3], sugar: [0, 2] };
// Token labels: O, B-PER, I-PER, B-LOC.
const TOK_WEIGHTS: Record<string, number[]> = { john: [0, 5, 0, 0], smith: [0, 0, 5, 0], paris: [0, 0, 0, 5], jo: [0, 5, 0, 0], '##hn': [0, 0, 0, 0] };
const dirs: string[] = [];

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: keeps the event loop from running timers or I/O callbacks
  }
}

async function tiny(task: 'sequence-classification' | 'token-classification' | 'embedding', extra: object = {}) {
  const labels = task === 'sequence-classification' ? ['coding', 'cooking'] : task === 'token-classification' ? ['O', 'B-PER', 'I-PER', 'B-LOC'] : [];
  const width = task === 'embedding' ? 3 : labels.length;
  const weights = (t: string): number[] => {
    if (task === 'sequence-classification') return CLS_WEIGHTS[t] ?? [0, 0];
    if (task === 'token-classification') return TOK_WEIGHTS[t] ?? [3, 0, 0, 0];
    return [t.length, WORDS.indexOf(t) + 1, 1];
  };
  const dir = await writeTinyModel({ task, words: WORDS, labels, weights, width, ...extra });
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('sequence classification', () => {
  let model: ClassifierHandle;
  beforeAll(async () => {
    model = (await loadModel(withDefaults({ name: 'tiny-cls', path: await tiny('sequence-classification'), task: 'sequence-classification' }))) as ClassifierHandle;
  });
  afterAll(() => model.close());

  test('classifies with a softmax distribution over id2label', async () => {
    const r = await model.classify('Fix the Python bug');
    expect(r.label).toBe('coding');
    expect(r.distribution.coding! + r.distribution.cooking!).toBeCloseTo(1, 6);
    expect(r.confidence).toBeCloseTo(1 / (1 + Math.exp(-6)), 5);
    expect((await model.classify('bake a cake with sugar')).label).toBe('cooking');
  });
});

describe('token classification', () => {
  let model: TokenClassifierHandle;
  beforeAll(async () => {
    model = (await loadModel(withDefaults({ name: 'tiny-tok', path: await tiny('token-classification'), task: 'token-classification' }))) as TokenClassifierHandle;
  });
  afterAll(() => model.close());

  test('spans carry offsets into the original text (case and accents kept)', async () => {
    const text = 'JOHN Smith lives in Páris';
    const spans = await model.tokens(text);
    expect(spans.map((s) => [s.label, s.text, s.start, s.end])).toEqual([
      ['PER', 'JOHN Smith', 0, 10],
      ['LOC', 'Páris', 20, 25],
    ]);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  test('a ## continuation joins its word', async () => {
    // "johnx" is not in the vocabulary; WordPiece gives jo ##hn ... ; here "jo" + "##hn".
    const spans = await model.tokens('Hello JOHN, hello jOhN');
    expect(spans.map((s) => s.text)).toEqual(['JOHN', 'jOhN']);
  });
});

describe('embedding', () => {
  test('mean pooling over the mask, L2-normalised; Matryoshka re-normalises', async () => {
    const path = await tiny('embedding');
    const full = (await loadModel(withDefaults({ name: 'emb', path, task: 'embedding' }))) as EmbedderHandle;
    const short = (await loadModel(withDefaults({ name: 'emb2', path, task: 'embedding', dimensions: 2 }))) as EmbedderHandle;
    try {
      const v = await full.embed('code cake');
      expect(full.dimensions).toBe(3);
      // Rows: [CLS]=[5,0,1], code=[4,3,1], cake=[4,7,1], [SEP]=[5,0,1] → mean [4.5,2.5,1].
      const mean = [4.5, 2.5, 1];
      const norm = Math.hypot(...mean);
      expect([...v].map((x) => x.toFixed(5))).toEqual(mean.map((x) => (x / norm).toFixed(5)));
      const w = await short.embed('code cake');
      expect(w.length).toBe(2);
      expect(Math.hypot(...w)).toBeCloseTo(1, 6);
      expect(w[0]! / w[1]!).toBeCloseTo(4.5 / 2.5, 5);
    } finally {
      await full.close();
      await short.close();
    }
  });
});

describe('embedding spec checks', () => {
  test('dimensions beyond the model size is a load error; closing twice is safe', async () => {
    const path = await tiny('embedding');
    await expect(loadModel(withDefaults({ name: 'big', path, task: 'embedding', dimensions: 8 }))).rejects.toThrow(
      "model big: dimensions 8 exceeds the model's embedding size 3",
    );
    const model = await loadModel(withDefaults({ name: 'ok', path, task: 'embedding' }));
    await Promise.all([model.close(), model.close()]);
    await expect(model.close()).resolves.toBeUndefined();
  });
});

describe('batching, bounds and providers on a real session', () => {
  test('interleaved concurrent calls of different lengths each get their own result', async () => {
    const path = await tiny('sequence-classification');
    const batched = (await loadModel(withDefaults({ name: 'b', path, task: 'sequence-classification', batching: { maxBatchSize: 8, maxWaitUs: 5000 } }))) as ClassifierHandle;
    const texts = Array.from({ length: 40 }, (_, i) =>
      i % 3 === 0 ? 'code '.repeat(1 + (i % 7)) + 'cake' : i % 3 === 1 ? 'bake sugar cake '.repeat(1 + (i % 5)) + 'bug' : 'hello world',
    );
    try {
      const alone: number[] = [];
      for (const t of texts) alone.push((await batched.classify(t)).distribution.coding!);
      const before = batched.stats().batches;
      const together = await Promise.all(texts.map((t) => batched.classify(t)));
      together.forEach((r, i) => expect(r.distribution.coding).toBeCloseTo(alone[i]!, 5));
      // 40 calls in batches of at most 8: at least 5 runs and far fewer than 40.
      const runs = batched.stats().batches - before;
      expect(runs).toBeGreaterThanOrEqual(5);
      expect(runs).toBeLessThan(40);
    } finally {
      await batched.close();
    }
  });

  test('beyond maxQueue calls are refused with code overloaded, the rest succeed', async () => {
    const model = (await loadModel(
      withDefaults({ name: 'q', path: await tiny('sequence-classification'), task: 'sequence-classification', batching: { maxBatchSize: 2, maxWaitUs: 1000, maxQueue: 4 } }),
    )) as ClassifierHandle;
    try {
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => model.classify('fix the bug')));
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) expect((r).reason).toMatchObject({ code: 'overloaded' });
      expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(4);
    } finally {
      await model.close();
    }
  });

  test('a call whose budget runs out gets code timeout, not a hang', async () => {
    const model = (await loadModel(
      withDefaults({ name: 't', path: await tiny('sequence-classification'), task: 'sequence-classification', timeoutMs: 1 }),
    )) as ClassifierHandle;
    try {
      const call = model.classify('fix the bug');
      // Hold the event loop past the budget: the timer is due before the run can report back.
      blockFor(10);
      await expect(call).rejects.toMatchObject({ code: 'timeout' });
    } finally {
      await model.close();
    }
  });

  test('after close, calls are refused with code closed', async () => {
    const model = (await loadModel(withDefaults({ name: 'c', path: await tiny('sequence-classification'), task: 'sequence-classification' }))) as ClassifierHandle;
    await model.close();
    await expect(model.classify('x')).rejects.toMatchObject({ code: 'closed' });
  });

  test('cuda on a machine without it falls back to cpu with a warning; required fails clearly', async () => {
    const path = await tiny('sequence-classification');
    const warnings: [string, Record<string, unknown> | undefined][] = [];
    const logger = { info: () => {}, warn: (msg: string, f?: Record<string, unknown>) => void warnings.push([msg, f]) };
    const model = (await loadModel(withDefaults({ name: 'gpu', path, task: 'sequence-classification', provider: { kind: 'cuda' } }), { logger })) as ClassifierHandle;
    try {
      expect(model.provider).toMatchObject({ asked: 'cuda', used: 'cpu' });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]![1]).toMatchObject({ model: 'gpu', asked: 'cuda', used: 'cpu' });
      expect((await model.classify('python code')).label).toBe('coding');
    } finally {
      await model.close();
    }
    await expect(
      loadModel(withDefaults({ name: 'gpu', path, task: 'sequence-classification', provider: { kind: 'cuda', required: true } }), { logger }),
    ).rejects.toThrow(/model gpu: provider cuda is required but unavailable/);
  });

  test('token_type_ids is fed when the model asks for it; a renamed output is taken as the first', async () => {
    const model = (await loadModel(
      withDefaults({ name: 'tt', path: await tiny('sequence-classification', { tokenTypeIds: true, logitsName: 'output_0' }), task: 'sequence-classification' }),
    )) as ClassifierHandle;
    try {
      expect(model.session.inputNames).toContain('token_type_ids');
      expect((await model.classify('bake a cake')).label).toBe('cooking');
    } finally {
      await model.close();
    }
  });

  test('truncation keeps [SEP] and respects the smallest limit', async () => {
    const model = (await loadModel(
      withDefaults({ name: 'tr', path: await tiny('sequence-classification', { modelMaxLength: 64 }), task: 'sequence-classification', maxLength: 100 }),
    )) as ClassifierHandle;
    try {
      expect(model.maxLength).toBe(64);
      const enc = model.tokenizer.encode('cake '.repeat(200));
      expect(enc.ids).toHaveLength(64);
      expect(enc.tokens[0]).toBe('[CLS]');
      expect(enc.tokens[63]).toBe('[SEP]');
      // Text past the cap does not count: 62 cake tokens, then code that is cut away.
      expect((await model.classify('cake '.repeat(62) + 'code '.repeat(200))).label).toBe('cooking');
    } finally {
      await model.close();
    }
  });
});

describe('loading', () => {
  test('a classifier spec over an embedding folder is refused: config.json has no id2label', async () => {
    await expect(loadModel(withDefaults({ name: 'x', path: await tiny('embedding'), task: 'sequence-classification' }))).rejects.toThrow(
      'model x: config.json: "id2label" is missing or not an object',
    );
  });
});
