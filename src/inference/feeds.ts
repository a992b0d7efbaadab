// Padded int64 input tensors for one batch: every row padded to the batch's longest. Optional
// inputs are fed only when the graph declares them.
import * as ort from 'onnxruntime-node';
import type { EncodedText } from './text-tokenizer.js';

export interface BatchFeeds {
  feeds: Record<string, ort.Tensor>;
  seqLen: number;
  /** attention mask, row-major [batch, seqLen]. */
  mask: BigInt64Array;
}

/**
 * Inputs the layer knows how to fill: the ids, the mask (1 for tokens, 0 for padding), token types
 * (all 0: one segment) and positions (0..seqLen-1 in every row; padding is masked out).
 */
export const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids', 'position_ids']);

/** The graph inputs semroute cannot fill (past_key_values.*, pixel_values, …), in graph order. */
export function unfillableInputs(inputNames: readonly string[]): string[] {
  return inputNames.filter((n) => !KNOWN_INPUTS.has(n));
}

/** A load error's text for a graph with inputs semroute cannot fill; undefined when it can fill them all. */
export function unfillableInputsMessage(modelFile: string, inputNames: readonly string[]): string | undefined {
  const unknown = unfillableInputs(inputNames);
  if (unknown.length === 0) return undefined;
  return `${modelFile} has inputs semroute cannot fill: ${unknown.join(', ')} (it fills ${[...KNOWN_INPUTS].join(', ')})`;
}

export function buildFeeds(encodings: readonly EncodedText[], inputNames: readonly string[], padId: number): BatchFeeds {
  const batch = encodings.length;
  const seqLen = Math.max(1, ...encodings.map((e) => e.ids.length));
  const ids = new BigInt64Array(batch * seqLen).fill(BigInt(padId));
  const mask = new BigInt64Array(batch * seqLen);
  encodings.forEach((e, row) => {
    const base = row * seqLen;
    for (let t = 0; t < e.ids.length; t++) {
      ids[base + t] = BigInt(e.ids[t]!);
      mask[base + t] = 1n;
    }
  });
  const dims = [batch, seqLen];
  const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, dims) };
  if (inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', mask, dims);
  if (inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(batch * seqLen), dims);
  if (inputNames.includes('position_ids')) feeds.position_ids = new ort.Tensor('int64', positionIds(batch, seqLen), dims);
  return { feeds, seqLen, mask };
}

/** 0..seqLen-1 in each of `batch` rows. */
export function positionIds(batch: number, seqLen: number): BigInt64Array {
  const out = new BigInt64Array(batch * seqLen);
  for (let row = 0; row < batch; row++) for (let t = 0; t < seqLen; t++) out[row * seqLen + t] = BigInt(t);
  return out;
}
