// The gateway recipes (deploy/recipes/<stack>) must render with `kubectl kustomize`, and every
// rendered object must be valid against its published schema (test/unit/deploy/schemas.ts says
// which), closed to unknown fields. No API server exists here, so render + schema is the check;
// the settings that matter (ext_proc modes, timeouts, buffers, routes per model) are asserted on
// top, against the semroute ConfigMap each recipe ships.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { RECIPES, haveKubectl, renderRecipe, type Recipe } from './recipe-render.js';
import { describeErrors, loadValidator, SCHEMA_SOURCES, type Validator } from './schemas.js';

const kubectl = haveKubectl();

let validator: Validator;
beforeAll(() => {
  validator = loadValidator();
});

const errorsOf = (obj: any) => describeErrors(validator.errors(obj));

if (!kubectl) {
  describe('deploy/recipes (kubectl not on PATH: kustomize builds not checked)', () => {
    it.skip('renders and validates every recipe', () => {});
  });
}

(kubectl ? describe.each([...RECIPES]) : describe.skip.each([...RECIPES]))('deploy/recipes/%s', (name) => {
  let r: Recipe;
  beforeAll(() => {
    r = renderRecipe(name);
  });

  it('renders every object against a published schema, with no errors', () => {
    const report = r.docs.map((d) => ({ object: `${d.apiVersion}/${d.kind} ${d.metadata?.namespace ?? ''}/${d.metadata?.name}`, errors: errorsOf(d) }));
    expect(report.filter((x) => x.errors.length > 0)).toEqual([]);
    expect(report.length).toBeGreaterThan(5);
  });

  it('runs semroute behind a Service the gateway dials on gRPC port 50051', () => {
    const svc = r.one('Service', 'semroute');
    expect(svc.spec.ports).toContainEqual({ name: 'grpc', port: 50051, targetPort: 'grpc', appProtocol: 'grpc' });
    const pod = r.one('Deployment', 'semroute').spec.template;
    expect(pod.metadata.labels).toMatchObject(svc.spec.selector);
    expect(r.semroute.listeners.grpc.address).toBe('0.0.0.0:50051');
    // Streams live as long as generations: the grace covers them, the pod's grace covers both.
    const args: string[] = pod.spec.containers[0].args;
    const graceS = Number(args[args.indexOf('--shutdown-grace-ms') + 1]) / 1000;
    expect(graceS).toBeGreaterThanOrEqual(300);
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(graceS);
    const maps = r.all('ConfigMap').map((m) => m.metadata.name);
    expect(maps).toContain(pod.spec.volumes.find((v: any) => v.name === 'semroute-config').configMap.name);
  });
});

/** The HTTPRoute rule index whose only header match is `header: value` (exact), or -1. */
function ruleFor(route: any, header: string, value: string): number {
  return route.spec.rules.findIndex((rule: any) =>
    (rule.matches ?? []).some((m: any) =>
      (m.headers ?? []).some((h: any) => (h.type ?? 'Exact') === 'Exact' && h.name.toLowerCase() === header && h.value === value)),
  );
}

const noHeaderRule = (route: any) => route.spec.rules.findIndex((rule: any) => (rule.matches ?? []).every((m: any) => !m.headers));

(kubectl ? describe : describe.skip)('deploy/recipes/envoy-gateway: Envoy Gateway', () => {
  let r: Recipe;
  beforeAll(() => {
    r = renderRecipe('envoy-gateway');
  });

  it('calls semroute for the whole Gateway: fail closed, BUFFERED request, STREAMED response, overrides allowed', () => {
    const p = r.one('EnvoyExtensionPolicy');
    expect(p.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: r.one('Gateway').metadata.name }]);
    const [ext, ...more] = p.spec.extProc;
    expect(more).toEqual([]);
    expect(ext.backendRefs).toEqual([{ name: 'semroute', port: 50051 }]);
    expect(ext.failOpen).toBe(false);
    expect(parseFloat(ext.messageTimeout)).toBeGreaterThan(0.2);
    expect(ext.processingMode).toEqual({ allowModeOverride: true, request: { body: 'Buffered' }, response: { body: 'Streamed' } });
    expect(ext.backendSettings.circuitBreaker.maxParallelRequests).toBeGreaterThanOrEqual(10 * 1024);
  });

  it("buffers at least semroute's max_body_bytes on the Gateway's listeners", () => {
    const ctp = r.one('ClientTrafficPolicy');
    expect(ctp.spec.targetRefs[0]).toMatchObject({ kind: 'Gateway', name: 'semroute' });
    const m = /^(\d+)Mi$/.exec(ctp.spec.connection.bufferLimit);
    expect(Number(m?.[1]) * 2 ** 20).toBeGreaterThanOrEqual(r.semroute.security.max_body_bytes);
  });

  it('routes x-semroute-model to each model (above the catch-all), without a deadline', () => {
    const route = r.one('HTTPRoute');
    const catchAll = noHeaderRule(route);
    for (const m of r.semroute.models) {
      const i = ruleFor(route, 'x-semroute-model', m.name);
      expect({ model: m.name, rule: i >= 0 }).toEqual({ model: m.name, rule: true });
      expect(route.spec.rules[i].backendRefs[0]).toMatchObject({ name: m.name, namespace: 'vllm', port: 8000 });
    }
    expect(catchAll).toBe(route.spec.rules.length - 1);
    for (const rule of route.spec.rules) expect(rule.timeouts).toEqual({ request: '0s' });
    expect(r.semroute.routing.mode).toBe('cluster');
  });

  it('is allowed to send to the vLLM Services (ReferenceGrant) and raises their breakers', () => {
    const grant = r.one('ReferenceGrant');
    expect(grant.metadata.namespace).toBe('vllm');
    expect(grant.spec.from).toContainEqual({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'llm-gateway' });
    expect(r.one('BackendTrafficPolicy').spec.circuitBreaker.maxParallelRequests).toBeGreaterThan(1024);
  });
});

(kubectl ? describe : describe.skip)('deploy/recipes/gie: Gateway API Inference Extension on Istio', () => {
  let r: Recipe;
  beforeAll(() => {
    r = renderRecipe('gie');
  });

  it('runs semroute in routing.mode model, models without endpoints or clusters', () => {
    expect(r.semroute.routing.mode).toBe('model');
    for (const m of r.semroute.models) {
      expect(m.endpoints).toEqual([]);
      expect(m.cluster).toBeUndefined();
    }
  });

  it('has one InferencePool per model, each with its endpoint picker, and routes the served name to it', () => {
    const route = r.one('HTTPRoute');
    for (const m of r.semroute.models) {
      const pool = r.one('InferencePool', m.name);
      expect(pool.apiVersion).toBe('inference.networking.k8s.io/v1');
      expect(pool.spec.endpointPickerRef).toMatchObject({ name: `${m.name}-epp`, port: { number: 9002 }, failureMode: 'FailClose' });
      const i = ruleFor(route, 'x-gateway-model-name', m.served_name!);
      expect({ model: m.name, rule: i >= 0 }).toEqual({ model: m.name, rule: true });
      expect(route.spec.rules[i].backendRefs).toEqual([
        { group: 'inference.networking.k8s.io', kind: 'InferencePool', name: m.name, namespace: pool.metadata.namespace },
      ]);
    }
    expect(r.one('ReferenceGrant').spec.to).toEqual([{ group: 'inference.networking.k8s.io', kind: 'InferencePool' }]);
  });

  it("puts semroute's ext_proc first on the inference gateway's Envoy, so it runs before the EPP", () => {
    const ef = r.one('EnvoyFilter');
    expect(ef.spec.workloadSelector.labels).toEqual({ 'gateway.networking.k8s.io/gateway-name': r.one('Gateway').metadata.name });
    const patch = ef.spec.configPatches.find((p: any) => p.applyTo === 'HTTP_FILTER');
    expect(patch.patch.operation).toBe('INSERT_FIRST');
    expect(patch.patch.value.typed_config.processing_mode.request_body_mode).toBe('FULL_DUPLEX_STREAMED');
  });
});

(kubectl ? describe : describe.skip)('deploy/recipes/istio: Istio ingress gateway', () => {
  let r: Recipe;
  beforeAll(() => {
    r = renderRecipe('istio');
  });

  it('inserts ext_proc before the router on the ingress gateway, dialling the semroute Service', () => {
    const ef = r.one('EnvoyFilter');
    expect(ef.metadata.namespace).toBe('istio-system');
    const patch = ef.spec.configPatches.find((p: any) => p.applyTo === 'HTTP_FILTER');
    expect(patch.match.listener.filterChain.filter.subFilter).toEqual({ name: 'envoy.filters.http.router' });
    expect(patch.patch.operation).toBe('INSERT_BEFORE');
    const svc = r.one('Service', 'semroute');
    expect(patch.patch.value.typed_config.grpc_service.envoy_grpc.cluster_name).toBe(
      `outbound|${svc.spec.ports[0].port}||semroute.${svc.metadata.namespace}.svc.cluster.local`,
    );
  });

  it("buffers at least semroute's max_body_bytes on the gateway's listeners", () => {
    const patch = r.one('EnvoyFilter').spec.configPatches.find((p: any) => p.applyTo === 'LISTENER');
    expect(patch.patch).toMatchObject({ operation: 'MERGE' });
    expect(patch.patch.value.per_connection_buffer_limit_bytes).toBeGreaterThanOrEqual(r.semroute.security.max_body_bytes);
  });

  it('routes x-semroute-model to each model, answers an unknown one with 503, and ends with the default', () => {
    const vs = r.one('VirtualService');
    const routes: any[] = vs.spec.http;
    const idx = (model: string) => routes.findIndex((h) => (h.match ?? []).some((m: any) => m.headers?.['x-semroute-model']?.exact === model));
    const unknown = routes.findIndex((h) => (h.match ?? []).some((m: any) => m.headers?.['x-semroute-model']?.regex));
    for (const m of r.semroute.models) {
      const i = idx(m.name);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(i).toBeLessThan(unknown);
      expect(routes[i].route[0].destination.host).toBe(`${m.name}.vllm.svc.cluster.local`);
      expect(routes[i].timeout).toBe('0s');
    }
    expect(routes[unknown].directResponse.status).toBe(503);
    expect(routes.at(-1).match).toBeUndefined();
  });

  it('speaks HTTP/2 to semroute with breakers far above 1024', () => {
    const dr = r.one('DestinationRule', 'semroute');
    expect(dr.spec.host).toBe('semroute.llm-gateway.svc.cluster.local');
    expect(dr.spec.trafficPolicy.connectionPool.http).toMatchObject({ h2UpgradePolicy: 'UPGRADE' });
    expect(dr.spec.trafficPolicy.connectionPool.http.http2MaxRequests).toBeGreaterThanOrEqual(10 * 1024);
  });
});

(kubectl ? describe : describe.skip)('deploy/recipes/agentgateway: agentgateway', () => {
  let r: Recipe;
  beforeAll(() => {
    r = renderRecipe('agentgateway');
  });

  it('calls semroute before routing with FULL_DUPLEX_STREAMED bodies, fail closed', () => {
    const p = r.one('AgentgatewayPolicy');
    expect(p.spec.traffic.phase).toBe('PreRouting');
    expect(p.spec.traffic.extProc.backendRef).toEqual({ name: 'semroute', port: 50051 });
    expect(p.spec.traffic.extProc.failureMode).toBe('FailClosed');
    expect(p.spec.traffic.extProc.processingOptions).toMatchObject({
      requestBodyMode: 'FullDuplexStreamed',
      responseBodyMode: 'FullDuplexStreamed',
      requestTrailerMode: 'Send',
      responseTrailerMode: 'Send',
    });
  });

  it('routes x-semroute-model to each model', () => {
    const route = r.one('HTTPRoute');
    for (const m of r.semroute.models) expect(ruleFor(route, 'x-semroute-model', m.name)).toBeGreaterThanOrEqual(0);
    expect(noHeaderRule(route)).toBe(route.spec.rules.length - 1);
  });
});

/** Named mutations of one rendered object, each of which its schema must reject. */
interface BadCase {
  recipe: string;
  kind: string;
  what: string;
  mutate: (o: any) => void;
}

const BAD: BadCase[] = [
  // Core types (kubernetes-models).
  { recipe: 'envoy-gateway', kind: 'Deployment', what: 'unknown container field', mutate: (o) => (o.spec.template.spec.containers[0].imagePolicy = 'Always') },
  { recipe: 'envoy-gateway', kind: 'Deployment', what: 'bad imagePullPolicy enum', mutate: (o) => (o.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes') },
  { recipe: 'envoy-gateway', kind: 'Deployment', what: 'missing spec.selector', mutate: (o) => delete o.spec.selector },
  { recipe: 'envoy-gateway', kind: 'Service', what: 'port out of int32 type (string)', mutate: (o) => (o.spec.ports[0].port = 'grpc') },
  { recipe: 'envoy-gateway', kind: 'Service', what: 'unknown spec field', mutate: (o) => (o.spec.clusterIPs_ = []) },
  { recipe: 'envoy-gateway', kind: 'ConfigMap', what: 'unknown top-level field', mutate: (o) => (o.datas = {}) },
  // Gateway API (@kubernetes-models/gateway-api).
  { recipe: 'envoy-gateway', kind: 'HTTPRoute', what: 'unknown rule field', mutate: (o) => (o.spec.rules[0].timeout = '0s') },
  { recipe: 'envoy-gateway', kind: 'HTTPRoute', what: 'bad header match type enum', mutate: (o) => (o.spec.rules[0].matches[0].headers[0].type = 'Prefix') },
  { recipe: 'envoy-gateway', kind: 'HTTPRoute', what: 'header match without name', mutate: (o) => delete o.spec.rules[0].matches[0].headers[0].name },
  { recipe: 'envoy-gateway', kind: 'Gateway', what: 'missing gatewayClassName', mutate: (o) => delete o.spec.gatewayClassName },
  // Envoy Gateway (vendored excerpt).
  { recipe: 'envoy-gateway', kind: 'EnvoyExtensionPolicy', what: 'unknown extProc field', mutate: (o) => (o.spec.extProc[0].failureModeAllow = false) },
  { recipe: 'envoy-gateway', kind: 'EnvoyExtensionPolicy', what: 'bad body mode enum', mutate: (o) => (o.spec.extProc[0].processingMode.request.body = 'BUFFERED') },
  { recipe: 'envoy-gateway', kind: 'EnvoyExtensionPolicy', what: 'backendRef without name', mutate: (o) => delete o.spec.extProc[0].backendRefs[0].name },
  { recipe: 'envoy-gateway', kind: 'EnvoyExtensionPolicy', what: 'messageTimeout not a duration', mutate: (o) => (o.spec.extProc[0].messageTimeout = '1 second') },
  { recipe: 'envoy-gateway', kind: 'EnvoyExtensionPolicy', what: 'missing spec', mutate: (o) => delete o.spec },
  { recipe: 'envoy-gateway', kind: 'ClientTrafficPolicy', what: 'bad bufferLimit quantity', mutate: (o) => (o.spec.connection.bufferLimit = '8MB') },
  { recipe: 'envoy-gateway', kind: 'BackendTrafficPolicy', what: 'negative breaker', mutate: (o) => (o.spec.circuitBreaker.maxConnections = -1) },
  // Gateway API Inference Extension (vendored).
  { recipe: 'gie', kind: 'InferencePool', what: 'unknown spec field', mutate: (o) => (o.spec.extensionRef = { name: 'x' }) },
  { recipe: 'gie', kind: 'InferencePool', what: 'bad failureMode enum', mutate: (o) => (o.spec.endpointPickerRef.failureMode = 'FailClosed') },
  { recipe: 'gie', kind: 'InferencePool', what: 'missing targetPorts', mutate: (o) => delete o.spec.targetPorts },
  { recipe: 'gie', kind: 'InferencePool', what: 'metadata with an unknown field', mutate: (o) => (o.metadata.label = {}) },
  // Istio (@kubernetes-models/istio).
  { recipe: 'istio', kind: 'EnvoyFilter', what: 'unknown configPatch field', mutate: (o) => (o.spec.configPatches[0].applyToo = 'HTTP_FILTER') },
  { recipe: 'istio', kind: 'EnvoyFilter', what: 'bad operation enum', mutate: (o) => (o.spec.configPatches[0].patch.operation = 'INSERT') },
  { recipe: 'istio', kind: 'EnvoyFilter', what: 'bad context enum', mutate: (o) => (o.spec.configPatches[0].match.context = 'INGRESS') },
  { recipe: 'istio', kind: 'VirtualService', what: 'unknown route field', mutate: (o) => (o.spec.http[0].timeouts = '0s') },
  { recipe: 'istio', kind: 'DestinationRule', what: 'bad h2UpgradePolicy enum', mutate: (o) => (o.spec.trafficPolicy.connectionPool.http.h2UpgradePolicy = 'ALWAYS') },
  { recipe: 'istio', kind: 'Gateway', what: 'unknown server field', mutate: (o) => (o.spec.servers[0].host = '*') },
  // agentgateway (vendored excerpt).
  { recipe: 'agentgateway', kind: 'AgentgatewayPolicy', what: 'unknown extProc field', mutate: (o) => (o.spec.traffic.extProc.messageTimeout = '1s') },
  { recipe: 'agentgateway', kind: 'AgentgatewayPolicy', what: 'bad body mode enum', mutate: (o) => (o.spec.traffic.extProc.processingOptions.requestBodyMode = 'FULL_DUPLEX_STREAMED') },
  { recipe: 'agentgateway', kind: 'AgentgatewayPolicy', what: 'targetRef without group', mutate: (o) => delete o.spec.targetRefs[0].group },
];

(kubectl ? describe : describe.skip)(`schemas reject broken objects (${Object.values(SCHEMA_SOURCES).join('; ')})`, () => {
  const rendered = new Map<string, Recipe>();
  const objectOf = (recipe: string, kind: string) => {
    if (!rendered.has(recipe)) rendered.set(recipe, renderRecipe(recipe));
    return structuredClone(rendered.get(recipe)!.all(kind)[0]);
  };

  it.each(BAD)('$recipe $kind: $what', ({ recipe, kind, mutate }) => {
    const obj = objectOf(recipe, kind);
    expect(errorsOf(obj)).toEqual([]);
    mutate(obj);
    expect(errorsOf(obj).length).toBeGreaterThan(0);
  });

  it('still accepts what the schemas leave open: EnvoyFilter patch values and ConfigMap data', () => {
    const ef = objectOf('istio', 'EnvoyFilter');
    ef.spec.configPatches[0].patch.value.typed_config.any_envoy_field = { nested: true };
    expect(errorsOf(ef)).toEqual([]);
    const cm = objectOf('istio', 'ConfigMap');
    cm.data['other.yaml'] = 'x: 1';
    expect(errorsOf(cm)).toEqual([]);
  });

  it('knows no schema for a kind the recipes do not use, and says so', () => {
    expect(() => validator.errors({ apiVersion: 'example.com/v1', kind: 'Widget' })).toThrow(/no schema for example.com\/v1\/Widget/);
  });
});
