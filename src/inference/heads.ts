// Task heads: turn one batch's output tensors into per-row results.
import { aggregateEntities, type TokenPrediction } from './entities.js';
import { halfsToFloats } from './half.js';
import type { EmbeddingPooling } from './layouts.js';
import { argmax, poolRow, softmax, truncateEmbedding } from './math.js';
import { alignTokens } from './offsets.js';
import type { EncodedText, TokenStyle } from './text-tokenizer.js';
import type { ClassifyResult, EntitySpan } from './types.js';

/** The shape and data of an output tensor, as onnxruntime gives it. */
export interface OutputTensor {
  dims: readonly number[];
  data: unknown;
  /** onnxruntime's element type ('float32', 'float16', …), when known. */
  type?: string;
}

/** The named output, or the first one when an export names it differently. */
export function pickOutput(outputs: Record<string, OutputTensor>, names: readonly string[], preferred: string): OutputTensor {
  const t = outputs[preferred] ?? (names[0] !== undefined ? outputs[names[0]] : undefined);
  if (!t) throw new Error(`model produced no output (wanted "${preferred}")`);
  return t;
}

// By tag, not instanceof: onnxruntime's binding creates its arrays in Node's main realm.
const tag = (data: unknown): string | undefined =>
  ArrayBuffer.isView(data) ? (data as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag] : undefined;

/**
 * An output as float32: float32 as it is; float16 (fp16 exports) converted, whether onnxruntime
 * hands the bits over in a Uint16Array or a Float16Array; float64 narrowed.
 */
export function floats(t: OutputTensor, what: string): Float32Array {
  const kind = tag(t.data);
  if (kind === 'Float32Array') return t.data as Float32Array;
  if (kind === 'Uint16Array' && (t.type === undefined || t.type === 'float16')) return halfsToFloats(t.data as Uint16Array);
  if (kind === 'Float16Array' || kind === 'Float64Array') return Float32Array.from(t.data as ArrayLike<number>);
  throw new Error(`${what} must be float32, float16 or float64${t.type !== undefined ? ` (got ${t.type})` : ''}`);
}

export function classificationHead(logits: OutputTensor, batch: number, labels: readonly string[]): ClassifyResult[] {
  const [b, n] = logits.dims;
  if (logits.dims.length !== 2 || b !== batch || n !== labels.length) {
    throw new Error(`logits shape [${logits.dims.join(', ')}] does not match [${batch}, ${labels.length}]`);
  }
  const data = floats(logits, 'logits');
  const out: ClassifyResult[] = [];
  for (let row = 0; row < batch; row++) {
    const p = softmax(data, row * n, n);
    const best = argmax(p);
    const distribution: Record<string, number> = {};
    labels.forEach((l, i) => (distribution[l] = p[i]!));
    out.push({ label: labels[best]!, confidence: p[best]!, distribution });
  }
  return out;
}

export interface TokenRow {
  text: string;
  enc: EncodedText;
}

export function tokenHead(logits: OutputTensor, rows: readonly TokenRow[], labels: readonly string[], style: TokenStyle): EntitySpan[][] {
  const [b, s, n] = logits.dims;
  if (logits.dims.length !== 3 || b !== rows.length || n !== labels.length) {
    throw new Error(`logits shape [${logits.dims.join(', ')}] does not match [${rows.length}, seq, ${labels.length}]`);
  }
  const data = floats(logits, 'logits');
  return rows.map((r, row) => {
    const offsets = alignTokens(r.text, r.enc.tokens, r.enc.special, style);
    const preds: TokenPrediction[] = [];
    for (let t = 0; t < r.enc.ids.length && t < s!; t++) {
      if (r.enc.special[t]) continue;
      const p = softmax(data, (row * s! + t) * n, n);
      const best = argmax(p);
      const o = offsets[t]!;
      preds.push({ label: labels[best]!, score: p[best]!, start: o.start, end: o.end, continuation: o.continuation });
    }
    return aggregateEntities(r.text, preds);
  });
}

export interface EmbeddingOptions {
  pooling: EmbeddingPooling;
  dimensions: number | undefined;
}

/**
 * Embeddings from `last_hidden_state` (pooled over the mask) when present, else from a
 * [batch, dim] output such as `sentence_embedding`; L2-normalised, Matryoshka-truncated.
 */
export function embeddingHead(
  outputs: Record<string, OutputTensor>,
  names: readonly string[],
  batch: number,
  mask: BigInt64Array,
  opts: EmbeddingOptions,
): Float32Array[] {
  const hidden = outputs.last_hidden_state ?? names.map((n) => outputs[n]).find((t) => t?.dims.length === 3);
  const out: Float32Array[] = [];
  if (hidden) {
    const [b, s, d] = hidden.dims as [number, number, number];
    if (b !== batch) throw new Error(`last_hidden_state batch ${b} != ${batch}`);
    const data = floats(hidden, 'last_hidden_state');
    for (let row = 0; row < batch; row++) {
      const pooled = opts.pooling === 'max' ? maxPoolRow(data, row, s, d, mask) : poolRow(data, row, s, d, mask, opts.pooling);
      out.push(truncateEmbedding(pooled, opts.dimensions));
    }
    return out;
  }
  const pooled = outputs.sentence_embedding ?? names.map((n) => outputs[n]).find((t) => t?.dims.length === 2);
  if (!pooled) throw new Error('embedding model has neither last_hidden_state nor a [batch, dim] output');
  const [b, d] = pooled.dims as [number, number];
  if (b !== batch) throw new Error(`sentence_embedding batch ${b} != ${batch}`);
  const data = floats(pooled, 'sentence_embedding');
  for (let row = 0; row < batch; row++) out.push(truncateEmbedding(data.slice(row * d, (row + 1) * d), opts.dimensions));
  return out;
}

/**
 * Max pooling (sentence-transformers' pooling_mode_max_tokens): per dimension, the largest value
 * over the positions whose mask is 1; a row without any stays zero.
 */
export function maxPoolRow(hidden: ArrayLike<number>, row: number, seqLen: number, dim: number, mask: ArrayLike<number | bigint>): Float32Array {
  const out = new Float32Array(dim).fill(-Infinity);
  const base = row * seqLen * dim;
  let any = false;
  for (let t = 0; t < seqLen; t++) {
    if (Number(mask[row * seqLen + t]) === 0) continue;
    any = true;
    const at = base + t * dim;
    for (let d = 0; d < dim; d++) if ((hidden[at + d] as number) > out[d]!) out[d] = hidden[at + d] as number;
  }
  return any ? out : new Float32Array(dim);
}
