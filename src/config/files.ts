// After validation: paths in the config resolve against the config file's folder, and secrets
// given as files (token_file, password_file) are read, so the rest of semroute sees values.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigIssue } from './issues.js';
import type { Config } from './schema.js';
import { BUILTIN_INFERENCE_MODELS } from './schema/inference.js';

/** The package root (where models/ ships): the nearest folder above this file with semroute's package.json. */
export const PACKAGE_ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      if ((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'semroute') return dir;
    } catch {
      // no package.json here, or not ours: keep climbing
    }
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
})();

function readSecret(file: string, where: string, issues: ConfigIssue[]): string | undefined {
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value === '') issues.push({ path: where, message: `${file} is empty` });
    return value;
  } catch (e) {
    issues.push({ path: where, message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    return undefined;
  }
}

export function resolveFiles(cfg: Config, baseDir: string, issues: ConfigIssue[]): Config {
  const abs = (p: string) => path.resolve(baseDir, p);

  const models: Config['inference']['models'] = {};
  for (const [name, m] of Object.entries(BUILTIN_INFERENCE_MODELS)) {
    models[name] = { ...m, path: path.join(PACKAGE_ROOT, m.path) };
  }
  for (const [name, m] of Object.entries(cfg.inference.models)) models[name] = { ...m, path: abs(m.path) };

  const admin_tokens = cfg.security.admin_tokens.map((t, i) => {
    if (t.token_file === undefined) return t;
    const file = abs(t.token_file);
    return { ...t, token_file: file, token: readSecret(file, `security.admin_tokens[${i}].token_file`, issues) };
  });

  let redis = cfg.state.redis;
  if (redis) {
    const tls = { ...redis.tls };
    for (const k of ['ca_file', 'cert_file', 'key_file'] as const) if (tls[k] !== undefined) tls[k] = abs(tls[k]);
    redis = { ...redis, tls };
    if (redis.password_file !== undefined) {
      const file = abs(redis.password_file);
      redis = { ...redis, password_file: file, password: readSecret(file, 'state.redis.password_file', issues) };
    }
  }

  // TLS files are read by the listeners (and re-read on change), not here: only their paths resolve.
  const listenerTls = <T extends { cert_file: string; key_file: string; client_ca_file?: string | undefined }>(t: T | undefined): T | undefined =>
    t && { ...t, cert_file: abs(t.cert_file), key_file: abs(t.key_file), ...(t.client_ca_file !== undefined ? { client_ca_file: abs(t.client_ca_file) } : {}) };
  const grpcTls = listenerTls(cfg.listeners.grpc.tls);
  const adminTls = listenerTls(cfg.listeners.admin.tls);
  const listeners = {
    grpc: { ...cfg.listeners.grpc, ...(grpcTls ? { tls: grpcTls } : {}) },
    admin: { ...cfg.listeners.admin, ...(adminTls ? { tls: adminTls } : {}) },
  };

  return {
    ...cfg,
    listeners,
    inference: { ...cfg.inference, models },
    security: { ...cfg.security, admin_tokens },
    state: { ...cfg.state, ...(redis ? { redis } : {}) },
  };
}
