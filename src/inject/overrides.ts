// Per-pod settings: the injector's defaults, overridden by the pod's annotations. Every value is
// checked here; an invalid one is reported with its annotation key, and the pod is not patched.
import { z } from 'zod';
import { INJECT_ANNOTATION, OVERRIDE_KEYS, PREFIX, STATUS_ANNOTATION, type OverrideName } from './keys.js';

export type SidecarMode = 'native' | 'regular';

export interface SidecarSettings {
  image: string;
  configMap: string;
  resources: { cpuRequest: string; memoryRequest: string; cpuLimit?: string; memoryLimit: string };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** gRPC listener: unix:/run/semroute/NAME.sock (shared emptyDir) or 127.0.0.1:PORT. */
  listen: string;
  adminPort: number;
  mode: SidecarMode;
  /** The container that runs Envoy (gets the socket volume mounted); default "envoy". */
  envoyContainer: string;
  envoyAdminPort: number;
}

// Kubernetes resource.Quantity, as the API server accepts it.
const quantity = z.string().regex(/^[+]?(\d+|\d+\.\d*|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/, 'a Kubernetes quantity such as 500m, 1, 512Mi');
const port = z.coerce.number().int().min(1).max(65535);
// The socket must live in the shared emptyDir (/run/semroute); TCP only on loopback.
const listen = z.string().regex(/^(unix:\/run\/semroute\/[A-Za-z0-9._-]+\.sock|127\.0\.0\.1:\d{1,5})$/, 'unix:/run/semroute/NAME.sock or 127.0.0.1:PORT');
// An image reference: [registry/]path[:tag][@sha256:digest], no spaces.
const image = z.string().regex(/^[a-z0-9]([a-z0-9._\-/:]*[a-z0-9])?(@sha256:[a-f0-9]{64})?$/i, 'an image reference such as ghcr.io/org/semroute:1.2.3');
const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a DNS-1123 name');
const dnsSubdomain = z.string().max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a DNS-1123 subdomain');

const PARSERS: Record<OverrideName, z.ZodType> = {
  image,
  configMap: dnsSubdomain,
  cpuRequest: quantity,
  memoryRequest: quantity,
  cpuLimit: quantity,
  memoryLimit: quantity,
  logLevel: z.enum(['debug', 'info', 'warn', 'error']),
  listen,
  adminPort: port,
  sidecarMode: z.enum(['native', 'regular']),
  envoyContainer: dnsLabel,
  envoyAdminPort: port,
};

export type OverridesResult = { ok: true; settings: SidecarSettings } | { ok: false; problems: string[] };

const KNOWN = new Set<string>([INJECT_ANNOTATION, STATUS_ANNOTATION, ...Object.values(OVERRIDE_KEYS)]);

/** The pod's settings: `defaults` with each valid override applied, or every problem found. */
export function resolveSettings(annotations: Record<string, string>, defaults: SidecarSettings): OverridesResult {
  const problems: string[] = [];
  for (const key of Object.keys(annotations)) {
    if (key.startsWith(PREFIX) && !KNOWN.has(key)) problems.push(`${key}: unknown annotation (known: ${[...KNOWN].sort().join(', ')})`);
  }
  const values: Partial<Record<OverrideName, unknown>> = {};
  for (const [name, key] of Object.entries(OVERRIDE_KEYS) as Array<[OverrideName, string]>) {
    const raw = annotations[key];
    if (raw === undefined) continue;
    const r = PARSERS[name].safeParse(raw.trim());
    if (r.success) values[name] = r.data;
    else problems.push(`${key}: ${JSON.stringify(raw)} is not ${r.error.issues[0]?.message ?? 'valid'}`);
  }
  if (problems.length > 0) return { ok: false, problems };
  const str = (n: OverrideName, d: string) => (values[n] as string | undefined) ?? d;
  const num = (n: OverrideName, d: number) => (values[n] as number | undefined) ?? d;
  const cpuLimit = (values.cpuLimit as string | undefined) ?? defaults.resources.cpuLimit;
  const settings: SidecarSettings = {
    image: str('image', defaults.image),
    configMap: str('configMap', defaults.configMap),
    resources: {
      cpuRequest: str('cpuRequest', defaults.resources.cpuRequest),
      memoryRequest: str('memoryRequest', defaults.resources.memoryRequest),
      memoryLimit: str('memoryLimit', defaults.resources.memoryLimit),
      ...(cpuLimit !== undefined ? { cpuLimit } : {}),
    },
    logLevel: str('logLevel', defaults.logLevel) as SidecarSettings['logLevel'],
    listen: str('listen', defaults.listen),
    adminPort: num('adminPort', defaults.adminPort),
    mode: str('sidecarMode', defaults.mode) as SidecarMode,
    envoyContainer: str('envoyContainer', defaults.envoyContainer),
    envoyAdminPort: num('envoyAdminPort', defaults.envoyAdminPort),
  };
  if (settings.adminPort === settings.envoyAdminPort) {
    return { ok: false, problems: [`${OVERRIDE_KEYS.adminPort}: ${settings.adminPort} is also Envoy's admin port`] };
  }
  return { ok: true, settings };
}
