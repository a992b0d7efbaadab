// `semroute eval --cache-pairs FILE.jsonl [--model DIR | --config FILE] [--max-false-hits 0.01]
// [--by-kind] [--json] [--provider cpu|cuda|webgpu]`: calibrates the semantic cache's similarity
// on labelled question pairs, one {"a": "...", "b": "...", "same": true|false} per line ("kind"
// optional): a is the cached question, b the new request; same = one answer serves both. Prints,
// per threshold, the false-hit rate (near misses served the other's answer) and the paraphrase hit
// rate, without and with the cache guard, and the lowest threshold meeting --max-false-hits.
// The model: --model, else the config's cache.embedding_model, else the shipped models/embedding.
// Exit 0 on a report, 1 on bad input, 2 on usage.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { cacheSchema } from '../config/schema/state.js';
import { loadModel, type EmbedderHandle } from '../inference/model.js';
import { withDefaults, type ProviderKind } from '../inference/types.js';
import { createCacheGuard } from '../state/cache-guard/index.js';
import type { ScoredPair } from '../state/cache-calibration.js';
import { cachePairsReport, formatCachePairsReport, type KindedPair } from './eval-cache-pairs-report.js';
import type { EvalOutput } from './eval.js';
import { resolveModelDir } from './eval.js';

export const CACHE_PAIRS_USAGE =
  'usage: semroute eval --cache-pairs FILE.jsonl [--model DIR | --config FILE] [--max-false-hits 0.01] [--by-kind] [--json] [--provider cpu|cuda|webgpu]\n';
const PROVIDERS: readonly string[] = ['cpu', 'cuda', 'webgpu'];
const IN_FLIGHT = 64;

class InputError extends Error {}

export interface CachePair {
  a: string;
  b: string;
  same: boolean;
  kind?: string;
  line: number;
}

export function readCachePairs(file: string): CachePair[] {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read pairs ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const pairs: CachePair[] = [];
  content.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new InputError(`${file}:${i + 1}: not valid JSON`);
    }
    const o = v as { a?: unknown; b?: unknown; same?: unknown; kind?: unknown };
    if (typeof v !== 'object' || v === null || typeof o.a !== 'string' || typeof o.b !== 'string' || typeof o.same !== 'boolean' || (o.kind !== undefined && typeof o.kind !== 'string')) {
      throw new InputError(`${file}:${i + 1}: expected {"a": string, "b": string, "same": boolean, "kind"?: string}`);
    }
    pairs.push({ a: o.a, b: o.b, same: o.same, line: i + 1, ...(o.kind !== undefined ? { kind: o.kind } : {}) });
  });
  if (pairs.length === 0) throw new InputError(`${file}: no pairs`);
  if (!pairs.some((p) => !p.same)) throw new InputError(`${file}: no near misses ("same": false): false hits cannot be measured`);
  return pairs;
}

interface Args {
  pairs: string;
  model?: string;
  config?: string;
  maxFalseHits: number;
  byKind: boolean;
  json: boolean;
  provider: ProviderKind;
}

function parse(args: string[]): Args | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'cache-pairs': { type: 'string' },
        model: { type: 'string' },
        config: { type: 'string' },
        'max-false-hits': { type: 'string', default: '0.01' },
        'by-kind': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        provider: { type: 'string', default: 'cpu' },
      },
    }));
  } catch (e) {
    return (e as Error).message;
  }
  const max = values['max-false-hits'];
  if (!values['cache-pairs']) return '--cache-pairs needs a file';
  if (!(max.trim() !== '' && Number(max) >= 0 && Number(max) <= 1)) return `--max-false-hits needs a number from 0 to 1, got "${max}"`;
  if (!PROVIDERS.includes(values.provider)) return `unknown --provider ${values.provider}`;
  return {
    pairs: values['cache-pairs'],
    maxFalseHits: Number(max),
    byKind: values['by-kind'],
    json: values.json,
    provider: values.provider as ProviderKind,
    ...(values.model !== undefined ? { model: values.model } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
  };
}

function loadConfig(file: string): Config {
  try {
    return loadConfigFile(file);
  } catch (e) {
    throw new InputError(e instanceof ConfigError ? e.message : (e as Error).message);
  }
}

/** The cache's embedding model in a config (its path, resolved as serve resolves it). */
function cacheModelDir(file: string, cfg: Config): string {
  const name = cfg.cache.embedding_model;
  const m = cfg.inference.models[name];
  if (!m) throw new InputError(`${file}: cache.embedding_model "${name}" is not an inference model (known: ${Object.keys(cfg.inference.models).sort().join(', ')})`);
  if (m.task !== 'embedding') throw new InputError(`${file}: inference model "${name}" has task ${m.task}; the cache needs task embedding`);
  return m.path;
}

async function embedAll(model: EmbedderHandle, texts: readonly string[]): Promise<Float32Array[]> {
  const out = new Array<Float32Array>(texts.length);
  let next = 0;
  const worker = async () => {
    while (next < texts.length) {
      const i = next++;
      out[i] = await model.embed(texts[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, texts.length) }, worker));
  return out;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length && k < b.length; k++) s += a[k]! * b[k]!;
  return s;
}

export async function runCachePairsEval(args: string[], out: EvalOutput): Promise<number> {
  const parsed = parse(args);
  if (typeof parsed === 'string') {
    out.stderr(`semroute eval: ${parsed}\n${CACHE_PAIRS_USAGE}`);
    return 2;
  }
  let model: EmbedderHandle | undefined;
  try {
    const pairs = readCachePairs(parsed.pairs);
    const cfg = parsed.config ? loadConfig(parsed.config) : undefined;
    const dir = parsed.model ? resolveModelDir(parsed.model) : cfg && parsed.config ? cacheModelDir(parsed.config, cfg) : resolveModelDir('embedding');
    const logger = { info: () => {}, warn: (msg: string, f?: Record<string, unknown>) => out.stderr(`semroute eval: ${msg} ${JSON.stringify(f ?? {})}\n`) };
    model = (await loadModel(
      withDefaults({
        name: 'cache-embedding',
        path: dir,
        task: 'embedding',
        provider: { kind: parsed.provider },
        batching: { maxBatchSize: 32, maxWaitUs: 1000, maxQueue: IN_FLIGHT * 2 },
        timeoutMs: 120_000,
      }),
      { logger },
    )) as EmbedderHandle;
    const texts = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
    const vectors = await embedAll(model, texts);
    const byText = new Map(texts.map((t, i) => [t, vectors[i]!]));
    // The guard as the config sets it (default: every rule on); b is the request, a the cached one.
    const guard = createCacheGuard(cfg?.cache.guard);
    const scored: (ScoredPair & KindedPair)[] = pairs.map((p) => ({
      cosine: cosine(byText.get(p.a)!, byText.get(p.b)!),
      same: p.same,
      guardPass: guard.check(p.b, p.a).pass,
      ...(p.kind !== undefined ? { kind: p.kind } : {}),
    }));
    const report = cachePairsReport(scored, parsed.maxFalseHits, {
      modelDir: dir,
      pairsFile: parsed.pairs,
      provider: model.provider.used,
      guard: cfg ? (cfg.cache.guard.enabled ? 'config' : 'off in config') : 'default',
      similarity: (cfg?.cache ?? cacheSchema.parse({})).similarity,
      similaritySource: cfg ? 'config' : 'default',
    });
    out.stdout(parsed.json ? `${JSON.stringify(report)}\n` : formatCachePairsReport(report, parsed.byKind));
    return 0;
  } catch (e) {
    out.stderr(`semroute eval: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await model?.close();
  }
}
