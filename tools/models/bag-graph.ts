// ONNX graph of the bag-of-features classifier (see bag-features.ts for the same computation in
// TypeScript): unigram + selected-pair features, IDF weights, L2 norm over occurrences, linear head.
import type { BagSpec } from './bag-features.js';
import type { LinearModel } from './linear-trainer.js';
import { DataType, OnnxGraphBuilder, intAttr, type ModelMetadata } from './onnx-writer.js';

const INT64_MAX = Number.MAX_SAFE_INTEGER;

export interface BagClassifierParts {
  spec: BagSpec;
  idf: Float32Array;
  model: LinearModel;
}

export function bagClassifierOnnx({ spec, idf, model }: BagClassifierParts, meta: ModelMetadata): Uint8Array {
  const g = new OnnxGraphBuilder('bag_classifier');
  const ids = g.addInput('input_ids', 'INT64', ['batch', 'sequence']);
  const mask = g.addInput('attention_mask', 'INT64', ['batch', 'sequence']);
  g.addOutput('logits', 'FLOAT', ['batch', model.classes]);

  const idfTable = g.addInitializer('feature_idf', idf, [idf.length]);
  const weights = g.addInitializer('classifier.weight', model.weights, [model.features, model.classes]);
  const bias = g.addInitializer('classifier.bias', model.bias, [model.classes]);
  const pairTable = g.addInitializer('pair_index', spec.pairIndex, [spec.pairSlots]);
  const multiplier = g.addInt64('pair_multiplier', spec.multiplier);
  const slots = g.addInt64('pair_slots', spec.pairSlots);
  const offset = g.addInt64('pair_offset', spec.vocabSize);
  const zero = g.addInt64('zero', [0]);
  const one = g.addInt64('one', [1]);
  const minusOne = g.addInt64('minus_one', [-1]);
  const end = g.addInt64('end', [INT64_MAX]);
  const axis1 = g.addInt64('axis1', [1]);
  const eps = g.addFloat('eps', 1e-6);

  const maskF = g.op('Cast', [mask], 'mask_f', [intAttr('to', DataType.FLOAT)]);
  const left = g.op('Slice', [ids, zero, minusOne, axis1], 'left_ids');
  const right = g.op('Slice', [ids, one, end, axis1], 'right_ids');
  const leftMask = g.op('Slice', [maskF, zero, minusOne, axis1], 'left_mask');
  const rightMask = g.op('Slice', [maskF, one, end, axis1], 'right_mask');
  const pairMask = g.op('Mul', [leftMask, rightMask], 'pair_mask');
  const scaled = g.op('Mul', [left, multiplier], 'pair_scaled');
  const combined = g.op('Add', [scaled, right], 'pair_combined');
  const slot = g.op('Mod', [combined, slots], 'pair_slot', [intAttr('fmod', 0)]);
  const pairRaw = g.op('Gather', [pairTable, slot], 'pair_raw', [intAttr('axis', 0)]);
  const pairIdx = g.op('Cast', [pairRaw], 'pair_idx', [intAttr('to', DataType.INT64)]);
  const pairFeature = g.op('Add', [pairIdx, offset], 'pair_feature');
  const features = g.op('Concat', [ids, pairFeature], 'features', [intAttr('axis', 1)]);
  const featureMask = g.op('Concat', [maskF, pairMask], 'feature_mask', [intAttr('axis', 1)]);

  const idfs = g.op('Gather', [idfTable, features], 'feature_idf_values', [intAttr('axis', 0)]);
  const w = g.op('Mul', [idfs, featureMask], 'feature_weight');
  const squares = g.op('Mul', [w, w], 'feature_weight_sq');
  const sumSq = g.op('ReduceSum', [squares, axis1], 'weight_sum_sq', [intAttr('keepdims', 1)]);
  const norm = g.op('Sqrt', [sumSq], 'weight_norm');
  const denom = g.op('Max', [norm, eps], 'weight_denom');

  const rows = g.op('Gather', [weights, features], 'feature_rows', [intAttr('axis', 0)]);
  const w3 = g.op('Unsqueeze', [w, g.addInt64('axis2', [2])], 'feature_weight_3d');
  const weighted = g.op('Mul', [rows, w3], 'weighted_rows');
  const summed = g.op('ReduceSum', [weighted, axis1], 'summed_rows', [intAttr('keepdims', 0)]);
  const normalised = g.op('Div', [summed, denom], 'normalised');
  g.op('Add', [normalised, bias], 'logits');
  return g.encode(meta);
}
