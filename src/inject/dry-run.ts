// `semroute inject --dry-run -f FILE`: the injector's decision on a Pod, or on the pod template of
// a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob), printed as YAML.
import { parseAllDocuments, stringify } from 'yaml';
import { decide, type Decision, type InjectOptions } from './mutate.js';
import { PodSchema } from './pod.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface DryRunResult {
  /** The documents, each mutated where the sidecar would be added. */
  yaml: string;
  /** One line per document: what happened and why. */
  notes: string[];
  /** True when some document has invalid semroute annotations. */
  invalid: boolean;
}

/** Where the pod lives in an object of this kind: [path to the pod-shaped object]. */
function podPath(kind: string): string[] | undefined {
  if (kind === 'Pod') return [];
  if (kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template'];
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController'].includes(kind)) return ['spec', 'template'];
  return undefined;
}

function describe(d: Decision): string {
  if (d.kind === 'inject') return `injected (${d.settings.mode} sidecar)`;
  if (d.kind === 'skip') return `not injected: ${d.reason.replace('_', ' ')}`;
  return `refused: ${d.problems.join('; ')}`;
}

export function dryRun(text: string, opts: InjectOptions): DryRunResult {
  const docs = parseAllDocuments(text);
  const out: unknown[] = [];
  const notes: string[] = [];
  let invalid = false;
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) throw new Error(`document ${i + 1}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    const obj: unknown = doc.toJS();
    if (obj === null || obj === undefined) continue;
    if (!isObject(obj)) throw new Error(`document ${i + 1}: not a Kubernetes object`);
    const meta = isObject(obj.metadata) ? obj.metadata : {};
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const name = `${str(obj.kind) ?? '?'}/${str(meta.name) ?? str(meta.generateName) ?? '?'}`;
    const at = podPath(String(obj.kind));
    if (!at) {
      notes.push(`${name}: not a pod or workload, unchanged`);
      out.push(obj);
      continue;
    }
    // The object holding the pod (the document itself for a Pod) and the key it sits under.
    let holder: Json = obj;
    for (const k of at.slice(0, -1)) {
      const next = holder[k];
      holder = isObject(next) ? next : (holder[k] = {});
    }
    const last = at.at(-1);
    const parsed = PodSchema.safeParse(last === undefined ? obj : (holder[last] ?? {}));
    if (!parsed.success) throw new Error(`${name}: not a pod template: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const d = decide(parsed.data, opts);
    if (d.kind === 'invalid') invalid = true;
    notes.push(`${name}: ${describe(d)}`);
    if (d.kind !== 'inject') out.push(obj);
    else if (last === undefined) out.push(d.pod);
    else {
      holder[last] = d.pod;
      out.push(obj);
    }
  }
  return { yaml: out.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'), notes, invalid };
}
