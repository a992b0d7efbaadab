// The token-classification fixture (test/fixtures/models/pii-token-classifier): shapes, BIO labels,
// and that the ONNX window graph computes what training computed (windowRow × weights).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import { windowRow } from '../../../tools/models/build-pii.js';
import { logitsOf } from '../../../tools/models/linear-trainer.js';
import { onnxModelType } from '../../../tools/models/onnx-writer.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'models', 'pii-token-classifier');
const readJson = (name: string): any => JSON.parse(readFileSync(join(DIR, name), 'utf8'));
const config = readJson('config.json');
const tokenizer: any = new Tokenizer(readJson('tokenizer.json'), readJson('tokenizer_config.json'));
let session: ort.InferenceSession;

beforeAll(async () => {
  session = await ort.InferenceSession.create(join(DIR, 'model.onnx'));
});

afterAll(async () => {
  await session.release();
});

async function tag(text: string): Promise<{ tokens: string[]; ids: number[]; logits: Float32Array; labels: string[] }> {
  const { ids, tokens } = tokenizer.encode(text, { add_special_tokens: true });
  const n = ids.length;
  const out = await session.run({
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map((id: number) => BigInt(id))), [1, n]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
  });
  const L = Object.keys(config.id2label).length;
  expect(out.logits!.dims).toEqual([1, n, L]);
  const logits = out.logits!.data as Float32Array;
  const labels = tokens.map((_: string, i: number) => {
    let best = 0;
    for (let c = 1; c < L; c++) if (logits[i * L + c]! > logits[i * L + best]!) best = c;
    return config.id2label[String(best)];
  });
  return { tokens, ids, logits, labels };
}

describe('pii-token-classifier fixture', () => {
  test('config has BIO labels with O first', () => {
    const labels = Object.values<string>(config.id2label);
    expect(labels[0]).toBe('O');
    expect(labels).toEqual(expect.arrayContaining(['B-EMAIL_ADDRESS', 'I-EMAIL_ADDRESS', 'B-PERSON', 'B-CREDIT_CARD']));
    expect(labels.slice(1).every((l) => /^[BI]-[A-Z_]+$/.test(l))).toBe(true);
  });

  test('ONNX logits equal the training-time window features × weights', async () => {
    const model: any = onnxModelType().toObject(onnxModelType().decode(readFileSync(join(DIR, 'model.onnx'))), { longs: Number });
    const tensor = (name: string) => {
      const t = model.graph.initializer.find((i: any) => i.name === name);
      const raw = Uint8Array.from(t.rawData);
      return { dims: t.dims as number[], data: new Float32Array(raw.buffer) };
    };
    const weights = tensor('classifier.weight');
    const bias = tensor('classifier.bias');
    const linear = { classes: weights.dims[1]!, features: weights.dims[0]!, weights: weights.data, bias: bias.data };
    const { ids, logits } = await tag('Call Maria Garcia at 555 0100.');
    ids.forEach((_, i) => {
      const expected = logitsOf(linear, windowRow(ids, i, config.vocab_size, config.window_radius));
      expected.forEach((v, c) => expect(logits[i * linear.classes + c]).toBeCloseTo(v, 4));
    });
  });

  test('tags most of an e-mail address as an entity and leaves plain words and specials as O', async () => {
    const { tokens, labels } = await tag('Please write to anna.berg@example.com about the meeting.');
    const first = tokens.indexOf('anna');
    const last = tokens.indexOf('com');
    const address = labels.slice(first, last + 1);
    expect(address.filter((l) => l !== 'O').length * 2).toBeGreaterThanOrEqual(address.length);
    expect(address.some((l) => l.endsWith('EMAIL_ADDRESS'))).toBe(true);
    expect(labels.slice(last + 1).some((l) => l.endsWith('EMAIL_ADDRESS'))).toBe(false);
    for (const word of ['[CLS]', 'please', 'to', 'about', 'the', 'meeting', '[SEP]']) expect(labels[tokens.indexOf(word)]).toBe('O');
  });
});
