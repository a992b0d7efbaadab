// The config migration seam. `version: v1` is stable: every later v1 release reads every v1 file.
// A future v2 adds one entry here (v1 -> v2: a function of the parsed YAML document) and
// `semroute config migrate FILE` rewrites old files; serve keeps refusing a version it does not
// know, so an upgrade never reinterprets a file silently.
// Each step maps a document of version `from` to a document of version `to`; migrate() chains
// steps until the target is reached.

export type ConfigDocument = Record<string, unknown>;

export interface Migration {
  from: string;
  to: string;
  /** Pure: a new document of version `to` (the input is not modified). */
  migrate(doc: ConfigDocument): ConfigDocument;
  /** One line on what changed, printed by `semroute config migrate`. */
  summary: string;
}

/** The newest config version this build writes. */
export const CURRENT_VERSION = 'v1';

/** from -> step. v1 -> v1 is the identity: the current version migrates to itself. */
export const MIGRATIONS: ReadonlyMap<string, Migration> = new Map([
  ['v1', { from: 'v1', to: 'v1', summary: 'v1 is current: nothing to change', migrate: (doc) => structuredClone(doc) }],
]);

export class MigrationError extends Error {}

export interface MigrationResult {
  doc: ConfigDocument;
  steps: Migration[];
}

export function migrate(doc: ConfigDocument, to: string = CURRENT_VERSION, registry: ReadonlyMap<string, Migration> = MIGRATIONS): MigrationResult {
  const from = doc.version;
  if (typeof from !== 'string') throw new MigrationError('the file has no "version:" (expected v1)');
  if (!registry.has(from)) throw new MigrationError(`unknown config version "${from}" (known: ${[...registry.keys()].join(', ')})`);
  const steps: Migration[] = [];
  let current = doc;
  let version = from;
  const seen = new Set<string>();
  for (;;) {
    const step = registry.get(version);
    if (!step) throw new MigrationError(`no migration from ${version} towards ${to}`);
    current = step.migrate(current);
    if (current.version !== step.to) throw new MigrationError(`migration ${step.from} -> ${step.to} wrote version ${String(current.version)}`);
    steps.push(step);
    if (step.to === to) return { doc: current, steps };
    if (seen.has(version) || step.to === version) throw new MigrationError(`no path from ${from} to ${to}`);
    seen.add(version);
    version = step.to;
  }
}
