// `--sidecar-mode auto|native|regular`: how the sidecar is added when a pod does not say
// (semroute.io/sidecar-mode). auto is decided once at start from the cluster's version:
//   1. --kube-version X.Y when given (for clusters whose /version the injector cannot read);
//   2. else GET /version from the API server with the pod's service account (in-cluster);
//   3. native when the version is 1.29 or later (native sidecars beta and on by default since
//      1.29; the SidecarContainers gate can be off on 1.29-1.32: then pass --sidecar-mode regular),
//      regular when it is older or cannot be read (a regular container works on every version).
// The injector reads the version once: restart it (a rollout) after a control-plane upgrade.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { errorMessage } from '../telemetry/errors.js';
import type { SidecarMode } from './overrides.js';

export type ModeFlag = SidecarMode | 'auto';

export const NATIVE_SINCE_MINOR = 29;

/** "1", "30+" (as /version's major/minor read), or "v1.30.2-eks-1" (gitVersion / --kube-version). */
export function parseKubeVersion(v: string): { major: number; minor: number } | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(v.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

export interface ModeChoice {
  mode: SidecarMode;
  why: string;
}

export async function chooseMode(flag: ModeFlag, opts: { kubeVersion?: string; readVersion?: () => Promise<string> }): Promise<ModeChoice> {
  if (flag !== 'auto') return { mode: flag, why: `--sidecar-mode ${flag}` };
  let version = opts.kubeVersion;
  let source = '--kube-version';
  if (version === undefined) {
    source = 'the API server';
    try {
      version = await (opts.readVersion ?? (() => readInClusterVersion()))();
    } catch (e) {
      return { mode: 'regular', why: `auto: cluster version unknown (${errorMessage(e)}), a regular container works everywhere` };
    }
  }
  const v = parseKubeVersion(version);
  if (!v) return { mode: 'regular', why: `auto: cannot read version "${version}" from ${source}` };
  const native = v.major > 1 || v.minor >= NATIVE_SINCE_MINOR;
  return { mode: native ? 'native' : 'regular', why: `auto: Kubernetes ${v.major}.${v.minor} from ${source} ${native ? '>=' : '<'} 1.${NATIVE_SINCE_MINOR}` };
}

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ApiServer {
  host?: string;
  port?: number;
  /** PEM file of the API server's CA. */
  caFile: string;
  tokenFile: string;
}

/** The in-cluster API server, as the service account mount and KUBERNETES_SERVICE_* describe it. */
function inCluster(): ApiServer {
  return {
    ...(process.env.KUBERNETES_SERVICE_HOST ? { host: process.env.KUBERNETES_SERVICE_HOST } : {}),
    port: Number(process.env.KUBERNETES_SERVICE_PORT ?? 443),
    caFile: `${SA}/ca.crt`,
    tokenFile: `${SA}/token`,
  };
}

/** gitVersion from GET /version, trusting the service account's CA. 5 s bound. */
export function readInClusterVersion(api: ApiServer = inCluster()): Promise<string> {
  const host = api.host;
  if (!host) return Promise.reject(new Error('not in a cluster (no KUBERNETES_SERVICE_HOST)'));
  let ca: Buffer;
  try {
    ca = readFileSync(api.caFile);
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
  let token = '';
  try {
    token = readFileSync(api.tokenFile, 'utf8').trim();
  } catch {
    // /version is readable without credentials (system:public-info-viewer)
  }
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port: api.port ?? 443, path: '/version', ca, timeout: 5000, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          try {
            if (res.statusCode !== 200) throw new Error(`GET /version: HTTP ${res.statusCode}`);
            resolve(String((JSON.parse(body) as { gitVersion?: unknown }).gitVersion));
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('GET /version: no answer in 5 s')));
    req.on('error', reject);
    req.end();
  });
}
