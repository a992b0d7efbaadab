// envoy/envoy-endpoint-picker.yaml against the semroute config it fronts
// (examples/config/endpoint-picker.yaml): Envoy cannot run here, so the settings the
// endpoint-picker protocol depends on are checked one by one (see envoy-config.test.ts).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfigFile } from '../../../src/config/load.js';
import { SERVED_HEADER, SUBSET_NAMESPACE } from '../../../src/pipeline/endpoint-step.js';
import { ENDPOINT_HEADER } from '../../../src/pipeline/headers.js';

const envoy = parse(readFileSync('envoy/envoy-endpoint-picker.yaml', 'utf8'));
const semroute = loadConfigFile('examples/config/endpoint-picker.yaml');
const hcm = envoy.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
const extProc = hcm.http_filters.find((f: any) => f.name === 'envoy.filters.http.ext_proc').typed_config;
const clusters = new Map<string, any>(envoy.static_resources.clusters.map((c: any) => [c.name, c]));
const routes: any[] = hcm.route_config.virtual_hosts.flatMap((v: any) => v.routes);
const model = semroute.models[0]!;

describe('envoy/envoy-endpoint-picker.yaml', () => {
  it('fronts a semroute config in endpoint mode with the endpoint picker', () => {
    expect(semroute.routing.mode).toBe('endpoint');
    expect(semroute.routing.endpoint_picker).toBeDefined();
  });

  it('keeps envoy.lb metadata from semroute and forwards the subset hint to it; fails closed', () => {
    expect(extProc.metadata_options.receiving_namespaces.untyped).toContain('envoy.lb');
    expect(extProc.metadata_options.forwarding_namespaces.untyped).toContain(SUBSET_NAMESPACE);
    expect(extProc.failure_mode_allow).toBe(false);
    expect(hcm.http_filters.at(-1).name).toBe('envoy.filters.http.router');
  });

  it('routes to the model cluster with override_host reading the list from envoy.lb metadata and the header', () => {
    const c = clusters.get(model.cluster!);
    expect(c).toBeDefined();
    const policy = c.load_balancing_policy.policies[0].typed_extension_config;
    expect(policy.typed_config['@type']).toBe('type.googleapis.com/envoy.extensions.load_balancing_policies.override_host.v3.OverrideHost');
    expect(policy.typed_config.override_host_sources).toEqual([{ metadata: { key: 'envoy.lb', path: [{ key: ENDPOINT_HEADER }] } }, { header: ENDPOINT_HEADER }]);
    expect(policy.typed_config.fallback_policy.policies).toHaveLength(1);
    expect(routes.every((r) => r.route.cluster === model.cluster)).toBe(true);
  });

  it('resolves the same headless Service as semroute\'s DNS discovery, on the same port', () => {
    const c = clusters.get(model.cluster!);
    expect(c.type).toBe('STRICT_DNS');
    const addr = c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    expect(model.discovery).toMatchObject({ type: 'dns', record: 'a', name: addr.address, port: addr.port_value });
  });

  it('retries exactly through the fallback list, on failures that never reached a vLLM, within the retry budget', () => {
    const fallbacks = semroute.routing.endpoint_picker!.fallbacks;
    for (const r of routes) {
      expect(r.route.retry_policy.num_retries).toBe(fallbacks);
      expect(r.route.retry_policy.retry_on.split(',').sort()).toEqual(['connect-failure', 'refused-stream', 'reset-before-request']);
      expect(r.route.timeout).toBe('0s');
    }
    const thresholds = clusters.get(model.cluster!).circuit_breakers.thresholds[0];
    expect(thresholds.max_retries).toBeGreaterThanOrEqual(100);
  });

  it('reports the endpoint that served back to semroute', () => {
    for (const r of routes) {
      expect(r.response_headers_to_add).toContainEqual({ header: { key: SERVED_HEADER, value: '%UPSTREAM_REMOTE_ADDRESS%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' });
    }
  });
});
