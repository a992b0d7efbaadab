// Which semroute this is: the version from package.json, the git commit and the build date.
// The image sets SEMROUTE_GIT_COMMIT and SEMROUTE_BUILD_DATE (deploy/docker/Dockerfile build args);
// a checkout asks git once, and takes dist's build time. Unknown parts read "unknown".
// Shown by `semroute version --json`, logged at start, in /readyz and as semroute_build_info.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Meter } from '@opentelemetry/api';

export interface BuildInfo {
  version: string;
  commit: string;
  buildDate: string;
  node: string;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
// src/telemetry (tsx/jest) and dist/src/telemetry both find the package root by walking up.
function packageRoot(): string {
  for (let dir = HERE; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'semroute') return dir;
    } catch {
      // not here: keep walking
    }
  }
  return process.cwd();
}

function gitCommit(root: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const root = packageRoot();
  let version = 'unknown';
  try {
    const v = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown }).version;
    if (typeof v === 'string') version = v;
  } catch {
    // a package.json without a version: keep "unknown"
  }
  let buildDate = process.env.SEMROUTE_BUILD_DATE || '';
  if (!buildDate) {
    try {
      buildDate = statSync(fileURLToPath(import.meta.url)).mtime.toISOString();
    } catch {
      buildDate = 'unknown';
    }
  }
  cached = { version, commit: process.env.SEMROUTE_GIT_COMMIT || gitCommit(root), buildDate, node: process.version };
  return cached;
}

/** "0.1.0 (abc123def456, 2026-12-02T20:00:00.000Z)" */
export function versionLine(b: BuildInfo = buildInfo()): string {
  return `${b.version} (${b.commit}, ${b.buildDate})`;
}

/** `<prefix>build_info{version,commit,build_date,node} 1`, the Prometheus convention for build metadata. */
export function observeBuildInfo(meter: Meter, prefix: string, b: BuildInfo = buildInfo()): void {
  meter
    .createObservableGauge(`${prefix}build_info`, { description: 'Always 1; the labels say which semroute build this is.' })
    .addCallback((r) => r.observe(1, { version: b.version, commit: b.commit, build_date: b.buildDate, node: b.node }));
}
