// Every kustomization under deploy/kubernetes/ renders with `kubectl kustomize` and every object
// validates against its Kubernetes (or cert-manager) schema; the injector's wiring is consistent
// (webhook -> Service -> Deployment -> Secret -> Certificate), its selectors exclude what they must,
// and the Redis overlay changes nothing but the state settings.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../../src/config/load.js';
import { haveKubectl } from './recipe-render.js';
import { describeErrors, loadValidator, type Validator } from './schemas.js';

const KUSTOMIZATIONS = ['base', 'redis', 'injector/base', 'injector/cert-manager'] as const;

function render(dir: string): any[] {
  const out = execFileSync('kubectl', ['kustomize', `deploy/kubernetes/${dir}`], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS());
}

const one = (docs: any[], kind: string, name?: string) => {
  const found = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  if (found.length !== 1) throw new Error(`${found.length} ${kind} ${name ?? ''}`);
  return found[0];
};

/** A label selector (matchLabels + matchExpressions) against a label set, as the API server evaluates it. */
function matches(selector: any, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector?.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const val = labels[e.key];
    if (e.operator === 'In' && !(has && e.values.includes(val))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(val)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

const nsLabels = (name: string, extra: Record<string, string> = {}) => ({ 'kubernetes.io/metadata.name': name, ...extra });

if (!haveKubectl()) {
  describe('deploy/kubernetes (kubectl not on PATH: kustomize builds not checked)', () => {
    it.skip('renders and validates', () => {});
  });
} else {
  let validator: Validator;
  const rendered = new Map<string, any[]>();
  beforeAll(() => {
    validator = loadValidator();
    for (const k of KUSTOMIZATIONS) rendered.set(k, render(k));
  });

  describe.each(KUSTOMIZATIONS)('deploy/kubernetes/%s', (k) => {
    it('renders, and every object validates against its schema', () => {
      const docs = rendered.get(k)!;
      expect(docs.length).toBeGreaterThan(3);
      const report = docs.map((d) => ({ obj: `${d.kind}/${d.metadata.name}`, errors: describeErrors(validator.errors(d)) }));
      expect(report.filter((r) => r.errors.length > 0)).toEqual([]);
    });
  });

  it('covers every kustomization under deploy/kubernetes/', () => {
    const found = execFileSync('find', ['deploy/kubernetes', '-name', 'kustomization.yaml'], { encoding: 'utf8' })
      .trim().split('\n').map((f) => f.slice('deploy/kubernetes/'.length, -'/kustomization.yaml'.length)).sort();
    expect(found).toEqual([...KUSTOMIZATIONS].sort());
  });

  it('the validation can fail (a wrong type, an unknown field, a missing required field)', () => {
    const docs = rendered.get('injector/cert-manager')!;
    const hook = structuredClone(one(docs, 'MutatingWebhookConfiguration'));
    hook.webhooks[0].timeoutSeconds = 'five';
    expect(describeErrors(validator.errors(hook)).join()).toMatch(/timeoutSeconds must be integer/);
    hook.webhooks[0].timeoutSeconds = 5;
    hook.webhooks[0].sideEffect = 'None';
    expect(describeErrors(validator.errors(hook)).join()).toMatch(/additional properties: sideEffect/);
    const cert = structuredClone(one(docs, 'Certificate', 'semroute-inject-tls'));
    cert.spec.dnsName = cert.spec.dnsNames;
    expect(describeErrors(validator.errors(cert)).join()).toMatch(/additional properties: dnsName/);
    delete cert.spec.dnsName;
    delete cert.spec.issuerRef;
    expect(describeErrors(validator.errors(cert)).join()).toMatch(/issuerRef/);
  });

  describe('the injector', () => {
    let docs: any[];
    let hooks: any[];
    let dep: any;
    beforeAll(() => {
      docs = rendered.get('injector/cert-manager')!;
      hooks = one(docs, 'MutatingWebhookConfiguration').webhooks;
      dep = one(docs, 'Deployment', 'semroute-inject');
    });

    it('CREATE pods only, no side effects, a short timeout, reinvocation, failurePolicy Ignore with --on-invalid admit', () => {
      const args: string[] = dep.spec.template.spec.containers[0].args;
      for (const h of hooks) {
        expect(h.rules).toEqual([{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }]);
        expect(h.sideEffects).toBe('None');
        expect(h.timeoutSeconds).toBeLessThanOrEqual(10);
        expect(h.reinvocationPolicy).toBe('IfNeeded');
        expect(h.admissionReviewVersions).toEqual(['v1']);
        expect(h.failurePolicy).toBe('Ignore');
      }
      expect(args[0]).toBe('inject');
      expect(args[args.indexOf('--on-invalid') + 1]).toBe('admit');
    });

    it('opts in by namespace label or by pod label, never both, and honours opt-out', () => {
      const [byNs, byPod] = hooks;
      const called = (ns: Record<string, string>, pod: Record<string, string>) =>
        hooks.filter((h) => matches(h.namespaceSelector, ns) && matches(h.objectSelector, pod)).length;
      expect(called(nsLabels('gw', { 'semroute.io/inject': 'enabled' }), {})).toBe(1);
      expect(called(nsLabels('gw', { 'semroute.io/inject': 'enabled' }), { 'semroute.io/inject': 'enabled' })).toBe(1);
      expect(called(nsLabels('gw', { 'semroute.io/inject': 'enabled' }), { 'semroute.io/inject': 'disabled' })).toBe(0);
      expect(called(nsLabels('gw'), { 'semroute.io/inject': 'enabled' })).toBe(1);
      expect(called(nsLabels('gw'), {})).toBe(0);
      expect(called(nsLabels('gw', { 'semroute.io/inject': 'disabled' }), { 'semroute.io/inject': 'enabled' })).toBe(0);
      expect([byNs.name, byPod.name]).toEqual(['namespace.inject.semroute.io', 'pod.inject.semroute.io']);
    });

    it.each(['kube-system', 'kube-public', 'semroute-system'])('never calls the webhook for pods in %s', (ns) => {
      for (const labels of [{}, { 'semroute.io/inject': 'enabled' }] as Array<Record<string, string>>) {
        expect(hooks.filter((h) => matches(h.namespaceSelector, nsLabels(ns, labels)) && matches(h.objectSelector, { 'semroute.io/inject': 'enabled' }))).toEqual([]);
      }
    });

    it("never for the injector's own pods, wherever they run", () => {
      const own = dep.spec.template.metadata.labels;
      for (const h of hooks) expect(matches(h.objectSelector, own)).toBe(false);
      expect(one(docs, 'Namespace').metadata.labels['semroute.io/inject']).toBe('disabled');
    });

    it('the webhooks dial the Service, which selects the Deployment on its HTTPS port', () => {
      const svc = one(docs, 'Service', 'semroute-inject');
      for (const h of hooks) expect(h.clientConfig.service).toEqual({ name: svc.metadata.name, namespace: svc.metadata.namespace, path: '/mutate', port: 443 });
      expect(dep.metadata.namespace).toBe(svc.metadata.namespace);
      expect(matches({ matchLabels: svc.spec.selector }, dep.spec.template.metadata.labels)).toBe(true);
      const port = dep.spec.template.spec.containers[0].ports.find((p: any) => p.name === svc.spec.ports[0].targetPort);
      const args: string[] = dep.spec.template.spec.containers[0].args;
      expect(args[args.indexOf('--listen') + 1]).toBe(`0.0.0.0:${port.containerPort}`);
    });

    it('two replicas on different nodes, a PDB, restricted security context, resources', () => {
      expect(dep.spec.replicas).toBe(2);
      const anti = dep.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
      expect(anti.topologyKey).toBe('kubernetes.io/hostname');
      expect(matches(anti.labelSelector, dep.spec.template.metadata.labels)).toBe(true);
      const pdb = one(docs, 'PodDisruptionBudget', 'semroute-inject');
      expect(pdb.spec.minAvailable).toBe(1);
      expect(matches(pdb.spec.selector, dep.spec.template.metadata.labels)).toBe(true);
      const c = dep.spec.template.spec.containers[0];
      expect(dep.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.resources.limits.memory).toBeDefined();
      expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', scheme: 'HTTPS' });
      expect(c.livenessProbe.httpGet).toMatchObject({ path: '/healthz', scheme: 'HTTPS' });
    });

    it('RBAC: GET /version and nothing else', () => {
      const role = one(docs, 'ClusterRole', 'semroute-inject');
      expect(role.rules).toEqual([{ nonResourceURLs: ['/version'], verbs: ['get'] }]);
      const binding = one(docs, 'ClusterRoleBinding', 'semroute-inject');
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: dep.spec.template.spec.serviceAccountName, namespace: dep.metadata.namespace }]);
      expect(docs.filter((d) => d.kind === 'Role' || d.kind === 'RoleBinding')).toEqual([]);
    });

    it('cert-manager: the serving certificate is the mounted Secret, names the Service, and its CA is injected into the webhooks', () => {
      const cert = one(docs, 'Certificate', 'semroute-inject-tls');
      const secret = dep.spec.template.spec.volumes.find((v: any) => v.secret).secret.secretName;
      expect(cert.spec.secretName).toBe(secret);
      expect(cert.spec.dnsNames).toContain('semroute-inject.semroute-system.svc');
      const annotation = one(docs, 'MutatingWebhookConfiguration').metadata.annotations['cert-manager.io/inject-ca-from'];
      expect(annotation).toBe(`${cert.metadata.namespace}/${cert.metadata.name}`);
      const issuer = one(docs, 'Issuer', cert.spec.issuerRef.name);
      const ca = one(docs, 'Certificate', 'semroute-inject-ca');
      expect(issuer.spec.ca.secretName).toBe(ca.spec.secretName);
      expect(ca.spec.isCA).toBe(true);
      expect(one(docs, 'Issuer', ca.spec.issuerRef.name).spec.selfSigned).toEqual({});
    });

    it('without cert-manager, the base carries no caBundle and no cert-manager objects (semroute inject certs fills them)', () => {
      const base = rendered.get('injector/base')!;
      expect(base.filter((d) => d.apiVersion.startsWith('cert-manager.io'))).toEqual([]);
      for (const h of one(base, 'MutatingWebhookConfiguration').webhooks) expect(h.clientConfig.caBundle).toBeUndefined();
    });
  });

  describe('the sidecar base and its Redis overlay', () => {
    const semroute = (docs: any[]) => parse(docs.find((d) => d.kind === 'ConfigMap' && d.data['semroute.yaml']).data['semroute.yaml']);

    it('the Redis overlay changes only state, pointed at the Redis Service', () => {
      const base = semroute(rendered.get('base')!);
      const redis = semroute(rendered.get('redis')!);
      const { state, ...rest } = redis;
      expect(rest).toEqual(base);
      const cfg = parseConfig(redis, 'redis overlay');
      expect(cfg.state.backend).toBe('redis');
      const svc = one(rendered.get('redis')!, 'Service', 'redis');
      expect(new URL(String(state.redis.url)).hostname).toBe(svc.metadata.name);
      const sts = one(rendered.get('redis')!, 'StatefulSet', 'redis');
      expect(sts.spec.serviceName).toBe(svc.metadata.name);
      expect(matches({ matchLabels: svc.spec.selector }, sts.spec.template.metadata.labels)).toBe(true);
      expect(Number(svc.spec.ports[0].port)).toBe(Number(new URL(String(state.redis.url)).port));
    });

    it('the deploy/kubernetes/redis copy of semroute.yaml starts with the base file', () => {
      const baseText = readFileSync('deploy/kubernetes/base/semroute.yaml', 'utf8');
      expect(readFileSync('deploy/kubernetes/redis/semroute.yaml', 'utf8').startsWith(baseText)).toBe(true);
    });

    it.each(['envoy', 'semroute'])('base: %s has its own RuntimeDefault seccomp profile', (name) => {
      const c = one(rendered.get('base')!, 'Deployment').spec.template.spec.containers.find((x: any) => x.name === name);
      expect(c.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    });
  });
}

describe('README "Install on Kubernetes"', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Install on Kubernetes'), readme.indexOf('\n## ', readme.indexOf('## Install on Kubernetes') + 3));
  const blocks = [...section.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#')));

  it('gives the sidecar base and the injector (with and without cert-manager) in five commands or fewer each', () => {
    expect(blocks).toHaveLength(3);
    for (const b of blocks) expect(b.length).toBeLessThanOrEqual(5);
    expect(blocks[0]![0]).toBe('kubectl apply -k deploy/kubernetes/base');
    expect(blocks[1]![0]).toBe('kubectl apply -k deploy/kubernetes/injector/cert-manager');
    expect(blocks[2]![0]).toBe('kubectl apply -k deploy/kubernetes/injector/base');
  });

  it('names kustomizations that exist, a namespace label the webhooks select, and the printed cert commands', () => {
    for (const m of section.matchAll(/kubectl apply -k (\S+)/g)) expect(KUSTOMIZATIONS.map((k) => `deploy/kubernetes/${k}`)).toContain(m[1]);
    expect(section).toContain('semroute.io/inject=enabled');
    expect(section).toContain('semroute inject certs');
  });
});
