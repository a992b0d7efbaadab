// `semroute eval --config FILE --dataset FILE.jsonl [--json] [--min-accuracy X]`: routes each line
// of the dataset the way `semroute explain` does (a chat body for the first auto model name, or
// the line's own "body" in its "protocol", inferred when not given) and scores the decisions and
// models against the line's expectations. Exit 0 on a report, 1 on bad input or when an accuracy
// falls below --min-accuracy, 2 on usage.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Protocol } from '../protocol/ir.js';
import { explainRequest, inferProtocol } from '../pipeline/explain.js';
import { buildSnapshot, type RoutingSnapshot } from '../pipeline/snapshot.js';
import type { EvalOutput } from './eval.js';
import { parseRoutingDataset, type BadLine, type RoutingCase } from './eval-routing-dataset.js';
import { formatRoutingReport } from './eval-routing-format.js';
import { belowMinimum, NO_MODEL, routingReport, type RoutedCase } from './eval-routing-report.js';

export const ROUTING_USAGE = 'usage: semroute eval --config FILE --dataset FILE.jsonl [--json] [--min-accuracy X]\n';

class InputError extends Error {}

interface RoutingEvalArgs {
  config: string;
  dataset: string;
  json: boolean;
  minAccuracy?: number;
}

/** The arguments, or the usage problem as a string. */
function parseRoutingArgs(args: string[]): RoutingEvalArgs | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        dataset: { type: 'string' },
        json: { type: 'boolean', default: false },
        'min-accuracy': { type: 'string' },
      },
    }));
  } catch (e) {
    return (e as Error).message;
  }
  if (!values.config) return '--config is required';
  if (!values.dataset) return '--dataset is required';
  const min = values['min-accuracy'];
  if (min !== undefined && !(min.trim() !== '' && Number(min) >= 0 && Number(min) <= 1)) return `--min-accuracy needs a number from 0 to 1, got "${min}"`;
  return { config: values.config, dataset: values.dataset, json: values.json, ...(min !== undefined ? { minAccuracy: Number(min) } : {}) };
}

/** An expectation that names no configured decision or model can never match: a bad line. */
function unknownExpectation(c: RoutingCase, config: Config): string | undefined {
  const decisions = config.decisions.map((d) => d.name);
  const models = [...config.models.map((m) => m.name), NO_MODEL];
  if (c.expectedDecision !== undefined && !decisions.includes(c.expectedDecision)) return `unknown decision "${c.expectedDecision}" (known: ${decisions.join(', ')})`;
  if (c.expectedModel !== undefined && !models.includes(c.expectedModel)) return `unknown model "${c.expectedModel}" (known: ${models.join(', ')})`;
  return undefined;
}

/** The line's request: its body (the auto model name filled in when absent) in its protocol, or a chat body. */
function requestOf(autoModel: string, c: RoutingCase): { protocol: Protocol; body: Buffer } {
  if (!c.body) return { protocol: 'openai.chat', body: Buffer.from(JSON.stringify({ model: autoModel, messages: c.messages })) };
  const doc = c.body.model === undefined ? { model: autoModel, ...c.body } : c.body;
  return { protocol: c.protocol ?? inferProtocol(doc).protocol, body: Buffer.from(JSON.stringify(doc)) };
}

async function route(snapshot: RoutingSnapshot, autoModel: string, c: RoutingCase): Promise<RoutedCase | BadLine> {
  const { protocol, body } = requestOf(autoModel, c);
  const trace = await explainRequest(snapshot, protocol, body);
  if (trace.route === 'explicit') return { line: c.line, error: `not routed: ${trace.why} (leave "model" out or give an auto model name)` };
  if (trace.route !== 'auto') return { line: c.line, error: `the request is refused: ${trace.reply?.message ?? trace.why}` };
  const confidenceOf = (decision: string) => trace.decisions.find((d) => d.name === decision)?.confidence ?? 0;
  return {
    case: c,
    protocol,
    decision: trace.decision,
    model: trace.reply ? NO_MODEL : (trace.model ?? NO_MODEL),
    confidence: confidenceOf(trace.decision),
    ...(c.expectedDecision !== undefined ? { expectedConfidence: confidenceOf(c.expectedDecision) } : {}),
    ms: trace.totalMs,
  };
}

function readDatasetFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read dataset ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function runRoutingEval(args: string[], out: EvalOutput): Promise<number> {
  const parsed = parseRoutingArgs(args);
  if (typeof parsed === 'string') {
    out.stderr(`semroute eval: ${parsed}\n${ROUTING_USAGE}`);
    return 2;
  }
  let snapshot: RoutingSnapshot | undefined;
  try {
    const dataset = parseRoutingDataset(readDatasetFile(parsed.dataset));
    const config = loadConfigFile(parsed.config);
    const autoModel = config.routing.auto_model_names[0];
    if (autoModel === undefined) throw new InputError(`${parsed.config}: routing.auto_model_names is empty, so nothing is routed`);
    const bad = [...dataset.bad];
    const cases = dataset.cases.filter((c) => {
      const problem = unknownExpectation(c, config);
      if (problem) bad.push({ line: c.line, error: problem });
      return !problem;
    });
    snapshot = await buildSnapshot(config, parsed.config);
    const routed: RoutedCase[] = [];
    // One at a time: concurrent requests would share the models and skew the routing times.
    for (const c of cases) {
      const r = await route(snapshot, autoModel, c);
      if ('error' in r) bad.push(r);
      else routed.push(r);
    }
    const order = { decisions: snapshot.router.decisionOrder.map((d) => d.name), models: config.models.map((m) => m.name) };
    const report = routingReport({ config: parsed.config, dataset: parsed.dataset, lines: dataset.lines, bad }, routed, order);
    out.stdout(parsed.json ? `${JSON.stringify(report)}\n` : formatRoutingReport(report));
    if (routed.length === 0) throw new InputError(`${parsed.dataset}: no line could be evaluated`);
    const failures = parsed.minAccuracy === undefined ? [] : belowMinimum(report, parsed.minAccuracy);
    for (const f of failures) out.stderr(`semroute eval: ${f} (--min-accuracy)\n`);
    return failures.length ? 1 : 0;
  } catch (e) {
    if (!(e instanceof InputError || e instanceof ConfigError)) throw e;
    out.stderr(`semroute eval: ${e.message}\n`);
    return 1;
  } finally {
    snapshot?.release();
  }
}
