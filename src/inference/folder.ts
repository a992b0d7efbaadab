// Reads and validates a model folder in the Hugging Face ONNX export layout. Every error names the
// file or the field at fault.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelLoadError } from './errors.js';
import type { ModelTask } from './types.js';

export type JsonObject = Record<string, unknown>;

export interface ModelFolder {
  dir: string;
  modelPath: string;
  tokenizerJson: JsonObject;
  /** tokenizer_config.json with special_tokens_map.json filled in where the config lacks a key. */
  tokenizerConfig: JsonObject;
  config: JsonObject;
  /** Labels by class id, for classifiers. */
  labels: string[] | undefined;
}

export const MODEL_FILE = 'model.onnx';

export async function readModelFolder(name: string, dir: string, task: ModelTask): Promise<ModelFolder> {
  const fail = (msg: string, cause?: unknown): never => {
    throw new ModelLoadError(name, msg, cause === undefined ? undefined : { cause });
  };
  const st = await stat(dir).catch(() => undefined);
  if (!st) fail(`model folder ${dir} does not exist`);
  if (!st!.isDirectory()) fail(`model path ${dir} is not a folder`);

  const modelPath = path.join(dir, MODEL_FILE);
  if (!(await stat(modelPath).catch(() => undefined))?.isFile()) fail(`missing ${MODEL_FILE} in ${dir}`);

  const readJson = async (file: string, required: boolean): Promise<JsonObject | undefined> => {
    const p = path.join(dir, file);
    let text: string;
    try {
      text = await readFile(p, 'utf8');
    } catch {
      if (required) fail(`missing ${file} in ${dir}`);
      return undefined;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      fail(`${file} is not valid JSON: ${(e as Error).message}`, e);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${file} must hold a JSON object`);
    return value as JsonObject;
  };

  const tokenizerJson = (await readJson('tokenizer.json', true))!;
  if (typeof tokenizerJson.model !== 'object' || tokenizerJson.model === null) fail('tokenizer.json has no "model" section');
  const tokenizerConfig = (await readJson('tokenizer_config.json', true))!;
  const specialTokensMap = await readJson('special_tokens_map.json', false);
  const config = (await readJson('config.json', true))!;

  const labels = task === 'embedding' ? undefined : parseLabels(config, fail);
  return {
    dir,
    modelPath,
    tokenizerJson,
    tokenizerConfig: { ...specialTokensMap, ...tokenizerConfig },
    config,
    labels,
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
