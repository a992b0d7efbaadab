// The names a pod carries for the injector: one label to opt in (selectable by the webhook's
// objectSelector and namespaceSelector), and annotations under one prefix to override or opt out.
// docs/injection.md lists them; the webhook refuses a pod with an unknown key under the prefix
// (a typo would otherwise be ignored silently).

export const PREFIX = 'semroute.io/';

/** Label on a pod or namespace: "enabled" opts in; "disabled" on a pod opts out of a namespace's opt-in. */
export const INJECT_LABEL = `${PREFIX}inject`;
/** Annotation with the same name and values: "disabled" (or "false") opts a pod out. */
export const INJECT_ANNOTATION = INJECT_LABEL;
/** Written by the injector: JSON {version, mode, container, volumes}. Its presence means "already injected". */
export const STATUS_ANNOTATION = `${PREFIX}status`;

/** The override annotations (value syntax in overrides.ts). */
export const OVERRIDE_KEYS = {
  image: `${PREFIX}image`,
  configMap: `${PREFIX}config-map`,
  cpuRequest: `${PREFIX}cpu-request`,
  memoryRequest: `${PREFIX}memory-request`,
  cpuLimit: `${PREFIX}cpu-limit`,
  memoryLimit: `${PREFIX}memory-limit`,
  logLevel: `${PREFIX}log-level`,
  listen: `${PREFIX}listen`,
  adminPort: `${PREFIX}admin-port`,
  sidecarMode: `${PREFIX}sidecar-mode`,
  envoyContainer: `${PREFIX}envoy-container`,
  envoyAdminPort: `${PREFIX}envoy-admin-port`,
} as const;

export type OverrideName = keyof typeof OVERRIDE_KEYS;

/** The injected container's name; a pod with a container or init container of this name is left alone. */
export const CONTAINER_NAME = 'semroute';

/** Volume names the injector adds (a suffix is appended when the pod already uses one). */
export const VOLUME_NAMES = { socket: 'semroute-socket', config: 'semroute-config', tmp: 'semroute-tmp' } as const;

export const SOCKET_DIR = '/run/semroute';
export const CONFIG_DIR = '/etc/semroute';
