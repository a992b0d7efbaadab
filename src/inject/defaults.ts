// The injector's defaults for every pod (each can be overridden per pod by annotation).
import type { SidecarSettings } from './overrides.js';

/** The image the injector's own version ships as (the placeholder registry of deploy/kubernetes). */
export function defaultImage(version: string): string {
  return `ghcr.io/example/semroute:${version}`;
}

export function defaultSettings(version: string, mode: SidecarSettings['mode']): SidecarSettings {
  return {
    image: defaultImage(version),
    configMap: 'semroute-config',
    // Requests: one classifier set on CPU; the memory limit bounds a runaway heap (NODE_OPTIONS is
    // not set: the image's node picks its heap from the container limit).
    resources: { cpuRequest: '500m', memoryRequest: '512Mi', memoryLimit: '1Gi' },
    logLevel: 'info',
    listen: 'unix:/run/semroute/extproc.sock',
    adminPort: 9190,
    mode,
    envoyContainer: 'envoy',
    envoyAdminPort: 9901,
  };
}
