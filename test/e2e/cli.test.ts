// The built `semroute` binary: validate's exit codes and messages, serve's readiness and its
// graceful stop on SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { baseConfigDoc } from '../helpers/config.js';
import { ensureBuilt, exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { extProcClient, openCall } from '../helpers/extproc-client.js';
import { until } from '../helpers/until.js';
import { chatHeaders, requestHeaders } from '../helpers/wire.js';

let dir: string;
const file = (name: string, doc: unknown) => {
  const p = path.join(dir, name);
  writeFileSync(p, typeof doc === 'string' ? doc : stringify(doc));
  return p;
};

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'semroute-cli-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('semroute validate', () => {
  it('exits 0 on the demo config', () => {
    const r = runCli(['validate', 'deploy/local/semroute.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid (2 models, 4 decisions, 3 signals)');
  });

  it('exits 1 with the exact path of the problem', () => {
    const doc = baseConfigDoc() as any;
    doc.decisions[0].rules = { any: ['mathy'] };
    const r = runCli(['validate', file('bad.yaml', doc)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('decisions[0].rules.any[0]: unknown signal "mathy" (known: code, urgent)');
  });

  it('--json prints one machine-readable report', () => {
    const r = runCli(['validate', '--json', 'examples/config/minimal.yaml']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, errors: [] });
  });

  it('exits 2 with usage on an unknown command', () => {
    const r = runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage:');
  });
});

describe('semroute serve', () => {
  it('becomes ready, serves ext_proc, and stops gracefully on SIGTERM', async () => {
    const cfg = file('serve.yaml', baseConfigDoc());
    const { child, output, match } = await spawnCli(
      ['serve', '--config', cfg, '--grpc-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
      /"msg":"semroute ready".*?"grpc":"([^"]+)".*?"admin":"([^"]+)"/,
    );
    try {
      const [, grpcAddress, adminUrl] = match;
      const ready = await fetch(`${adminUrl}/readyz`);
      expect(ready.status).toBe(200);

      const client = extProcClient(grpcAddress!);
      const call = openCall(client);
      expect((await call.send(requestHeaders(chatHeaders))).response).toBe('request_headers');
      call.halfClose();
      await call.status;
      client.close();

      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
      expect(output()).toContain('SIGTERM received');
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  it('reloads its config on SIGHUP and keeps serving when the new one is invalid', async () => {
    const cfgFile = file('hup.yaml', baseConfigDoc());
    const { child, output, match } = await spawnCli(
      ['serve', '--config', cfgFile, '--grpc-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
      /"msg":"semroute ready".*?"admin":"([^"]+)"/,
    );
    try {
      const adminUrl = match[1]!;
      // The process logs each reload: wait for the line (the deadline only turns a hang into a
      // failure, which then shows the output).
      const waitFor = async (re: RegExp) => {
        await until(() => re.test(output()), 20_000).catch(() => undefined);
        expect(output()).toMatch(re);
      };
      const doc = baseConfigDoc() as any;
      doc.routing.default_model = 'large';
      writeFileSync(cfgFile, stringify(doc));
      child.kill('SIGHUP');
      await waitFor(/"msg":"config reloaded".*"generation":2/);

      writeFileSync(cfgFile, 'version: v1\nmodels: []\n');
      child.kill('SIGHUP');
      await waitFor(/"msg":"config reload rejected; the previous config stays in use"/);
      const ready = await fetch(`${adminUrl}/readyz`);
      expect(ready.status).toBe(200);
      expect(JSON.stringify(await ready.json())).toContain('generation 2');
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  it('--workers 2 runs two routers behind one port and stops them all on SIGTERM', async () => {
    const cfgFile = file('workers.yaml', baseConfigDoc());
    const { child, output, match } = await spawnCli(
      ['serve', '--config', cfgFile, '--grpc-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--workers', '2'],
      /"msg":"semroute ready".*?"grpc":"([^"]+)"[\s\S]*"msg":"semroute ready"/,
    );
    try {
      const addresses = [...output().matchAll(/"msg":"semroute ready".*?"grpc":"([^"]+)"/g)].map((m) => m[1]);
      expect(addresses).toEqual([match[1], match[1]]);
      const client = extProcClient(match[1]!);
      const call = openCall(client);
      expect((await call.send(requestHeaders(chatHeaders))).response).toBe('request_headers');
      call.halfClose();
      await call.status;
      client.close();
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
      expect(output().match(/SIGTERM received/g)).toHaveLength(2);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  it('refuses to start on an invalid config, saying why', () => {
    const r = runCli(['serve', '--config', file('broken.yaml', 'version: v1\nmodels: []\n')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('models:');
  });
});
