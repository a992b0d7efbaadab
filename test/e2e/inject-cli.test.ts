// The built binary: `semroute inject certs` writes a CA and serving pair, `semroute inject` serves
// with it over HTTPS (port 0, the URL read from its ready line), `--dry-run -f` prints the mutated
// workload, and SIGTERM stops it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { parse, parseAllDocuments } from 'yaml';
import { ensureBuilt, exitOf, runCli, spawnCli } from '../helpers/cli.js';
import { gatewayPod, httpsCall, podReview } from '../helpers/inject.js';
import { podProblems } from '../integration/inject/pod-validation.js';

let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-inject-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('semroute inject certs', () => {
  it('writes ca.crt/ca.key/tls.crt/tls.key for the Service DNS names and prints the caBundle and kubectl commands', () => {
    const r = runCli(['inject', 'certs', '--out-dir', dir, '--namespace', 'semroute-system']);
    expect(r.code).toBe(0);
    const ca = readFileSync(path.join(dir, 'ca.crt'), 'utf8');
    expect(r.stdout).toContain(Buffer.from(ca).toString('base64'));
    expect(r.stdout).toMatch(/kubectl -n semroute-system create secret tls semroute-inject-tls/);
    expect(r.stdout).toMatch(/kubectl patch mutatingwebhookconfiguration semroute-inject/);
    const cert = new X509Certificate(readFileSync(path.join(dir, 'tls.crt')));
    expect(cert.subjectAltName).toContain('DNS:semroute-inject.semroute-system.svc');
    expect(cert.checkIssued(new X509Certificate(ca))).toBe(true);
    expect(cert.verify(new X509Certificate(ca).publicKey)).toBe(true);
  });
});

describe('semroute inject (server)', () => {
  it('serves AdmissionReviews over HTTPS with the generated pair, then stops on SIGTERM', async () => {
    // A pair for 127.0.0.1 (the test dials it by IP): the generator's SANs come from --service.
    const own = path.join(dir, 'local');
    expect(runCli(['inject', 'certs', '--out-dir', own, '--service', 'localhost']).code).toBe(0);
    const { child, match } = await spawnCli(
      ['inject', '--listen', '127.0.0.1:0', '--tls-cert', path.join(own, 'tls.crt'), '--tls-key', path.join(own, 'tls.key'), '--kube-version', 'v1.30.4'],
      /"msg":"semroute inject ready".*?"url":"(https:\/\/[^"]+)"/,
    );
    try {
      const url = match[1]!.replace('127.0.0.1', 'localhost');
      const ca = readFileSync(path.join(own, 'ca.crt'), 'utf8');
      const ready = await httpsCall(url, ca, 'GET', '/readyz');
      expect(ready.json().mode).toEqual({ default: 'native', why: 'auto: Kubernetes 1.30 from --kube-version >= 1.29' });
      const r = await httpsCall(url, ca, 'POST', '/mutate', podReview(gatewayPod()));
      expect(r.json().response).toMatchObject({ allowed: true, patchType: 'JSONPatch' });
    } finally {
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
    }
  });
});

describe('semroute inject --dry-run -f', () => {
  it('prints the Deployment with the sidecar in its pod template, which validates', () => {
    const file = path.join(dir, 'deploy.yaml');
    const pod = gatewayPod();
    writeFileSync(file, JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'gateway' }, spec: { selector: { matchLabels: { app: 'gateway' } }, template: { metadata: { labels: pod.metadata.labels }, spec: pod.spec } } }));
    const r = runCli(['inject', '--dry-run', '-f', file]);
    expect(r.code).toBe(0);
    const out = parse(r.stdout);
    const spec = out.spec.template.spec;
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['semroute']);
    expect(podProblems({ apiVersion: 'v1', kind: 'Pod', metadata: out.spec.template.metadata, spec })).toEqual([]);
  });

  it('--kube-version 1.28 under auto gives a regular container; invalid annotations exit 1 and say why', () => {
    const file = path.join(dir, 'pods.yaml');
    const bad = gatewayPod({ annotations: { 'semroute.io/cpu-request': 'fast' } });
    writeFileSync(file, `${JSON.stringify(gatewayPod())}\n---\n${JSON.stringify(bad)}\n`);
    const r = runCli(['inject', '--dry-run', '-f', file, '--kube-version', '1.28']);
    expect(r.code).toBe(1);
    const [first, second] = parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(first.spec.containers.map((c: any) => c.name)).toEqual(['envoy', 'semroute']);
    expect(second.spec.containers.map((c: any) => c.name)).toEqual(['envoy']);
    expect(r.stderr).toMatch(/refused: semroute\.io\/cpu-request: "fast" is not a Kubernetes quantity/);
  });
});

describe('semroute version --json', () => {
  it('names the package version, the commit and the build date', () => {
    const r = runCli(['version', '--json']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.version).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(v.commit).toMatch(/^([0-9a-f]{7,40}|unknown)$/);
    expect(Number.isNaN(Date.parse(v.buildDate))).toBe(false);
  });
});

describe('semroute config migrate', () => {
  it('v1 -> v1: the same document, checked by the loader; an unknown version exits 1', () => {
    const r = runCli(['config', 'migrate', 'deploy/local/semroute.yaml']);
    expect(r.code).toBe(0);
    expect(parse(r.stdout)).toEqual(parse(readFileSync('deploy/local/semroute.yaml', 'utf8')));
    const v9 = path.join(dir, 'v9.yaml');
    writeFileSync(v9, 'version: v9\nmodels: []\n');
    const bad = runCli(['config', 'migrate', v9]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown config version "v9" \(known: v1\)/);
  });
});
