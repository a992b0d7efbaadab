// ONNX graph of the order-aware embedder (ordered-embedding.ts computes the same in TypeScript):
// last_hidden_state[t] = (v[x_t] + Σ_k β_t β_{t+k} · c_k ⊙ v[x_t] ⊙ roll(v[x_{t+k}], r_k)) · mask_t,
// the right neighbour taken by shifting the gathered rows k places left and padding with zeros
// (so padding and the end of the text bind to nothing), the roll as two Slices and a Concat on the
// last axis (a Gather there is slow in onnxruntime); sentence_embedding is the masked mean,
// L2-normalised, as mean pooling at serving time computes it. Default-domain ops only.
import type { OrderedEmbedder } from './ordered-embedding.js';
import { poolOutputs } from './embedding-graph.js';
import { DataType, OnnxGraphBuilder, intAttr, type ModelMetadata } from './onnx-writer.js';

const INT64_MAX = Number.MAX_SAFE_INTEGER;

export function orderedEmbeddingOnnx(model: OrderedEmbedder, meta: ModelMetadata): Uint8Array {
  const { dim, vocabSize } = model;
  const g = new OnnxGraphBuilder('ordered_token_embedding');
  const ids = g.addInput('input_ids', 'INT64', ['batch', 'sequence']);
  const mask = g.addInput('attention_mask', 'INT64', ['batch', 'sequence']);
  g.addOutput('last_hidden_state', 'FLOAT', ['batch', 'sequence', dim]);
  g.addOutput('sentence_embedding', 'FLOAT', ['batch', dim]);

  const table = g.addInitializer('embeddings.word_embeddings.weight', model.vectors, [vocabSize, dim]);
  const bindTable = g.addInitializer('embeddings.binding_weight', model.bindWeights, [vocabSize]);
  const axis1 = g.addInt64('axis1', [1]);
  const axis2 = g.addInt64('axis2', [2]);
  const one = g.addFloat('one', 1);
  const tiny = g.addFloat('tiny', 1e-12);

  const maskF = g.op('Cast', [mask], 'mask_f', [intAttr('to', DataType.FLOAT)]);
  const tokens = g.op('Gather', [table, ids], 'token_vectors', [intAttr('axis', 0)]);
  const bindRaw = g.op('Gather', [bindTable, ids], 'binding_weight_raw', [intAttr('axis', 0)]);
  const bind = g.op('Unsqueeze', [g.op('Mul', [bindRaw, maskF], 'binding_weight'), axis2], 'binding_weight_3d');
  // β_t · v_t, zero at padding: both factors of every binding.
  const weighted = g.op('Mul', [tokens, bind], 'weighted_vectors');
  // Zero rows past the end, then one Slice per distance gives the rows k places to the right
  // ([b, s, d] whatever s is, even below k).
  const maxDist = Math.max(...model.distances);
  const padded = g.op('Pad', [weighted, g.addInt64('pad_rows', [0, 0, 0, 0, maxDist, 0])], 'padded_vectors');
  const zero = g.addInt64('zero', [0]);
  const width = g.addInt64('width', [dim]);

  let sum = tokens;
  model.distances.forEach((dist, j) => {
    const r = model.rolls[j]!;
    const stop = dist === maxDist ? INT64_MAX : dist - maxDist;
    const next = g.op('Slice', [padded, g.addInt64(`start_${dist}`, [dist]), g.addInt64(`stop_${dist}`, [stop]), axis1], `next_vectors_${dist}`);
    const roll = g.addInt64(`roll_${dist}`, [r]);
    const high = g.op('Slice', [next, roll, width, axis2], `next_high_${dist}`);
    const low = g.op('Slice', [next, zero, roll, axis2], `next_low_${dist}`);
    const rolled = g.op('Concat', [high, low], `next_rolled_${dist}`, [intAttr('axis', 2)]);
    const left = g.op('Mul', [weighted, g.addInitializer(`binding_${dist}.scale`, model.scales[j]!, [dim])], `left_scaled_${dist}`);
    const binding = g.op('Mul', [left, rolled], `binding_${dist}`);
    sum = g.op('Add', [sum, binding], `hidden_${dist}`);
  });

  poolOutputs(g, sum, maskF, { axis1, axis2, one, tiny });
  return g.encode(meta);
}
