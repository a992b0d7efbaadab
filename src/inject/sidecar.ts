// The objects the injector adds to a pod: the semroute container and its volumes. Plain JSON in
// the shape of the Kubernetes API (k8s.io/api core/v1), built from resolved settings.
import { CONFIG_DIR, CONTAINER_NAME, SOCKET_DIR } from './keys.js';
import type { SidecarSettings } from './overrides.js';
import type { Container, Volume } from './pod.js';

export interface VolumeNames {
  socket: string;
  config: string;
  tmp: string;
}

/** Seconds semroute keeps serving after SIGTERM for streams still open (the pod's grace period covers it). */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Regular-container mode only (a native sidecar is stopped by the kubelet after the app
 * containers): wait, at most 300 s, until Envoy's admin port refuses connections, so that semroute
 * outlives every ext_proc stream. The same hook as deploy/kubernetes/base/deployment.yaml.
 */
const WAIT_FOR_ENVOY = `const port = process.env.ENVOY_ADMIN_PORT || '9901';
const end = Date.now() + 1000 * Number(process.env.ENVOY_WAIT_MAX_S || 300);
(async () => {
  while (Date.now() < end) {
    try {
      await fetch(\`http://127.0.0.1:\${port}/ready\`, { signal: AbortSignal.timeout(2000) });
    } catch (e) {
      if (e?.cause?.code === 'ECONNREFUSED') return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
})();
`;

export function sidecarContainer(s: SidecarSettings, volumes: VolumeNames): Container {
  const unix = s.listen.startsWith('unix:');
  const admin = { path: '/healthz', port: s.adminPort };
  const container: Container = {
    name: CONTAINER_NAME,
    image: s.image,
    // The image's entrypoint runs `semroute <args>` (deploy/docker/entrypoint.sh).
    args: [
      'serve',
      '--config', `${CONFIG_DIR}/semroute.yaml`,
      '--grpc-listen', s.listen,
      // Envoy runs under another uid and the pod sets no fsGroup for it: the socket is open to
      // every uid, in an emptyDir only Envoy and semroute mount (no wider than loopback TCP, which
      // every container of the pod reaches).
      ...(unix ? ['--grpc-socket-mode', '0666'] : []),
      // All interfaces: the kubelet's probes and Prometheus reach the admin listener on the pod IP.
      '--admin-listen', `0.0.0.0:${s.adminPort}`,
      '--shutdown-grace-ms', String(SHUTDOWN_GRACE_MS),
    ],
    ports: [{ name: 'semroute-admin', containerPort: s.adminPort, protocol: 'TCP' }],
    env: [
      { name: 'SEMROUTE_LOG_LEVEL', value: s.logLevel },
      { name: 'ENVOY_ADMIN_PORT', value: String(s.envoyAdminPort) },
      // Envoy runs under another uid: the socket must be writable by it (the emptyDir is private to the pod).
      ...(unix ? [{ name: 'SEMROUTE_UMASK', value: '0000' }] : []),
    ],
    resources: {
      requests: { cpu: s.resources.cpuRequest, memory: s.resources.memoryRequest },
      limits: { memory: s.resources.memoryLimit, ...(s.resources.cpuLimit ? { cpu: s.resources.cpuLimit } : {}) },
    },
    // Probes on the admin listener (the gRPC listener may be a Unix socket the kubelet cannot dial).
    // Startup: models load at start, up to 2 minutes. Readiness: /readyz (config loaded, models up).
    // Liveness: /healthz answers while the event loop turns, also while draining.
    startupProbe: { httpGet: { ...admin, path: '/readyz' }, periodSeconds: 2, failureThreshold: 60, timeoutSeconds: 2 },
    readinessProbe: { httpGet: { ...admin, path: '/readyz' }, periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2 },
    livenessProbe: { httpGet: admin, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [
      { name: volumes.config, mountPath: CONFIG_DIR, readOnly: true },
      { name: volumes.tmp, mountPath: '/tmp' },
      ...(unix ? [{ name: volumes.socket, mountPath: SOCKET_DIR }] : []),
    ],
  };
  if (s.mode === 'native') {
    // A native sidecar: started before the app containers (its startup probe gates them), stopped
    // after they exit, and it does not keep a Job from completing.
    container.restartPolicy = 'Always';
  } else {
    container.lifecycle = { preStop: { exec: { command: ['node', '-e', WAIT_FOR_ENVOY] } } };
  }
  return container;
}

export function sidecarVolumes(s: SidecarSettings, names: VolumeNames): Volume[] {
  return [
    { name: names.config, configMap: { name: s.configMap } },
    { name: names.tmp, emptyDir: { sizeLimit: '64Mi' } },
    // Holds only the socket: memory-backed, tiny.
    ...(s.listen.startsWith('unix:') ? [{ name: names.socket, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }] : []),
  ];
}
