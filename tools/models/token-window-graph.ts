// ONNX graph of the token classifier: each token's logits are a linear function of the ids in a
// window of ±radius tokens around it ([PAD] beyond the ends): one [(2·radius + 1) × vocab, labels]
// table, gathered at block × vocab + id for each offset (block 0 = offset -radius).
import { OnnxGraphBuilder, type ModelMetadata } from './onnx-writer.js';
import type { LinearModel } from './linear-trainer.js';

export function tokenWindowOnnx(model: LinearModel, vocabSize: number, radius: number, meta: ModelMetadata): Uint8Array {
  const g = new OnnxGraphBuilder('token_window_classifier');
  const ids = g.addInput('input_ids', 'INT64', ['batch', 'sequence']);
  g.addInput('attention_mask', 'INT64', ['batch', 'sequence']);
  g.addOutput('logits', 'FLOAT', ['batch', 'sequence', model.classes]);

  const table = g.addInitializer('classifier.weight', model.weights, [model.features, model.classes]);
  const bias = g.addInitializer('classifier.bias', model.bias, [model.classes]);
  const axis1 = g.addInt64('axis1', [1]);
  // Pad both ends of the sequence axis by `radius` [PAD]s, then take a sequence-length window per offset.
  const padded = g.op('Pad', [ids, g.addInt64('pads', [0, radius, 0, radius])], 'ids_padded');
  let sum: string | undefined;
  for (let block = 0; block <= 2 * radius; block++) {
    const start = g.addInt64(`start_${block}`, [block]);
    const end = g.addInt64(`end_${block}`, [block - 2 * radius === 0 ? Number.MAX_SAFE_INTEGER : block - 2 * radius]);
    const window = g.op('Slice', [padded, start, end, axis1], `window_ids_${block}`);
    const rows = g.op('Add', [window, g.addInt64(`offset_${block}`, block * vocabSize)], `window_rows_${block}`);
    const logits = g.op('Gather', [table, rows], `window_logits_${block}`);
    sum = sum === undefined ? logits : g.op('Add', [sum, logits], `window_sum_${block}`);
  }
  g.op('Add', [sum as string, bias], 'logits');
  return g.encode(meta);
}
