// `semroute validate FILE [--json]`, `semroute schema [--format json|markdown]` and
// `semroute config migrate FILE [--to VERSION]`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { CURRENT_VERSION, MigrationError, migrate, type ConfigDocument } from '../config/migrate.js';
import { ConfigError, formatIssue, type ConfigIssue } from '../config/issues.js';
import { configJsonSchema } from '../config/json-schema.js';
import { loadConfigFile, parseConfig } from '../config/load.js';
import { configReferenceMarkdown } from '../config/reference-doc.js';
import type { Config } from '../config/schema.js';
import { SIGNAL_KINDS } from '../config/schema/signals.js';
import { buildSnapshot } from '../pipeline/snapshot.js';
import { UsageError } from './usage.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

interface Out {
  write(s: string): unknown;
}

function summary(cfg: Config) {
  return {
    models: cfg.models.length,
    decisions: cfg.decisions.length,
    signals: SIGNAL_KINDS.reduce((n, k) => n + cfg.signals[k].length, 0),
  };
}

/** Exit 0 when the file would be accepted by `serve` (schema, references and build), else 1. */
export async function runValidate(args: string[], out: Out, err: Out = process.stderr): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('validate needs exactly one FILE');
  let issues: ConfigIssue[] = [];
  let cfg: Config | undefined;
  try {
    cfg = loadConfigFile(file);
    (await buildSnapshot(cfg, file)).release();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues = e.issues;
  }
  const valid = issues.length === 0;
  if (values.json) {
    out.write(`${JSON.stringify({ file, valid, errors: issues, ...(valid && cfg ? { summary: summary(cfg) } : {}) })}\n`);
  } else if (valid && cfg) {
    const s = summary(cfg);
    out.write(`${file}: valid (${plural(s.models, 'model')}, ${plural(s.decisions, 'decision')}, ${plural(s.signals, 'signal')})\n`);
  } else {
    err.write(`${file}: invalid, ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${issues.map((i) => `  ${formatIssue(i)}\n`).join('')}`);
  }
  return valid ? 0 : 1;
}

export function runSchema(args: string[], out: Out): number {
  const { values } = parseArgs({ args, options: { format: { type: 'string', default: 'json' } } });
  const schema = configJsonSchema();
  if (values.format === 'json') out.write(`${JSON.stringify(schema, null, 2)}\n`);
  else if (values.format === 'markdown') out.write(configReferenceMarkdown(schema));
  else throw new UsageError(`unknown --format "${values.format}" (json or markdown)`);
  return 0;
}

/**
 * `semroute config migrate FILE [--to VERSION]`: the file rewritten for VERSION (default the
 * current one) on stdout, after checking that the result loads. Comments are not kept.
 */
export function runConfig(args: string[], out: Out, err: Out = process.stderr): number {
  const [sub, ...rest] = args;
  if (sub !== 'migrate') throw new UsageError(`unknown config command "${sub ?? ''}" (migrate)`);
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { to: { type: 'string', default: CURRENT_VERSION } } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('config migrate needs exactly one FILE');
  let result;
  try {
    result = migrate(parse(readFileSync(file, 'utf8')) as ConfigDocument, values.to);
  } catch (e) {
    if (!(e instanceof MigrationError)) throw e;
    err.write(`${file}: ${e.message}\n`);
    return 1;
  }
  if (result.doc.version === CURRENT_VERSION) parseConfig(result.doc, file); // throws ConfigError: printed by main
  for (const s of result.steps) err.write(`${file}: ${s.from} -> ${s.to}: ${s.summary}\n`);
  out.write(stringify(result.doc));
  return 0;
}
