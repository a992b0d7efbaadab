// The classifier graph computes what training computed in TypeScript (bag-features.ts), for
// single rows, padded batches and one-token inputs.
import { describe, expect, test } from '@jest/globals';
import * as ort from 'onnxruntime-node';
import { featureIds, selectPairs, weightedRow, type BagSpec } from '../../../../tools/models/bag-features.js';
import { bagClassifierOnnx } from '../../../../tools/models/bag-graph.js';
import { logitsOf, type LinearModel } from '../../../../tools/models/linear-trainer.js';

const V = 20;
const base = { vocabSize: V, pairSlots: 64, multiplier: 7 };
const TRAIN = [
  [2, 5, 6, 3],
  [2, 5, 6, 7, 3],
  [2, 8, 9, 3],
  [2, 8, 9, 5, 3],
];
const spec: BagSpec = { ...base, ...selectPairs(TRAIN, base, 10, 2) };
const F = V + spec.pairCount + 1;
const idf = Float32Array.from({ length: F }, (_, i) => (i === V ? 0 : 1 + (i % 5) / 4));
const model: LinearModel = {
  classes: 3,
  features: F,
  weights: Float32Array.from({ length: F * 3 }, (_, i) => Math.sin(i)),
  bias: Float32Array.of(0.1, 0.2, -0.3),
};

async function runGraph(seqs: number[][]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bagClassifierOnnx({ spec, idf, model }, { producerName: 'test' }));
  const width = Math.max(...seqs.map((s) => s.length));
  const ids = new BigInt64Array(seqs.length * width);
  const mask = new BigInt64Array(seqs.length * width);
  seqs.forEach((seq, b) =>
    seq.forEach((id, i) => {
      ids[b * width + i] = BigInt(id);
      mask[b * width + i] = 1n;
    }),
  );
  const out = await session.run({
    input_ids: new ort.Tensor('int64', ids, [seqs.length, width]),
    attention_mask: new ort.Tensor('int64', mask, [seqs.length, width]),
  });
  await session.release();
  expect(out.logits!.dims).toEqual([seqs.length, 3]);
  return out.logits!.data as Float32Array;
}

describe('bag classifier graph', () => {
  const slotsOf = (index: Int32Array) => Array.from(index.entries()).filter(([, v]) => v > 0).map(([slot]) => slot);
  const slot = (a: number, b: number) => (a * 7 + b) % 64;

  test('selects the pairs seen in at least minDocs sequences, numbered in slot order', () => {
    expect(spec.pairCount).toBe(4);
    expect(slotsOf(spec.pairIndex)).toEqual([slot(8, 9), slot(2, 5), slot(2, 8), slot(5, 6)]);
    expect(Array.from(spec.pairIndex.filter((v) => v > 0))).toEqual([1, 2, 3, 4]);
  });

  test('a pair cap keeps the most frequent pairs, ties by slot', () => {
    const capped = selectPairs([...TRAIN, [2, 5, 3]], base, 2, 2);
    expect(slotsOf(capped.pairIndex)).toEqual([slot(8, 9), slot(2, 5)]);
  });

  test.each([
    ['one sequence', [[2, 5, 6, 3]]],
    ['a padded batch', [[2, 5, 6, 7, 3], [2, 8, 3], [2, 9, 9, 9, 5, 6, 3]]],
    ['a single token', [[2]]],
  ])('%s: ONNX logits equal the TypeScript features × weights', async (_name, seqs) => {
    const logits = await runGraph(seqs);
    seqs.forEach((seq, b) => {
      const expected = logitsOf(model, weightedRow(featureIds(seq, spec), idf));
      expected.forEach((v, c) => expect(logits[b * 3 + c]).toBeCloseTo(v, 4));
    });
  });
});
