// The container the injector writes actually runs: its args and env (from a real patch) go
// through the image's entrypoint (deploy/docker/entrypoint.sh) against a config like the mounted
// ConfigMap; the probes' paths answer on the admin port, the gRPC listener is the Unix socket in the
// shared folder, and the socket is writable by another uid (SEMROUTE_UMASK), as Envoy needs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { defaultSettings } from '../../src/inject/defaults.js';
import { decide } from '../../src/inject/mutate.js';
import { ensureBuilt, exitOf, ROOT } from '../helpers/cli.js';
import { baseConfigDoc } from '../helpers/config.js';
import { gatewayPod } from '../helpers/inject.js';
import { until } from '../helpers/until.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

let dir: string;
let child: ChildProcess | undefined;
let container: any;
let output = '';

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-injected-'));
  const adminPort = await freePort();
  const d = decide(gatewayPod({ annotations: { 'semroute.io/admin-port': String(adminPort) } }), { defaults: defaultSettings('0.1.0', 'native'), version: '0.1.0' });
  if (d.kind !== 'inject') throw new Error(d.kind);
  container = d.pod.spec!.initContainers!.find((c) => c.name === 'semroute');
  // The pod's mounts, as folders of the temp dir.
  mkdirSync(path.join(dir, 'etc/semroute'), { recursive: true });
  mkdirSync(path.join(dir, 'run/semroute'), { recursive: true });
  writeFileSync(path.join(dir, 'etc/semroute/semroute.yaml'), stringify(baseConfigDoc()));
  const args = (container.args as string[]).map((a) => a.replace('/etc/semroute', path.join(dir, 'etc/semroute')).replace('/run/semroute', path.join(dir, 'run/semroute')));
  const env = Object.fromEntries((container.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
  // The entrypoint where the image has it (/app/bin), next to the built dist/ (linked).
  mkdirSync(path.join(dir, 'app/bin'), { recursive: true });
  copyFileSync(path.join(ROOT, 'deploy/docker/entrypoint.sh'), path.join(dir, 'app/bin/semroute-entrypoint'));
  symlinkSync(path.join(ROOT, 'dist'), path.join(dir, 'app/dist'));
  child = spawn(path.join(dir, 'app/bin/semroute-entrypoint'), args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  await until(() => /"msg":"semroute ready"/.test(output) || child?.exitCode !== null, 20_000, 'semroute ready');
  if (child.exitCode !== null) throw new Error(`exited:\n${output}`);
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await exitOf(child);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the injected semroute container', () => {
  it('answers its startup, readiness and liveness probes on the admin port', async () => {
    for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
      const r = await fetch(`http://127.0.0.1:${probe.httpGet.port}${probe.httpGet.path}`);
      expect(r.status).toBe(200);
    }
  });

  it('listens on the Unix socket in the shared folder, writable by other users (Envoy runs as another uid)', () => {
    const sock = path.join(dir, 'run/semroute/extproc.sock');
    const st = statSync(sock);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o002).toBe(0o002);
    expect(output).toContain(`"grpc":"unix:${sock}"`);
  });

  it('logs its version at start and stops on SIGTERM', async () => {
    expect(output).toMatch(/"msg":"semroute ready".*"version":"0\.1\.0 \(/);
    child!.kill('SIGTERM');
    expect(await exitOf(child!)).toBe(0);
  });
});
