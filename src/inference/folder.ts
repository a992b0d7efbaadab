// Reads and validates a model folder in any of the Hugging Face export layouts (layouts.ts: the
// Optimum root, transformers.js' onnx/ with its variants, sentence-transformers' modules). Every
// error names the file or the field at fault.
import { stat } from 'node:fs/promises';
import { ModelLoadError } from './errors.js';
import {
  findModelFile,
  folderPooling,
  readJsonFile,
  readSentenceTransformers,
  type EmbeddingPooling,
  type LayoutKind,
  type ModelVariant,
  type SentenceTransformersInfo,
} from './layouts.js';
import { deriveTokenizerConfig, withLowercase } from './text-tokenizer.js';
import type { ModelTask } from './types.js';

export type JsonObject = Record<string, unknown>;

export interface ModelFolder {
  dir: string;
  /** The graph: model.onnx, or the variant's file at the root or under onnx/. */
  modelPath: string;
  tokenizerJson: JsonObject;
  /**
   * tokenizer_config.json over special_tokens_map.json over what tokenizer.json and config.json
   * imply (the file is optional); model_max_length capped by sentence_bert_config.json's max_seq_length.
   */
  tokenizerConfig: JsonObject;
  /** config.json; for embedders, "pooling" set from the Pooling module when it says mean or cls. */
  config: JsonObject;
  /** Labels by class id, for classifiers. */
  labels: string[] | undefined;
  layout: FolderLayout;
  /** Embedding pooling the folder states (the Pooling module, else config.json "pooling"). */
  pooling: EmbeddingPooling | undefined;
}

export interface FolderLayout {
  kind: LayoutKind;
  /** The graph, relative to the folder: `model.onnx`, `onnx/model_quantized.onnx`, … */
  modelFile: string;
  variant: ModelVariant;
  /** The variants the folder has. */
  variants: ModelVariant[];
  /** Whether tokenizer_config.json was there or its keys were derived. */
  tokenizerConfig: 'file' | 'derived';
  /** The sentence-transformers modules, when the folder has them. */
  sentenceTransformers: SentenceTransformersInfo | undefined;
}

export interface FolderOptions {
  /** Which graph of a folder with several (layouts.ts DEFAULT_VARIANTS says which without it). */
  variant?: ModelVariant;
}

export const MODEL_FILE = 'model.onnx';

export async function readModelFolder(name: string, dir: string, task: ModelTask, options: FolderOptions = {}): Promise<ModelFolder> {
  const fail = (msg: string, cause?: unknown): never => {
    throw new ModelLoadError(name, msg, cause === undefined ? undefined : { cause });
  };
  const st = await stat(dir).catch(() => undefined);
  if (!st) fail(`model folder ${dir} does not exist`);
  if (!st!.isDirectory()) fail(`model path ${dir} is not a folder`);

  const graph = await findModelFile(dir, options.variant, fail);

  const readJson = async (file: string, required: boolean): Promise<JsonObject | undefined> => {
    const value = await readJsonFile(dir, file, fail);
    if (value === undefined) {
      if (required) fail(`missing ${file} in ${dir}`);
      return undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${file} must hold a JSON object`);
    return value as JsonObject;
  };

  let tokenizerJson = (await readJson('tokenizer.json', true))!;
  if (typeof tokenizerJson.model !== 'object' || tokenizerJson.model === null) fail('tokenizer.json has no "model" section');
  const tokenizerConfigFile = await readJson('tokenizer_config.json', false);
  const specialTokensMap = await readJson('special_tokens_map.json', false);
  const config = (await readJson('config.json', true))!;
  const embedding = task === 'embedding';
  const sentenceTransformers = await readSentenceTransformers(dir, embedding, fail);

  const tokenizerConfig: JsonObject = { ...deriveTokenizerConfig(tokenizerJson, config), ...specialTokensMap, ...tokenizerConfigFile };
  const cap = sentenceTransformers?.maxSeqLength;
  if (cap !== undefined) {
    const current = tokenizerConfig.model_max_length;
    if (!(typeof current === 'number' && current > 0 && current <= cap)) tokenizerConfig.model_max_length = cap;
  }
  if (sentenceTransformers?.doLowerCase) tokenizerJson = withLowercase(tokenizerJson);

  const pooling = embedding ? folderPooling(sentenceTransformers, config) : undefined;
  const labels = embedding ? undefined : parseLabels(config, fail);
  return {
    dir,
    modelPath: graph.path,
    tokenizerJson,
    tokenizerConfig,
    // The loader reads config.json "pooling" (mean or cls); the Pooling module's word goes there.
    config: pooling === 'mean' || pooling === 'cls' ? { ...config, pooling } : config,
    labels,
    layout: {
      kind: graph.layout,
      modelFile: graph.file,
      variant: graph.variant,
      variants: graph.available,
      tokenizerConfig: tokenizerConfigFile ? 'file' : 'derived',
      sentenceTransformers,
    },
    pooling,
  };
}

/** id2label as an array indexed by class id; ids must run 0..n-1 and agree with label2id. */
export function parseLabels(config: JsonObject, fail: (msg: string) => never): string[] {
  const id2label = config.id2label;
  if (typeof id2label !== 'object' || id2label === null || Array.isArray(id2label)) {
    return fail('config.json: "id2label" is missing or not an object');
  }
  const entries = Object.entries(id2label as JsonObject);
  if (entries.length < 2) fail('config.json: "id2label" needs at least two labels');
  const labels: string[] = new Array<string>(entries.length);
  for (const [k, v] of entries) {
    const id = Number(k);
    if (!Number.isInteger(id) || id < 0 || id >= entries.length) {
      fail(`config.json: "id2label" key "${k}" is not an id in 0..${entries.length - 1}`);
    }
    if (typeof v !== 'string' || v === '') fail(`config.json: "id2label"."${k}" must be a non-empty string`);
    labels[id] = v;
  }
  if (new Set(labels).size !== labels.length) fail('config.json: "id2label" has duplicate labels');
  const label2id = config.label2id;
  if (typeof label2id === 'object' && label2id !== null) {
    for (const [label, id] of Object.entries(label2id as JsonObject)) {
      if (labels[Number(id)] !== label) fail(`config.json: "label2id"."${label}" = ${String(id)} disagrees with "id2label"`);
    }
  }
  return labels;
}
