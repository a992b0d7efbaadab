// Reads a YAML config file, validates it against the schema and the cross-references.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { checkReferences } from './references.js';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: string[],
  ) {
    super(`${message}:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function issuePath(path: PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function describeIssue(i: z.core.$ZodIssue): string[] {
  if (i.code === 'unrecognized_keys') {
    return i.keys.map((k) => `${issuePath([...i.path, k])}: unknown key`);
  }
  return [`${issuePath(i.path) || '(root)'}: ${i.message}`];
}

/** Validates an already parsed document. Throws ConfigError listing every problem with its path. */
export function parseConfig(doc: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(doc);
  if (!result.success) {
    throw new ConfigError(
      `${source} is invalid`,
      result.error.issues.flatMap(describeIssue),
    );
  }
  const problems = checkReferences(result.data);
  if (problems.length > 0) throw new ConfigError(`${source} is invalid`, problems);
  return result.data;
}

export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${file}`, [(e as Error).message]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(`${file} is not valid YAML`, [(e as Error).message]);
  }
  return parseConfig(doc, file);
}
