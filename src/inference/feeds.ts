// Padded int64 input tensors for one batch: every row padded to the batch's longest.
import * as ort from 'onnxruntime-node';
import type { EncodedText } from './text-tokenizer.js';

export interface BatchFeeds {
  feeds: Record<string, ort.Tensor>;
  seqLen: number;
  /** attention mask, row-major [batch, seqLen]. */
  mask: BigInt64Array;
}

/** Inputs the layer knows how to fill. */
export const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids']);

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
  return { feeds, seqLen, mask };
}
