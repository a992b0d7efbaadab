// Embedding signal: cosine similarity of the text to example phrases, embedded once at build time.
// Like the classifiers it reads only the prefix its tokenizer can use.
import type { z } from 'zod';
import type { embeddingSignalSchema } from '../config/schema/signals.js';
import type { EmbedderHandle } from '../inference/index.js';
import { signalPrefix } from './input.js';
import { callOptions } from './call-options.js';
import type { Signal } from './types.js';

export type EmbeddingSignalConfig = z.infer<typeof embeddingSignalSchema>;

/** Both vectors are L2-normalised by the embedder, so the dot product is the cosine. */
function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export async function embeddingSignal(cfg: EmbeddingSignalConfig, model: EmbedderHandle): Promise<Signal> {
  const candidates = await Promise.all(cfg.candidates.map((c) => model.embed(c)));
  return {
    kind: 'embedding',
    name: cfg.name,
    async extract(ir, abort) {
      const text = signalPrefix(ir, cfg.input, model.tokenizer.inputReadLimit);
      if (text === '') return { matched: false, confidence: 0, detail: 'no text' };
      const v = await model.embed(text, callOptions(ir, model.name, abort));
      const sims = candidates.map((c) => dot(v, c));
      const score = cfg.aggregate === 'max' ? Math.max(...sims) : sims.reduce((a, b) => a + b, 0) / sims.length;
      const best = sims.indexOf(Math.max(...sims));
      return { matched: score >= cfg.threshold, confidence: Math.max(0, Math.min(1, score)), detail: `${cfg.aggregate} similarity ${score.toFixed(3)} (closest: candidate ${best})` };
    },
  };
}
