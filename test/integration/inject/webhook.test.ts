// `semroute inject` over HTTPS: real-shaped AdmissionReviews posted to a running injector; the
// returned JSONPatch applied with fast-json-patch and the result validated against the Kubernetes
// Pod schema. Covers the pod of a Deployment's template, a pod with the sidecar already, hostNetwork,
// opt-out, invalid annotations (admitted with a warning, or refused), clashing names, and
// reinvocation (injecting twice yields the same pod).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jsonpatch from 'fast-json-patch';
import { defaultSettings } from '../../../src/inject/defaults.js';
import { startInjector, type Injector } from '../../../src/inject/server.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { certDir, gatewayPod, httpsCall, podReview, type CertDir } from '../../helpers/inject.js';
import { find, parseExposition, value } from '../../unit/telemetry/prom.js';
import { podProblems } from './pod-validation.js';

let certs: CertDir;
let admit: Injector;
let deny: Injector;

beforeAll(async () => {
  certs = certDir();
  const common = { host: '127.0.0.1', port: 0, certFile: certs.certFile, keyFile: certs.keyFile, modeReason: 'test', logger: silentLogger };
  admit = await startInjector({ ...common, defaults: defaultSettings('0.1.0', 'native'), onInvalid: 'admit' });
  deny = await startInjector({ ...common, defaults: defaultSettings('0.1.0', 'regular'), onInvalid: 'deny' });
});

afterAll(async () => {
  await admit?.close();
  await deny?.close();
  certs?.cleanup();
});

async function mutate(server: Injector, pod: any, namespace?: string) {
  const review = podReview(pod, namespace);
  const r = await httpsCall(server.url, certs.certs.caCert, 'POST', '/mutate', review);
  expect(r.status).toBe(200);
  const body = r.json();
  expect(body).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid } });
  const res = body.response;
  let patched = pod;
  if (res.patch !== undefined) {
    expect(res.patchType).toBe('JSONPatch');
    const ops = JSON.parse(Buffer.from(res.patch, 'base64').toString('utf8'));
    // validate=true: every op must apply to the pod exactly as sent (paths exist, tests pass).
    patched = jsonpatch.applyPatch(structuredClone(pod), ops, true, false).newDocument;
  }
  return { res, patched };
}

const sidecarOf = (pod: any) => [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c: any) => c.name === 'semroute');

async function metric(server: Injector, outcome: string): Promise<number> {
  return find(parseExposition(await server.metrics.render()), 'semroute_inject_reviews_total', { outcome })[0]?.value ?? 0;
}

describe('pod of a Deployment template (native sidecar)', () => {
  let patched: any;
  let res: any;
  beforeAll(async () => {
    ({ res, patched } = await mutate(admit, gatewayPod()));
  });

  it('is allowed with a patch, and the patched pod validates against the Pod schema', () => {
    expect(res.allowed).toBe(true);
    expect(podProblems(patched)).toEqual([]);
  });

  it('adds semroute as an init container with restartPolicy Always, probes on the admin port, restricted securityContext', () => {
    const sc = patched.spec.initContainers.at(-1);
    expect(sc.name).toBe('semroute');
    expect(sc.restartPolicy).toBe('Always');
    expect(patched.spec.containers.map((c: any) => c.name)).toEqual(['envoy']);
    expect(sc.startupProbe.httpGet).toEqual({ path: '/readyz', port: 9190 });
    expect(sc.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 9190 });
    expect(sc.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 9190 });
    expect(sc.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(sc.resources.requests).toEqual({ cpu: '500m', memory: '512Mi' });
    expect(sc.resources.limits.memory).toBe('1Gi');
  });

  it('shares the socket emptyDir with Envoy and mounts the ConfigMap', () => {
    const sc = sidecarOf(patched);
    expect(sc.args.slice(sc.args.indexOf('--grpc-listen'), sc.args.indexOf('--grpc-listen') + 2)).toEqual(['--grpc-listen', 'unix:/run/semroute/extproc.sock']);
    const vol = (n: string) => patched.spec.volumes.find((v: any) => v.name === n);
    expect(vol('semroute-socket').emptyDir).toEqual({ medium: 'Memory', sizeLimit: '1Mi' });
    expect(vol('semroute-config').configMap).toEqual({ name: 'semroute-config' });
    expect(patched.spec.containers[0].volumeMounts).toContainEqual({ name: 'semroute-socket', mountPath: '/run/semroute' });
    expect(sc.volumeMounts).toContainEqual({ name: 'semroute-socket', mountPath: '/run/semroute' });
    expect(sc.volumeMounts).toContainEqual({ name: 'semroute-config', mountPath: '/etc/semroute', readOnly: true });
  });

  it('marks the pod with a status annotation naming the version and mode', () => {
    expect(JSON.parse(patched.metadata.annotations['semroute.io/status'])).toEqual({
      version: '0.1.0', mode: 'native', container: 'semroute', volumes: ['semroute-config', 'semroute-tmp', 'semroute-socket'],
    });
  });

  it('the validation can fail: an unknown field, a wrong type, restartPolicy on a regular container', () => {
    const sc = patched.spec.initContainers.at(-1);
    expect(podProblems({ ...patched, spec: { ...patched.spec, initContainers: [{ ...sc, bogus: 1 }] } }).join()).toMatch(/additional properties: bogus/);
    expect(podProblems({ ...patched, spec: { ...patched.spec, initContainers: [{ ...sc, ports: [{ containerPort: '9190' }] }] } }).join()).toMatch(/must be integer/);
    expect(podProblems({ ...patched, spec: { ...patched.spec, containers: [{ ...sc }] } }).join()).toMatch(/only allowed on init containers/);
  });

  it('injecting twice yields the same pod (reinvocation sends no patch)', async () => {
    const again = await mutate(admit, patched);
    expect(again.res.allowed).toBe(true);
    expect(again.res.patch).toBeUndefined();
    expect(again.patched).toEqual(patched);
  });
});

describe('pods left alone', () => {
  it.each([
    ['already has a semroute container', gatewayPod({ spec: { containers: [{ name: 'envoy', image: 'e' }, { name: 'semroute', image: 's' }] } }), 'already_injected'],
    ['hostNetwork', gatewayPod({ spec: { hostNetwork: true } }), 'host_network'],
    ['opted out by annotation', gatewayPod({ annotations: { 'semroute.io/inject': 'disabled' } }), 'opted_out'],
    ['opted out by label', gatewayPod({ labels: { 'semroute.io/inject': 'disabled' } }), 'opted_out'],
  ])('%s: allowed, no patch, counted', async (_name, pod, outcome) => {
    const before = await metric(admit, outcome);
    const { res, patched } = await mutate(admit, pod);
    expect(res).toEqual({ uid: expect.any(String), allowed: true });
    expect(patched).toBe(pod);
    expect(await metric(admit, outcome)).toBe(before + 1);
  });

  it('an UPDATE or another kind is allowed untouched', async () => {
    const review = podReview(gatewayPod(), 'llm-gateway', 'UPDATE');
    const r = await httpsCall(admit.url, certs.certs.caCert, 'POST', '/mutate', review);
    expect(r.json().response).toEqual({ uid: review.request.uid, allowed: true });
  });
});

describe('invalid annotations', () => {
  const bad = { 'semroute.io/memory-limit': 'lots', 'semroute.io/log-levle': 'debug' };

  it('--on-invalid admit: allowed without the sidecar, a warning naming each annotation, counted', async () => {
    const before = await metric(admit, 'invalid_admitted');
    const { res, patched } = await mutate(admit, gatewayPod({ annotations: bad }));
    expect(res.allowed).toBe(true);
    expect(res.patch).toBeUndefined();
    expect(patched.spec.initContainers).toBeUndefined();
    expect(res.warnings[0]).toMatch(/semroute\.io\/memory-limit: "lots" is not a Kubernetes quantity/);
    expect(res.warnings[0]).toMatch(/semroute\.io\/log-levle: unknown annotation/);
    expect(await metric(admit, 'invalid_admitted')).toBe(before + 1);
    const text = await admit.metrics.render();
    expect(value(parseExposition(text), 'semroute_inject_admitted_without_sidecar_total', { reason: 'invalid_annotations' })).toBeGreaterThanOrEqual(1);
  });

  it('--on-invalid deny: refused with 422 and the reason', async () => {
    const { res } = await mutate(deny, gatewayPod({ annotations: { 'semroute.io/sidecar-mode': 'sometimes' } }));
    expect(res.allowed).toBe(false);
    expect(res.status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(res.status.message).toMatch(/semroute\.io\/sidecar-mode: "sometimes" is not/);
  });

  it('a unix listener with no Envoy container to share it is refused', async () => {
    const pod = gatewayPod({ spec: { containers: [{ name: 'proxy', image: 'envoyproxy/envoy:v1.33.2' }] } });
    const { res } = await mutate(deny, pod);
    expect(res.allowed).toBe(false);
    expect(res.status.message).toMatch(/no container named "envoy".*semroute\.io\/envoy-container/);
    const ok = await mutate(deny, gatewayPod({ annotations: { 'semroute.io/envoy-container': 'proxy' }, spec: { containers: [{ name: 'proxy', image: 'e' }] } }));
    expect(ok.res.allowed).toBe(true);
    expect(ok.patched.spec.containers[0].volumeMounts).toEqual([{ name: 'semroute-socket', mountPath: '/run/semroute' }]);
  });
});

describe('existing init containers and volumes whose names clash', () => {
  const pod = gatewayPod({
    spec: {
      initContainers: [{ name: 'fetch-config', image: 'busybox:1.36', command: ['true'] }],
      containers: [{ name: 'envoy', image: 'envoyproxy/envoy:v1.33.2', volumeMounts: [{ name: 'semroute-config', mountPath: '/etc/envoy' }] }],
      volumes: [
        { name: 'semroute-config', configMap: { name: 'envoy-config' } },
        { name: 'semroute-socket', emptyDir: {} },
        { name: 'semroute-socket-2', emptyDir: {} },
      ],
    },
  });

  it('keeps the pod\'s volumes and init containers, picks free names, and validates', async () => {
    const { patched } = await mutate(admit, pod);
    expect(podProblems(patched)).toEqual([]);
    expect(patched.spec.initContainers.map((c: any) => c.name)).toEqual(['fetch-config', 'semroute']);
    const names = patched.spec.volumes.map((v: any) => v.name);
    expect(names).toEqual(['semroute-config', 'semroute-socket', 'semroute-socket-2', 'semroute-config-2', 'semroute-tmp', 'semroute-socket-3']);
    expect(new Set(names).size).toBe(names.length);
    expect(patched.spec.volumes[0]).toEqual({ name: 'semroute-config', configMap: { name: 'envoy-config' } });
    expect(sidecarOf(patched).volumeMounts).toContainEqual({ name: 'semroute-config-2', mountPath: '/etc/semroute', readOnly: true });
    expect(patched.spec.containers[0].volumeMounts).toEqual([
      { name: 'semroute-config', mountPath: '/etc/envoy' },
      { name: 'semroute-socket-3', mountPath: '/run/semroute' },
    ]);
    const again = await mutate(admit, patched);
    expect(again.patched).toEqual(patched);
  });

  it('goes before Envoy when Envoy is itself a native sidecar', async () => {
    const native = gatewayPod({
      spec: {
        initContainers: [{ name: 'fetch-config', image: 'busybox:1.36' }, { name: 'envoy', image: 'envoyproxy/envoy:v1.33.2', restartPolicy: 'Always' }],
        containers: [{ name: 'app', image: 'app:1' }],
      },
    });
    const { patched } = await mutate(admit, native);
    expect(patched.spec.initContainers.map((c: any) => c.name)).toEqual(['fetch-config', 'semroute', 'envoy']);
    expect(podProblems(patched)).toEqual([]);
  });
});

describe('regular container mode', () => {
  it('by annotation: appended to containers, with the preStop that waits for Envoy, and validates', async () => {
    const { patched } = await mutate(admit, gatewayPod({ annotations: { 'semroute.io/sidecar-mode': 'regular', 'semroute.io/image': 'registry.local/semroute:9.9.9', 'semroute.io/log-level': 'debug' } }));
    expect(podProblems(patched)).toEqual([]);
    expect(patched.spec.initContainers).toBeUndefined();
    const sc = patched.spec.containers.at(-1);
    expect(sc.name).toBe('semroute');
    expect(sc.image).toBe('registry.local/semroute:9.9.9');
    expect(sc.env).toContainEqual({ name: 'SEMROUTE_LOG_LEVEL', value: 'debug' });
    expect(sc.restartPolicy).toBeUndefined();
    expect(sc.lifecycle.preStop.exec.command.slice(0, 2)).toEqual(['node', '-e']);
    expect(patched.metadata.annotations['kubectl.kubernetes.io/default-container']).toBe('envoy');
  });

  it('the injector default (deny instance runs regular)', async () => {
    const { patched } = await mutate(deny, gatewayPod());
    expect(sidecarOf(patched).restartPolicy).toBeUndefined();
    expect(JSON.parse(patched.metadata.annotations['semroute.io/status']).mode).toBe('regular');
  });
});

describe('HTTP surface', () => {
  const call = (method: string, p: string, body?: unknown, contentType?: string) =>
    httpsCall(admit.url, certs.certs.caCert, method, p, body, contentType ? { contentType } : {});

  it('/healthz, /readyz (with version and certificate) and /metrics (with semroute_build_info)', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', version: { version: expect.any(String) }, certificate: { fingerprint: admit.cert().fingerprint } });
    const metrics = await call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^semroute_build_info\{version="[^"]+",commit="[^"]+",build_date="[^"]+",node="v\d+[^"]*"\} 1$/m);
  });

  it('bad requests get clear errors, not crashes', async () => {
    expect((await call('POST', '/mutate', '{not json')).status).toBe(400);
    const notReview = await call('POST', '/mutate', { kind: 'Pod' });
    expect(notReview.status).toBe(400);
    expect(notReview.json().error).toMatch(/not an admission\.k8s\.io\/v1 AdmissionReview/);
    expect((await call('POST', '/mutate', '{}', 'text/plain')).status).toBe(415);
    expect((await call('GET', '/mutate')).status).toBe(405);
    expect((await call('GET', '/nope')).status).toBe(404);
    expect((await call('POST', '/mutate', 'x'.repeat(4 * 1024 * 1024 + 1))).status).toBe(413);
    // Still serving.
    expect((await call('GET', '/healthz')).status).toBe(200);
  });

  it('a pod that is not pod-shaped is admitted unchanged', async () => {
    const review = podReview({ metadata: { name: 'x' }, spec: { containers: 'nope' } });
    const r = await call('POST', '/mutate', review);
    expect(r.json().response).toEqual({ uid: review.request.uid, allowed: true });
  });
});
