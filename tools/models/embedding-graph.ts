// ONNX graph of the previous default embedding model (a bag of token vectors): per-token vectors
// (last_hidden_state, zero at padding) and their masked mean, L2-normalised (sentence_embedding).
// The default is now ordered-embedding-graph.ts; perf/embedding-bench.ts builds this one to compare.
import { DataType, OnnxGraphBuilder, intAttr, type ModelMetadata } from './onnx-writer.js';

export function embeddingOnnx(vectors: Float32Array, vocabSize: number, dim: number, meta: ModelMetadata): Uint8Array {
  const g = new OnnxGraphBuilder('token_embedding');
  const ids = g.addInput('input_ids', 'INT64', ['batch', 'sequence']);
  const mask = g.addInput('attention_mask', 'INT64', ['batch', 'sequence']);
  g.addOutput('last_hidden_state', 'FLOAT', ['batch', 'sequence', dim]);
  g.addOutput('sentence_embedding', 'FLOAT', ['batch', dim]);

  const table = g.addInitializer('embeddings.word_embeddings.weight', vectors, [vocabSize, dim]);
  const axis1 = g.addInt64('axis1', [1]);
  const axis2 = g.addInt64('axis2', [2]);
  const one = g.addFloat('one', 1);
  const tiny = g.addFloat('tiny', 1e-12);

  const maskF = g.op('Cast', [mask], 'mask_f', [intAttr('to', DataType.FLOAT)]);
  const tokens = g.op('Gather', [table, ids], 'token_vectors', [intAttr('axis', 0)]);
  poolOutputs(g, tokens, maskF, { axis1, axis2, one, tiny });
  return g.encode(meta);
}

/**
 * The outputs every embedding graph ends with: the token vectors zeroed at padding
 * (last_hidden_state) and their masked mean, L2-normalised (sentence_embedding).
 */
export function poolOutputs(
  g: OnnxGraphBuilder,
  vectors: string,
  maskF: string,
  c: { axis1: string; axis2: string; one: string; tiny: string },
): void {
  const mask3 = g.op('Unsqueeze', [maskF, c.axis2], 'mask_3d');
  const hidden = g.op('Mul', [vectors, mask3], 'last_hidden_state');
  const summed = g.op('ReduceSum', [hidden, c.axis1], 'summed', [intAttr('keepdims', 0)]);
  const count = g.op('ReduceSum', [maskF, c.axis1], 'token_count', [intAttr('keepdims', 1)]);
  const safeCount = g.op('Max', [count, c.one], 'safe_count');
  const mean = g.op('Div', [summed, safeCount], 'mean');
  const squares = g.op('Mul', [mean, mean], 'mean_sq');
  const sumSq = g.op('ReduceSum', [squares, c.axis1], 'mean_sum_sq', [intAttr('keepdims', 1)]);
  const norm = g.op('Sqrt', [sumSq], 'mean_norm');
  const safeNorm = g.op('Max', [norm, c.tiny], 'safe_norm');
  g.op('Div', [mean, safeNorm], 'sentence_embedding');
}
