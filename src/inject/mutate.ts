// One pod in, one decision out: inject (the mutated pod and the JSONPatch from the original to
// it), skip (and why), or invalid (the problems, each naming its annotation). Pure: no I/O.
import jsonpatch, { type Operation } from 'fast-json-patch';
import { CONTAINER_NAME, INJECT_ANNOTATION, INJECT_LABEL, SOCKET_DIR, STATUS_ANNOTATION, VOLUME_NAMES } from './keys.js';
import { resolveSettings, type SidecarSettings } from './overrides.js';
import type { Container, Pod } from './pod.js';
import { sidecarContainer, sidecarVolumes, type VolumeNames } from './sidecar.js';

export type SkipReason = 'already_injected' | 'host_network' | 'opted_out';

export type Decision =
  | { kind: 'inject'; pod: Pod; patch: Operation[]; settings: SidecarSettings }
  | { kind: 'skip'; reason: SkipReason }
  | { kind: 'invalid'; problems: string[] };

export interface InjectOptions {
  defaults: SidecarSettings;
  /** Written into the status annotation (which version injected this pod). */
  version: string;
}

const OFF = new Set(['disabled', 'false']);

/** `base`, or base-2, base-3 … when the pod already has a volume of that name. */
function freeName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

export function decide(pod: Pod, opts: InjectOptions): Decision {
  const annotations = pod.metadata?.annotations ?? {};
  const labels = pod.metadata?.labels ?? {};
  const spec = pod.spec ?? {};
  const containerNames = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name);

  // Idempotence: our status annotation, or a container already called semroute (injected by us
  // before, by hand, or by another tool): leave the pod as it is. Reinvocation lands here too.
  if (annotations[STATUS_ANNOTATION] !== undefined || containerNames.includes(CONTAINER_NAME)) return { kind: 'skip', reason: 'already_injected' };
  if (OFF.has((annotations[INJECT_ANNOTATION] ?? '').toLowerCase()) || OFF.has((labels[INJECT_LABEL] ?? '').toLowerCase())) {
    return { kind: 'skip', reason: 'opted_out' };
  }
  // hostNetwork pods share the node's ports: the admin port would clash between pods on a node.
  if (spec.hostNetwork === true) return { kind: 'skip', reason: 'host_network' };

  const resolved = resolveSettings(annotations, opts.defaults);
  if (!resolved.ok) return { kind: 'invalid', problems: resolved.problems };
  const s = resolved.settings;

  const mutated: Pod = structuredClone(pod);
  const mspec = (mutated.spec ??= {});
  const containers = (mspec.containers ??= []);
  const envoyInit = (mspec.initContainers ?? []).findIndex((c) => c.name === s.envoyContainer);
  const envoy: Container | undefined = envoyInit >= 0 ? mspec.initContainers?.[envoyInit] : containers.find((c) => c.name === s.envoyContainer);
  const unix = s.listen.startsWith('unix:');
  if (unix && !envoy) {
    return { kind: 'invalid', problems: [`no container named "${s.envoyContainer}" to share the socket with (set semroute.io/envoy-container)`] };
  }
  if (unix && (envoy?.volumeMounts ?? []).some((m) => m.mountPath === SOCKET_DIR)) {
    return { kind: 'invalid', problems: [`container "${s.envoyContainer}" already mounts something at ${SOCKET_DIR}`] };
  }

  const taken = new Set((mspec.volumes ?? []).map((v) => v.name));
  const volumes: VolumeNames = {
    config: freeName(VOLUME_NAMES.config, taken),
    tmp: freeName(VOLUME_NAMES.tmp, taken),
    socket: unix ? freeName(VOLUME_NAMES.socket, taken) : VOLUME_NAMES.socket,
  };
  const container = sidecarContainer(s, volumes);
  if (s.mode === 'native') {
    // Before Envoy when Envoy is itself a native sidecar (it starts after semroute and, as
    // sidecars stop in reverse order, stops first); else after the pod's own init containers,
    // which then run without waiting for semroute's models to load.
    const inits = (mspec.initContainers ??= []);
    inits.splice(envoyInit >= 0 ? envoyInit : inits.length, 0, container);
  } else {
    containers.push(container);
  }
  const added = sidecarVolumes(s, volumes);
  (mspec.volumes ??= []).push(...added);
  if (unix && envoy) (envoy.volumeMounts ??= []).push({ name: volumes.socket, mountPath: SOCKET_DIR });

  const meta = (mutated.metadata ??= {});
  const status = { version: opts.version, mode: s.mode, container: CONTAINER_NAME, volumes: added.map((v) => v.name) };
  const outAnnotations: Record<string, string> = { ...(meta.annotations ?? {}), [STATUS_ANNOTATION]: JSON.stringify(status) };
  // Regular mode appends a container: keep `kubectl logs/exec` defaulting to the app's first one.
  const first = containers[0];
  if (s.mode === 'regular' && first && first !== container && outAnnotations['kubectl.kubernetes.io/default-container'] === undefined) {
    outAnnotations['kubectl.kubernetes.io/default-container'] = first.name;
  }
  meta.annotations = outAnnotations;
  return { kind: 'inject', pod: mutated, patch: jsonpatch.compare(pod, mutated), settings: s };
}
