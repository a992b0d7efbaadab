// Where a model folder keeps its graph and what its sentence-transformers modules say. Hugging Face
// exports come in a few layouts, read as they are (no renaming):
//
//   Optimum              model.onnx (model_quantized.onnx, …) next to config.json and tokenizer.json
//   transformers.js /    onnx/model.onnx, onnx/model_quantized.onnx, onnx/model_fp16.onnx,
//   onnx-community       onnx/model_int8.onnx; config and tokenizer files at the root
//   sentence-transformers modules.json, 1_Pooling/config.json (mean / cls / max), 2_Normalize,
//                        sentence_bert_config.json (max_seq_length); the graph in either place above
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { JsonObject } from './folder.js';
import type { Pooling } from './types.js';

export type ModelVariant = 'fp32' | 'quantized' | 'fp16' | 'int8';
export const MODEL_VARIANTS: readonly ModelVariant[] = ['fp32', 'quantized', 'fp16', 'int8'];

/** The file name of each variant, as transformers.js and Optimum write them. */
export const VARIANT_FILES: Readonly<Record<ModelVariant, string>> = {
  fp32: 'model.onnx',
  quantized: 'model_quantized.onnx',
  fp16: 'model_fp16.onnx',
  int8: 'model_int8.onnx',
};

/**
 * Without a `variant`, the first of these the folder has. fp32 is the reference: the scores of the
 * model card and of the PyTorch model (thresholds tuned on them hold), and every execution provider
 * runs it. quantized (dynamic uint8) is next: transformers.js writes it for every model and uses it
 * itself on CPU, semroute's default provider, at a quarter of the size. fp16 (made for GPUs; many
 * CPU kernels run it slower than fp32) and int8 are loaded only when asked for.
 */
export const DEFAULT_VARIANTS: readonly ModelVariant[] = ['fp32', 'quantized'];

/** Folders searched for a variant's file, in order: the root (Optimum), then onnx/ (transformers.js). */
const GRAPH_DIRS = ['', 'onnx'] as const;

export type LayoutKind = 'optimum' | 'transformers.js';
export type EmbeddingPooling = Pooling;

export interface ModelFile {
  /** Absolute path of the graph. */
  path: string;
  /** Relative to the folder, with forward slashes: `model.onnx`, `onnx/model_fp16.onnx`. */
  file: string;
  variant: ModelVariant;
  layout: LayoutKind;
  /** Every variant the folder has (root and onnx/ together). */
  available: ModelVariant[];
}

export type Fail = (msg: string, cause?: unknown) => never;

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isFile() ?? false;
}

/** The graph to load: `variant`'s file, or the default order's first; errors list what the folder has. */
export async function findModelFile(dir: string, variant: ModelVariant | undefined, fail: Fail): Promise<ModelFile> {
  if (variant !== undefined && !MODEL_VARIANTS.includes(variant)) {
    fail(`unknown variant "${String(variant)}" (known: ${MODEL_VARIANTS.join(', ')})`);
  }
  const found = new Map<ModelVariant, { path: string; file: string; layout: LayoutKind }>();
  for (const v of MODEL_VARIANTS) {
    for (const sub of GRAPH_DIRS) {
      const file = sub === '' ? VARIANT_FILES[v] : `${sub}/${VARIANT_FILES[v]}`;
      const p = path.join(dir, file);
      if (await isFile(p)) {
        found.set(v, { path: p, file, layout: sub === '' ? 'optimum' : 'transformers.js' });
        break;
      }
    }
  }
  const available = MODEL_VARIANTS.filter((v) => found.has(v));
  const wanted = variant !== undefined ? [variant] : DEFAULT_VARIANTS;
  const pick = wanted.find((v) => found.has(v));
  if (pick !== undefined) return { ...found.get(pick)!, variant: pick, available };

  const places = (v: ModelVariant) => GRAPH_DIRS.map((sub) => (sub === '' ? VARIANT_FILES[v] : `${sub}/${VARIANT_FILES[v]}`));
  if (variant !== undefined) {
    return fail(
      `variant ${variant}: neither ${places(variant).join(' nor ')} in ${dir}` +
        (available.length > 0 ? ` (the folder has ${available.map((v) => `${v}: ${found.get(v)!.file}`).join(', ')})` : ''),
    );
  }
  if (available.length > 0) {
    return fail(
      `missing ${VARIANT_FILES.fp32} in ${dir}: no fp32 or quantized graph (${DEFAULT_VARIANTS.flatMap(places).join(', ')}); ` +
        `the folder has ${available.map((v) => `${found.get(v)!.file}`).join(', ')}: set variant to ${available.join(' or ')}`,
    );
  }
  const others = await otherGraphs(dir);
  return fail(
    `missing ${VARIANT_FILES.fp32} in ${dir} (nor ${[...places('fp32').slice(1), ...places('quantized')].join(', ')})` +
      (others.length > 0 ? `; found ${others.join(', ')}, which semroute does not load (variants: ${MODEL_VARIANTS.map((v) => VARIANT_FILES[v]).join(', ')})` : ''),
  );
}

/** .onnx files of the root and onnx/ that are no known variant (model_q4.onnx, model_O4.onnx, …). */
async function otherGraphs(dir: string): Promise<string[]> {
  const known = new Set(Object.values(VARIANT_FILES));
  const out: string[] = [];
  for (const sub of GRAPH_DIRS) {
    const names = await readdir(path.join(dir, sub)).catch(() => [] as string[]);
    for (const n of names.sort()) if (n.endsWith('.onnx') && !known.has(n)) out.push(sub === '' ? n : `${sub}/${n}`);
  }
  return out;
}

/** A JSON file of the folder: its value, or undefined when the file does not exist. */
export async function readJsonFile(dir: string, file: string, fail: Fail): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path.join(dir, file), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    return fail(`${file} cannot be read: ${(e as Error).message}`, e);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return fail(`${file} is not valid JSON: ${(e as Error).message}`, e);
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface SentenceTransformersInfo {
  /** From the Pooling module's config.json; undefined when the folder has no Pooling module. */
  pooling: EmbeddingPooling | undefined;
  /** The Pooling module's config file, for messages (`1_Pooling/config.json`). */
  poolingFile: string | undefined;
  /** A Normalize module is listed: embeddings are L2-normalised (semroute's always are). */
  normalize: boolean;
  /** sentence_bert_config.json `max_seq_length`: caps the token length. */
  maxSeqLength: number | undefined;
  /** sentence_bert_config.json `do_lower_case`: the text is lowercased before tokenizing. */
  doLowerCase: boolean;
}

const POOLING_MODES: Readonly<Record<string, EmbeddingPooling | undefined>> = {
  pooling_mode_mean_tokens: 'mean',
  pooling_mode_cls_token: 'cls',
  pooling_mode_max_tokens: 'max',
  pooling_mode_mean_sqrt_len_tokens: undefined,
  pooling_mode_weightedmean_tokens: undefined,
  pooling_mode_lasttoken: undefined,
};

const MODULE_TYPE = /(?:^|\.)(Transformer|Pooling|Normalize)$/;

/**
 * The sentence-transformers files of a folder, or undefined when it has none. Embedding models
 * only read modules.json and the Pooling module; any task honours max_seq_length.
 */
export async function readSentenceTransformers(dir: string, embedding: boolean, fail: Fail): Promise<SentenceTransformersInfo | undefined> {
  const bert = await readJsonFile(dir, 'sentence_bert_config.json', fail);
  if (bert !== undefined && !isObject(bert)) fail('sentence_bert_config.json must hold a JSON object');
  let maxSeqLength: number | undefined;
  if (isObject(bert) && bert.max_seq_length !== undefined && bert.max_seq_length !== null) {
    const m = bert.max_seq_length;
    if (typeof m !== 'number' || !Number.isInteger(m) || m <= 0) fail(`sentence_bert_config.json: "max_seq_length" must be a positive integer, got ${JSON.stringify(m)}`);
    maxSeqLength = m;
  }
  const doLowerCase = isObject(bert) && bert.do_lower_case === true;
  if (!embedding) return bert === undefined ? undefined : { pooling: undefined, poolingFile: undefined, normalize: false, maxSeqLength, doLowerCase };

  const modules = await readJsonFile(dir, 'modules.json', fail);
  let poolingDir: string | undefined;
  let normalize = false;
  if (modules !== undefined) {
    if (!Array.isArray(modules)) fail('modules.json must hold a JSON array of modules');
    for (const [i, m] of (modules as unknown[]).entries()) {
      if (!isObject(m) || typeof m.type !== 'string') fail(`modules.json: module ${i} has no "type"`);
      const type = m.type;
      const kind = MODULE_TYPE.exec(type)?.[1];
      const where = typeof m.path === 'string' ? m.path : '';
      if (kind === 'Pooling') poolingDir = where !== '' ? where : '1_Pooling';
      else if (kind === 'Normalize') normalize = true;
      else if (kind !== 'Transformer') {
        fail(
          `modules.json: module ${where || i} (${type}) is not supported: semroute runs the ONNX graph and applies ` +
            'the Pooling and Normalize modules itself; a module after them would be skipped and change every embedding',
        );
      }
    }
  } else if (await isFile(path.join(dir, '1_Pooling', 'config.json'))) {
    poolingDir = '1_Pooling';
  }

  let pooling: EmbeddingPooling | undefined;
  const poolingFile = poolingDir === undefined ? undefined : `${poolingDir}/config.json`;
  if (poolingFile !== undefined) {
    const cfg = await readJsonFile(dir, poolingFile, fail);
    if (cfg === undefined) fail(`modules.json lists a Pooling module but ${poolingFile} is missing`);
    if (!isObject(cfg)) fail(`${poolingFile} must hold a JSON object`);
    pooling = poolingMode(cfg, poolingFile, fail);
  }
  if (bert === undefined && modules === undefined && poolingFile === undefined) return undefined;
  return { pooling, poolingFile, normalize, maxSeqLength, doLowerCase };
}

/** The one pooling mode a Pooling config turns on: mean, cls or max. */
function poolingMode(cfg: JsonObject, file: string, fail: Fail): EmbeddingPooling {
  const on = Object.keys(POOLING_MODES).filter((k) => cfg[k] === true);
  const unsupported = on.filter((k) => POOLING_MODES[k] === undefined);
  if (unsupported.length > 0) fail(`${file}: ${unsupported.join(', ')} is not supported (semroute pools mean, cls or max)`);
  if (on.length === 0) fail(`${file}: no pooling mode is on (pooling_mode_mean_tokens, pooling_mode_cls_token or pooling_mode_max_tokens)`);
  if (on.length > 1) fail(`${file}: ${on.join(' and ')} are both on; semroute pools one way (sentence-transformers would concatenate them)`);
  return POOLING_MODES[on[0]!]!;
}

/** What a model folder says about pooling: the Pooling module, else config.json "pooling". */
export function folderPooling(st: SentenceTransformersInfo | undefined, config: JsonObject): EmbeddingPooling | undefined {
  if (st?.pooling !== undefined) return st.pooling;
  const c = config.pooling;
  return c === 'mean' || c === 'cls' || c === 'max' ? c : undefined;
}

/** The pooling an embedder applies: the spec's, else the folder's, else mean. */
export function resolvePooling(specPooling: EmbeddingPooling | undefined, folder: { pooling: EmbeddingPooling | undefined }): EmbeddingPooling {
  return specPooling ?? folder.pooling ?? 'mean';
}
