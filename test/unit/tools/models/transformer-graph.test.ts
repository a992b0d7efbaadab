// The transformer-shaped graphs (tools/models/transformer-graph.ts): the committed tiny fixture is
// what `make bench-models` writes (seeded, byte for byte), and each style's graph runs in
// onnxruntime with the inputs its architecture takes.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { writeFixture } from '../../../../tools/models/bench-models.js';
import { TRANSFORMER_SHAPES, transformerOnnx, type TransformerShape } from '../../../../tools/models/transformer-graph.js';

describe('transformer-shaped graphs', () => {
  test('the committed tiny-bert fixture is reproduced byte for byte', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-fixture-'));
    try {
      writeFixture(dir);
      for (const f of ['model.onnx', 'config.json', 'tokenizer.json', 'tokenizer_config.json']) {
        expect(readFileSync(path.join(dir, f)).equals(readFileSync(path.join('test/fixtures/models/tiny-bert', f)))).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const small = (style: TransformerShape['style']): TransformerShape => ({ ...TRANSFORMER_SHAPES.tiny, style, typeVocab: style === 'bert' ? 2 : 0, vocab: 500 });
  test.each([
    ['bert', false],
    ['bert', true],
    ['modernbert', false],
    ['modernbert', true],
  ] as const)('%s (quantized %s): inputs as the architecture has them; padding does not change a row', async (style, quantize) => {
    const session = await ort.InferenceSession.create(transformerOnnx({ shape: small(style), task: 'embedding', quantize }));
    expect(session.inputNames).toEqual(style === 'bert' ? ['input_ids', 'attention_mask', 'token_type_ids'] : ['input_ids', 'attention_mask']);
    const run = async (ids: number[], mask: number[]) => {
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
        attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask.map(BigInt)), [1, ids.length]),
      };
      if (style === 'bert') feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), [1, ids.length]);
      return (await session.run(feeds)).last_hidden_state!.data as Float32Array;
    };
    const plain = await run([101, 7, 9, 102], [1, 1, 1, 1]);
    const padded = await run([101, 7, 9, 102, 0, 0], [1, 1, 1, 1, 0, 0]);
    expect(plain).toHaveLength(4 * 64);
    // The mask bias hides the padding from every real token (quantization rounds the activations per tensor).
    for (let i = 0; i < plain.length; i++) expect(padded[i]).toBeCloseTo(plain[i]!, quantize ? 1 : 4);
    await session.release();
  });
});
