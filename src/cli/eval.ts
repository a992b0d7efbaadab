// `semroute eval --model NAME --dataset FILE.jsonl [--json] [--provider cpu|cuda|webgpu]`: runs each
// {"text","label"} line through a sequence classifier and reports accuracy, per-class
// precision/recall/F1 and the confusion matrix. Exit 0 on a report, 1 on bad input, 2 on usage.
// With --config and no --model it evaluates routing instead (eval-routing.ts); with --cache-pairs it
// calibrates the semantic cache's similarity (eval-cache-pairs.ts).
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../config/files.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { evaluate, formatReport } from '../inference/evaluation.js';
import { loadModel, type ClassifierHandle } from '../inference/model.js';
import { withDefaults, type ProviderKind } from '../inference/types.js';
import { CACHE_PAIRS_USAGE, runCachePairsEval } from './eval-cache-pairs.js';
import { ROUTING_USAGE, runRoutingEval } from './eval-routing.js';

export interface EvalOutput {
  stdout(s: string): void;
  stderr(s: string): void;
}

const USAGE = `usage: semroute eval --model NAME|DIR [--config FILE] --dataset FILE.jsonl [--json] [--provider cpu|cuda|webgpu]\n${ROUTING_USAGE.replace('usage:', '      ')}${CACHE_PAIRS_USAGE.replace('usage:', '      ')}`;
const PROVIDERS: readonly string[] = ['cpu', 'cuda', 'webgpu'];
// Enough calls in flight to fill batches without tripping the queue bound.
const IN_FLIGHT = 64;

class InputError extends Error {}

/** NAME as a folder (relative to the current directory), else under models/ here or in the package. */
export function resolveModelDir(name: string, cwd = process.cwd()): string {
  const candidates = [path.resolve(cwd, name), path.resolve(cwd, 'models', name), path.resolve(PACKAGE_ROOT, 'models', name)];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isDirectory());
  if (!found) throw new InputError(`model ${name} not found (looked in ${[...new Set(candidates)].join(', ')})`);
  return found;
}

interface Example {
  text: string;
  label: string;
  line: number;
}

export function readDataset(file: string): Example[] {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read dataset ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const examples: Example[] = [];
  content.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new InputError(`${file}:${line}: not valid JSON`);
    }
    const o = v as { text?: unknown; label?: unknown };
    if (typeof v !== 'object' || v === null || typeof o.text !== 'string' || typeof o.label !== 'string') {
      throw new InputError(`${file}:${line}: expected {"text": string, "label": string}`);
    }
    examples.push({ text: o.text, label: o.label, line });
  });
  if (examples.length === 0) throw new InputError(`${file}: no examples`);
  return examples;
}

async function classifyAll(model: ClassifierHandle, texts: string[]): Promise<string[]> {
  const out: string[] = new Array<string>(texts.length);
  let next = 0;
  const worker = async () => {
    while (next < texts.length) {
      const i = next++;
      out[i] = (await model.classify(texts[i]!)).label;
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, texts.length) }, worker));
  return out;
}

function configModelDir(file: string, name: string): string {
  let cfg;
  try {
    cfg = loadConfigFile(file);
  } catch (e) {
    throw new InputError(e instanceof ConfigError ? e.message : (e as Error).message);
  }
  const m = cfg.inference.models[name];
  if (!m) throw new InputError(`${file}: no inference model "${name}" (known: ${Object.keys(cfg.inference.models).sort().join(', ')})`);
  if (m.task !== 'sequence-classification') throw new InputError(`${file}: inference model "${name}" has task ${m.task}; eval needs sequence-classification`);
  return m.path;
}

/** Cache calibration mode: --cache-pairs given. */
function calibratesCache(args: string[]): boolean {
  const { values } = parseArgs({ args, strict: false, options: { 'cache-pairs': { type: 'string' } } });
  return values['cache-pairs'] !== undefined;
}

/** Routing mode: a config to route with and no classifier named. */
function evaluatesRouting(args: string[]): boolean {
  const { values } = parseArgs({ args, strict: false, options: { model: { type: 'string' }, config: { type: 'string' } } });
  return values.model === undefined && values.config !== undefined;
}

export async function runEval(args: string[], out: EvalOutput): Promise<number> {
  if (calibratesCache(args)) return runCachePairsEval(args, out);
  if (evaluatesRouting(args)) return runRoutingEval(args, out);
  let values: { model?: string; dataset?: string; json?: boolean; provider?: string; config?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        model: { type: 'string' },
        dataset: { type: 'string' },
        json: { type: 'boolean', default: false },
        provider: { type: 'string', default: 'cpu' },
        config: { type: 'string' },
      },
    }));
  } catch (e) {
    out.stderr(`semroute eval: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.model || !values.dataset || !PROVIDERS.includes(values.provider ?? 'cpu')) {
    out.stderr(`semroute eval: ${!values.model ? '--model is required' : !values.dataset ? '--dataset is required' : `unknown --provider ${values.provider}`}\n${USAGE}`);
    return 2;
  }
  let model: ClassifierHandle | undefined;
  try {
    const examples = readDataset(values.dataset);
    // With --config, NAME is an inference model of that config (its path, resolved like serve does).
    const dir = values.config ? configModelDir(values.config, values.model) : resolveModelDir(values.model);
    const logger = { info: () => {}, warn: (msg: string, f?: Record<string, unknown>) => out.stderr(`semroute eval: ${msg} ${JSON.stringify(f ?? {})}\n`) };
    model = (await loadModel(
      withDefaults({
        name: values.model,
        path: dir,
        task: 'sequence-classification',
        provider: { kind: values.provider as ProviderKind },
        batching: { maxBatchSize: 32, maxWaitUs: 1000, maxQueue: IN_FLIGHT * 2 },
        timeoutMs: 120_000,
      }),
      { logger },
    )) as ClassifierHandle;
    const known = new Set(model.labels);
    const unknown = examples.find((e) => !known.has(e.label));
    if (unknown) throw new InputError(`${values.dataset}:${unknown.line}: unknown label "${unknown.label}" (model labels: ${model.labels.join(', ')})`);
    const predicted = await classifyAll(model, examples.map((e) => e.text));
    const report = evaluate(model.labels, examples.map((e, i) => ({ truth: e.label, predicted: predicted[i]! })));
    if (values.json) {
      out.stdout(`${JSON.stringify({ model: values.model, model_dir: dir, dataset: values.dataset, provider: model.provider.used, ...report })}\n`);
    } else {
      out.stdout(`model: ${values.model} (${dir}), provider ${model.provider.used}\ndataset: ${values.dataset} (${report.count} examples)\n${formatReport(report)}`);
    }
    return 0;
  } catch (e) {
    out.stderr(`semroute eval: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await model?.close();
  }
}
