import { describe, expect, test } from '@jest/globals';
import { argmax, l2Normalize, poolRow, softmax, truncateEmbedding } from '../../../src/inference/math.js';
import { classificationHead, embeddingHead } from '../../../src/inference/heads.js';

describe('softmax', () => {
  test('sums to one, keeps the order, survives large logits', () => {
    const p = softmax([1000, 1001, 999]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(argmax(p)).toBe(1);
    expect(p[1]! / p[0]!).toBeCloseTo(Math.E, 10);
  });

  test('reads a row out of a flat batch', () => {
    const p = softmax(new Float32Array([9, 9, 0, Math.log(3)]), 2, 2);
    expect([...p]).toEqual([0.25, 0.75].map((x) => expect.closeTo(x, 6) as unknown as number));
  });
});

describe('pooling and normalisation', () => {
  // batch 2, seq 3, dim 2; row 1 has one padding position.
  const hidden = new Float32Array([1, 2, 3, 4, 5, 6, 10, 0, 20, 0, 999, 999]);
  const mask = new BigInt64Array([1n, 1n, 1n, 1n, 1n, 0n]);

  test('mean pooling skips padding positions', () => {
    expect([...poolRow(hidden, 0, 3, 2, mask, 'mean')]).toEqual([3, 4]);
    expect([...poolRow(hidden, 1, 3, 2, mask, 'mean')]).toEqual([15, 0]);
  });

  test('cls pooling takes position 0', () => {
    expect([...poolRow(hidden, 1, 3, 2, mask, 'cls')]).toEqual([10, 0]);
  });

  test('l2 normalisation gives unit length; zero stays zero', () => {
    expect([...l2Normalize(new Float32Array([3, 4]))]).toEqual([0.6000000238418579, 0.800000011920929]);
    expect([...l2Normalize(new Float32Array([0, 0]))]).toEqual([0, 0]);
  });

  test('Matryoshka truncation keeps the leading components and re-normalises', () => {
    const v = truncateEmbedding(new Float32Array([3, 4, 12]), 2);
    expect(v).toHaveLength(2);
    expect(v[0]).toBeCloseTo(0.6, 6);
    expect(v[1]).toBeCloseTo(0.8, 6);
    expect(truncateEmbedding(new Float32Array([3, 4, 12]), 10)).toHaveLength(3);
  });

  test('embedding head pools last_hidden_state when present, else uses sentence_embedding', () => {
    const fromHidden = embeddingHead({ last_hidden_state: { dims: [2, 3, 2], data: hidden } }, ['last_hidden_state'], 2, mask, { pooling: 'mean', dimensions: undefined });
    expect(fromHidden[1]![0]).toBeCloseTo(1, 6);
    const pooled = embeddingHead({ sentence_embedding: { dims: [1, 2], data: new Float32Array([0, 5]) } }, ['sentence_embedding'], 1, mask, { pooling: 'mean', dimensions: undefined });
    expect([...pooled[0]!]).toEqual([0, 1]);
  });
});

describe('classification head', () => {
  test('maps rows to labels with a distribution', () => {
    const r = classificationHead({ dims: [2, 2], data: new Float32Array([0, Math.log(4), 2, 0]) }, 2, ['a', 'b']);
    expect(r[0]).toEqual({ label: 'b', confidence: expect.closeTo(0.8, 6), distribution: { a: expect.closeTo(0.2, 6), b: expect.closeTo(0.8, 6) } });
    expect(r[1]!.label).toBe('a');
  });

  test('a logits shape that does not match the labels is an error', () => {
    expect(() => classificationHead({ dims: [1, 3], data: new Float32Array(3) }, 1, ['a', 'b'])).toThrow(/logits shape \[1, 3\] does not match \[1, 2\]/);
  });
});
