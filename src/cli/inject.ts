// `semroute inject` (the webhook server), `semroute inject --dry-run -f FILE`, `semroute inject certs`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { listenHostPort } from '../config/addresses.js';
import { defaultSettings } from '../inject/defaults.js';
import { dryRun } from '../inject/dry-run.js';
import { chooseMode, type ModeFlag } from '../inject/mode.js';
import { resolveSettings, type SidecarSettings } from '../inject/overrides.js';
import { startInjector, type Injector } from '../inject/server.js';
import { OVERRIDE_KEYS } from '../inject/keys.js';
import { buildInfo } from '../telemetry/build-info.js';
import { createLogger, isLogLevel } from '../telemetry/logger.js';
import { runInjectCerts } from './inject-certs.js';
import { UsageError } from './usage.js';

interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
}

const MODES = new Set(['auto', 'native', 'regular']);

/** Flags that set the defaults, spelled like the annotations (semroute.io/cpu-request → --cpu-request). */
const DEFAULT_FLAGS = ['image', 'config-map', 'cpu-request', 'memory-request', 'cpu-limit', 'memory-limit', 'listen-socket', 'admin-port', 'envoy-container', 'envoy-admin-port'] as const;

function defaultsFrom(values: Record<string, unknown>, mode: SidecarSettings['mode']): SidecarSettings {
  // Checked by the same parser as the annotations, so a bad flag fails like a bad annotation.
  const asAnnotations: Record<string, string> = {};
  for (const flag of DEFAULT_FLAGS) {
    const v = values[flag];
    if (typeof v !== 'string') continue;
    const key = flag === 'listen-socket' ? OVERRIDE_KEYS.listen : `semroute.io/${flag}`;
    asAnnotations[key] = v;
  }
  const r = resolveSettings(asAnnotations, defaultSettings(buildInfo().version, mode));
  if (!r.ok) throw new UsageError(r.problems.map((p) => p.replace(/^semroute\.io\//, '--')).join('; '));
  return r.settings;
}

export async function runInject(args: string[], io: Io): Promise<number | Injector> {
  if (args[0] === 'certs') return runInjectCerts(args.slice(1), io);
  const { values } = parseArgs({
    args,
    options: {
      'dry-run': { type: 'boolean', default: false },
      file: { type: 'string', short: 'f' },
      listen: { type: 'string', default: '0.0.0.0:8443' },
      'tls-cert': { type: 'string', default: '/etc/semroute-inject/tls/tls.crt' },
      'tls-key': { type: 'string', default: '/etc/semroute-inject/tls/tls.key' },
      'sidecar-mode': { type: 'string', default: 'auto' },
      'kube-version': { type: 'string' },
      'on-invalid': { type: 'string', default: 'admit' },
      'log-level': { type: 'string' },
      ...Object.fromEntries(DEFAULT_FLAGS.map((f) => [f, { type: 'string' as const }])),
    },
  });
  const modeFlag = values['sidecar-mode'];
  if (!MODES.has(modeFlag)) throw new UsageError(`--sidecar-mode must be auto, native or regular (got "${modeFlag}")`);
  const onInvalid = values['on-invalid'];
  if (onInvalid !== 'admit' && onInvalid !== 'deny') throw new UsageError(`--on-invalid must be admit or deny (got "${onInvalid}")`);
  const level = values['log-level'];
  if (level !== undefined && !isLogLevel(level)) throw new UsageError(`--log-level must be debug, info, warn or error`);

  if (values['dry-run']) {
    if (!values.file) throw new UsageError('inject --dry-run needs -f FILE (- for stdin)');
    // No cluster to ask: auto is native unless --kube-version names an older one.
    const choice =
      modeFlag === 'auto' && values['kube-version'] === undefined
        ? { mode: 'native' as const }
        : await chooseMode(modeFlag as ModeFlag, values['kube-version'] !== undefined ? { kubeVersion: values['kube-version'] } : {});
    const text = readFileSync(values.file === '-' ? 0 : values.file, 'utf8');
    const r = dryRun(text, { defaults: defaultsFrom(values, choice.mode), version: buildInfo().version });
    io.stdout(r.yaml);
    for (const n of r.notes) io.stderr(`semroute inject: ${n}\n`);
    return r.invalid ? 1 : 0;
  }

  const logger = createLogger(level ? { level } : {});
  const choice = await chooseMode(modeFlag as ModeFlag, values['kube-version'] !== undefined ? { kubeVersion: values['kube-version'] } : {});
  return startInjector({
    ...listenHostPort(values.listen),
    certFile: values['tls-cert'],
    keyFile: values['tls-key'],
    defaults: defaultsFrom(values, choice.mode),
    modeReason: choice.why,
    onInvalid,
    logger,
  });
}
