// Writes a model folder in one of the Hugging Face export layouts into a temp dir: the graphs
// where the layout keeps them (model.onnx, onnx/model_quantized.onnx, …), config.json,
// tokenizer.json, optionally tokenizer_config.json, and the sentence-transformers modules
// (modules.json, 1_Pooling/config.json, 2_Normalize, sentence_bert_config.json).
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TokenizerFixture } from './tokenizer-fixtures.js';

export type FileContent = string | Uint8Array | Record<string, unknown> | unknown[];
export type Files = Record<string, FileContent>;

export async function writeFiles(dir: string, files: Files): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(dir, name);
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(p, typeof content === 'string' || content instanceof Uint8Array ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
}

export type StPooling = 'mean' | 'cls' | 'max';

export interface SentenceTransformersFiles {
  /** The Pooling module's mode, or the raw 1_Pooling/config.json. */
  pooling?: StPooling | Record<string, unknown>;
  /** List a Normalize module (2_Normalize). Default true. */
  normalize?: boolean;
  maxSeqLength?: number;
  doLowerCase?: boolean;
  /** Modules after the ones above (e.g. a Dense module). */
  moreModules?: Record<string, unknown>[];
  /** Write modules.json (default true); without it 1_Pooling is found by its folder. */
  modulesJson?: boolean;
}

export interface LayoutSpec {
  tokenizer: TokenizerFixture;
  config: Record<string, unknown>;
  /** Graphs by path in the folder: `model.onnx`, `onnx/model_fp16.onnx`, … */
  graphs: Record<string, Uint8Array>;
  /** Write tokenizer_config.json (default true). */
  tokenizerConfig?: boolean;
  sentenceTransformers?: SentenceTransformersFiles;
  extra?: Files;
}

export function poolingConfig(mode: StPooling, dim: number): Record<string, unknown> {
  return {
    word_embedding_dimension: dim,
    pooling_mode_cls_token: mode === 'cls',
    pooling_mode_mean_tokens: mode === 'mean',
    pooling_mode_max_tokens: mode === 'max',
    pooling_mode_mean_sqrt_len_tokens: false,
    pooling_mode_weightedmean_tokens: false,
    pooling_mode_lasttoken: false,
    include_prompt: true,
  };
}

export function layoutFiles(spec: LayoutSpec): Files {
  const files: Files = { ...spec.graphs, 'config.json': spec.config, 'tokenizer.json': spec.tokenizer.tokenizer };
  if (spec.tokenizerConfig !== false) files['tokenizer_config.json'] = spec.tokenizer.tokenizerConfig;
  const st = spec.sentenceTransformers;
  if (st) {
    const dim = typeof spec.config.hidden_size === 'number' ? spec.config.hidden_size : 0;
    const modules: Record<string, unknown>[] = [{ idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' }];
    if (st.pooling !== undefined) {
      files['1_Pooling/config.json'] = typeof st.pooling === 'string' ? poolingConfig(st.pooling, dim) : st.pooling;
      modules.push({ idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' });
    }
    if (st.normalize !== false) {
      modules.push({ idx: modules.length, name: String(modules.length), path: '2_Normalize', type: 'sentence_transformers.models.Normalize' });
      files['2_Normalize/.keep'] = '';
    }
    modules.push(...(st.moreModules ?? []));
    if (st.modulesJson !== false) files['modules.json'] = modules;
    files['sentence_bert_config.json'] = { ...(st.maxSeqLength !== undefined ? { max_seq_length: st.maxSeqLength } : {}), do_lower_case: st.doLowerCase ?? false };
  }
  return { ...files, ...spec.extra };
}

/** The folder, written into a fresh temp dir. */
export async function writeLayout(spec: LayoutSpec): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'semroute-layout-'));
  await writeFiles(dir, layoutFiles(spec));
  return dir;
}

/** One table row per vocabulary id. */
export function tableFor(vocab: readonly string[], width: number, weights: (token: string, id: number) => readonly number[] | undefined): number[][] {
  return vocab.map((t, id) => {
    const row = weights(t, id) ?? [];
    return Array.from({ length: width }, (_, d) => row[d] ?? 0);
  });
}
