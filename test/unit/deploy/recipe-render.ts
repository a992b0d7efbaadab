// Renders a recipe under deploy/recipes/ with `kubectl kustomize` and indexes what came out.
import { execFileSync } from 'node:child_process';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';

export const RECIPES = ['envoy-gateway', 'gie', 'istio', 'agentgateway'] as const;
export type RecipeName = (typeof RECIPES)[number];

export function haveKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Recipe {
  docs: any[];
  /** The one object of `kind` (and `name`, when given); throws when there is none. */
  one(kind: string, name?: string): any;
  all(kind: string): any[];
  semroute: Config;
}

export function renderRecipe(name: string): Recipe {
  const out = execFileSync('kubectl', ['kustomize', `deploy/recipes/${name}`], { encoding: 'utf8' });
  const docs = parseAllDocuments(out).map((d) => d.toJS());
  const all = (kind: string) => docs.filter((d) => d.kind === kind);
  const one = (kind: string, objName?: string) => {
    const found = all(kind).filter((d) => objName === undefined || d.metadata.name === objName);
    if (found.length !== 1) throw new Error(`${name}: ${found.length} ${kind}${objName ? ` named ${objName}` : ''}`);
    return found[0];
  };
  const map = all('ConfigMap').find((m) => m.data?.['semroute.yaml']);
  if (!map) throw new Error(`${name}: no semroute ConfigMap`);
  return { docs, one, all, semroute: parseConfig(parse(map.data['semroute.yaml']), `${name} semroute ConfigMap`) };
}
