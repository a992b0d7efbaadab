// The committed default models, run directly through onnxruntime-node with their own tokenizer
// files. Never prints prompt text (the jailbreak held-out set contains jailbreak prompts).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';

const MODELS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models');
const MAX_LENGTH = 512;
const BATCH = 32;

function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

class LoadedModel {
  private constructor(
    readonly session: ort.InferenceSession,
    readonly tokenizer: Tokenizer,
    readonly config: any,
  ) {}

  static async load(name: string): Promise<LoadedModel> {
    const dir = join(MODELS, name);
    const tokenizer = new Tokenizer(readJson(join(dir, 'tokenizer.json')), readJson(join(dir, 'tokenizer_config.json')));
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    return new LoadedModel(session, tokenizer, readJson(join(dir, 'config.json')));
  }

  ids(text: string): number[] {
    const ids = this.tokenizer.encode(text, { add_special_tokens: true }).ids;
    return ids.length <= MAX_LENGTH ? ids : [...ids.slice(0, MAX_LENGTH - 1), 3];
  }

  /** Right-padded batch, as a runtime would send it. */
  async run(texts: readonly string[]): Promise<ort.InferenceSession.ReturnType> {
    const seqs = texts.map((t) => this.ids(t));
    const width = Math.max(...seqs.map((s) => s.length));
    const ids = new BigInt64Array(seqs.length * width);
    const mask = new BigInt64Array(seqs.length * width);
    seqs.forEach((seq, b) =>
      seq.forEach((id, i) => {
        ids[b * width + i] = BigInt(id);
        mask[b * width + i] = 1n;
      }),
    );
    return this.session.run({
      input_ids: new ort.Tensor('int64', ids, [seqs.length, width]),
      attention_mask: new ort.Tensor('int64', mask, [seqs.length, width]),
    });
  }

  async predict(texts: readonly string[]): Promise<string[]> {
    const labels: string[] = [];
    for (let start = 0; start < texts.length; start += BATCH) {
      const { logits } = await this.run(texts.slice(start, start + BATCH));
      const [rows, classes] = logits!.dims as [number, number];
      const data = logits!.data as Float32Array;
      for (let r = 0; r < rows; r++) {
        let best = 0;
        for (let c = 1; c < classes; c++) if (data[r * classes + c]! > data[r * classes + best]!) best = c;
        labels.push(this.config.id2label[String(best)]);
      }
    }
    return labels;
  }
}

function heldout(name: string): { text: string; label: string }[] {
  return readFileSync(join(MODELS, name, 'heldout.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

const models: Record<string, LoadedModel> = {};

beforeAll(async () => {
  for (const name of ['domain-classifier', 'jailbreak-detector', 'embedding']) models[name] = await LoadedModel.load(name);
});

afterAll(async () => {
  for (const model of Object.values(models)) await model.session.release();
});

describe('domain-classifier', () => {
  test('declares input_ids/attention_mask → logits [batch, 14] with 14 labels', async () => {
    const model = models['domain-classifier']!;
    expect(model.session.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(model.session.outputNames).toEqual(['logits']);
    expect(Object.keys(model.config.id2label)).toHaveLength(14);
    const { logits } = await model.run(['What is the derivative of x squared?', 'Explain mitosis.']);
    expect(logits!.dims).toEqual([2, 14]);
    expect(logits!.type).toBe('float32');
  });

  test('accuracy on the committed held-out sample is at least 0.78 (measured 0.80)', async () => {
    const rows = heldout('domain-classifier');
    expect(rows.length).toBe(400);
    const predicted = await models['domain-classifier']!.predict(rows.map((r) => r.text));
    const accuracy = predicted.filter((p, i) => p === rows[i]!.label).length / rows.length;
    expect(accuracy).toBeGreaterThanOrEqual(0.78);
  });

  test('a padded batch gives the same logits as each text alone', async () => {
    const model = models['domain-classifier']!;
    const texts = ['Short question?', 'A much longer question about the law of contracts and tort liability in court.'];
    const batch = (await model.run(texts)).logits!.data as Float32Array;
    const alone = (await model.run([texts[0]!])).logits!.data as Float32Array;
    Array.from(alone).forEach((v, i) => expect(batch[i]).toBeCloseTo(v, 4));
  });
});

describe('jailbreak-detector', () => {
  test('declares logits [batch, 2] with benign/jailbreak labels', async () => {
    const model = models['jailbreak-detector']!;
    expect(model.session.outputNames).toEqual(['logits']);
    expect(model.config.id2label).toEqual({ '0': 'benign', '1': 'jailbreak' });
    const { logits } = await model.run(['Hello there']);
    expect(logits!.dims).toEqual([1, 2]);
  });

  test('accuracy on the committed held-out sample is at least 0.96 (measured 0.98)', async () => {
    const rows = heldout('jailbreak-detector');
    expect(new Set(rows.map((r) => r.label))).toEqual(new Set(['benign', 'jailbreak']));
    const predicted = await models['jailbreak-detector']!.predict(rows.map((r) => r.text));
    const accuracy = predicted.filter((p, i) => p === rows[i]!.label).length / rows.length;
    expect(accuracy).toBeGreaterThanOrEqual(0.96);
  });

  test('ordinary role-play and system-style prompts are benign', async () => {
    const prompts = [
      'I want you to act as a travel guide. I will write you my location and you will suggest a place to visit near it.',
      'You are a helpful assistant that answers questions about cooking. Keep answers short.',
      'Act as a Linux terminal. I will type commands and you will reply with what the terminal should show.',
    ];
    expect(await models['jailbreak-detector']!.predict(prompts)).toEqual(['benign', 'benign', 'benign']);
  });
});

describe('embedding', () => {
  const DIM = 128;

  function cosine(a: Float32Array, b: Float32Array): number {
    let s = 0;
    for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
    return s;
  }

  async function embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out = await models.embedding!.run(texts);
    const data = out.sentence_embedding!.data as Float32Array;
    return texts.map((_, i) => data.slice(i * DIM, (i + 1) * DIM));
  }

  test('declares last_hidden_state [batch, sequence, dim] and sentence_embedding [batch, dim]', async () => {
    const model = models.embedding!;
    expect(model.session.outputNames).toEqual(['last_hidden_state', 'sentence_embedding']);
    expect(model.config).toMatchObject({ hidden_size: DIM, pooling: 'mean' });
    const out = await model.run(['one two three', 'one']);
    expect(out.last_hidden_state!.dims).toEqual([2, 5, DIM]);
    expect(out.sentence_embedding!.dims).toEqual([2, DIM]);
  });

  test('sentence_embedding is the L2-normalised masked mean of last_hidden_state', async () => {
    const out = await models.embedding!.run(['the cell divides by mitosis', 'law']);
    const hidden = out.last_hidden_state!.data as Float32Array;
    const sentence = out.sentence_embedding!.data as Float32Array;
    const [, width] = out.last_hidden_state!.dims as [number, number, number];
    const lengths = [models.embedding!.ids('the cell divides by mitosis').length, models.embedding!.ids('law').length];
    lengths.forEach((length, b) => {
      const mean = new Float32Array(DIM);
      for (let i = 0; i < length; i++) for (let k = 0; k < DIM; k++) mean[k]! += hidden[(b * width + i) * DIM + k]! / length;
      const norm = Math.sqrt(mean.reduce((a, v) => a + v * v, 0));
      for (let k = 0; k < DIM; k++) expect(sentence[b * DIM + k]).toBeCloseTo(mean[k]! / norm, 4);
    });
  });

  test('a perturbed copy of a question is nearer than unrelated questions', async () => {
    const questions = heldout('domain-classifier').slice(0, 40).map((r) => r.text);
    const perturb = (q: string) => q.replace(/[?.,]/g, '').split(' ').filter((_, i) => i % 7 !== 3).join(' ').toLowerCase();
    const originals = await embed(questions);
    const copies = await embed(questions.map(perturb));
    let ranked = 0;
    originals.forEach((q, i) => {
      const own = cosine(q, copies[i]!);
      if (originals.every((other, k) => k === i || cosine(other, copies[i]!) < own)) ranked++;
    });
    expect(ranked).toBeGreaterThanOrEqual(38);
    const paraphrase = cosine(...((await embed(['How do plants make food from sunlight?', 'how do plants make their food from sun light'])) as [Float32Array, Float32Array]));
    const unrelated = cosine(...((await embed(['How do plants make food from sunlight?', 'What is the statute of limitations for fraud?'])) as [Float32Array, Float32Array]));
    expect(paraphrase).toBeGreaterThan(unrelated + 0.3);
  });
});
