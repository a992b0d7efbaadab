// Reads a YAML config file: ${ENV} substitution, schema validation, file secrets and paths, then
// the cross-reference checks. Every problem is reported with its exact path, all at once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { substituteEnv } from './env.js';
import { resolveFiles } from './files.js';
import { ConfigError, pathString, type ConfigIssue } from './issues.js';
import { checkReferences } from './references.js';
import { configSchema, type Config } from './schema.js';
import { PLUGIN_NAMES } from './schema/decisions.js';

export { ConfigError, type ConfigIssue } from './issues.js';

export interface ParseOptions {
  /** Name used in messages (the file name). */
  source?: string;
  /** Relative paths (models, token files) resolve against this folder. Default: the working directory. */
  baseDir?: string;
  /** Variables for ${VAR} substitution. Default: process.env. */
  env?: Record<string, string | undefined>;
}

function describeIssue(i: z.core.$ZodIssue): ConfigIssue[] {
  if (i.code === 'unrecognized_keys') {
    const inPlugins = i.path.at(-1) === 'plugins';
    return i.keys.map((k) => ({
      path: pathString([...i.path, k]),
      message: inPlugins ? `unknown plugin "${k}" (known: ${PLUGIN_NAMES.join(', ')})` : 'unknown key',
    }));
  }
  return [{ path: pathString(i.path) || '(root)', message: i.message }];
}

/** Validates an already parsed document. Throws ConfigError listing every problem with its path. */
export function parseConfig(doc: unknown, opts: ParseOptions | string = {}): Config {
  const { source = 'config', baseDir = process.cwd(), env = process.env } = typeof opts === 'string' ? { source: opts } : opts;
  const issues: ConfigIssue[] = [];
  const substituted = substituteEnv(doc, env, issues);
  if (issues.length > 0) throw new ConfigError(`${source} is invalid`, issues);

  const result = configSchema.safeParse(substituted);
  if (!result.success) throw new ConfigError(`${source} is invalid`, result.error.issues.flatMap(describeIssue));

  const cfg = resolveFiles(result.data, baseDir, issues);
  issues.push(...checkReferences(cfg));
  if (issues.length > 0) throw new ConfigError(`${source} is invalid`, issues);
  return cfg;
}

export function loadConfigFile(file: string, env?: Record<string, string | undefined>): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${file}`, [{ path: file, message: (e as Error).message }]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(`${file} is not valid YAML`, [{ path: file, message: (e as Error).message }]);
  }
  return parseConfig(doc, { source: file, baseDir: path.dirname(path.resolve(file)), ...(env ? { env } : {}) });
}
