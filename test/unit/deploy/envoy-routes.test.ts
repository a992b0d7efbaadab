// envoy/envoy.yaml cannot be run here (no Envoy), so its invariants are checked structurally:
// the settings that would break real traffic if they were wrong.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfigFile } from '../../../src/config/load.js';

// Each Envoy config with the semroute config it fronts.
describe.each([
  ['envoy/envoy.yaml', 'deploy/local/semroute.yaml'],
  ['deploy/kubernetes/base/envoy.yaml', 'deploy/kubernetes/base/semroute.yaml'],
])('%s (with %s)', (envoyFile, semrouteFile) => {
  const envoy = parse(readFileSync(envoyFile, 'utf8'));
  const semroute = loadConfigFile(semrouteFile);
  const hcm = envoy.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  const filters: any[] = hcm.http_filters;
  const extProc = filters.find((f) => f.name === 'envoy.filters.http.ext_proc').typed_config;
  const clusters = new Map<string, any>(envoy.static_resources.clusters.map((c: any) => [c.name, c]));
  const routes: any[] = hcm.route_config.virtual_hosts[0].routes;

  it('runs ext_proc before the router', () => {
    expect(filters.map((f) => f.name)).toEqual(['envoy.filters.http.ext_proc', 'envoy.filters.http.router']);
  });

  it("points the semroute cluster at semroute's gRPC listener", () => {
    const ep = clusters.get('semroute').load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    expect(semroute.listeners.grpc.address).toMatch(new RegExp(`:${ep.port_value}$`));
  });

  it('talks to semroute over HTTP/2 with circuit breakers above the 1024 default', () => {
    const c = clusters.get(extProc.grpc_service.envoy_grpc.cluster_name);
    const opts = c.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
    expect(opts.explicit_http_config.http2_protocol_options).toBeDefined();
    const t = c.circuit_breakers.thresholds[0];
    expect(t.max_requests).toBeGreaterThan(1024);
    expect(t.max_pending_requests).toBeGreaterThan(1024);
    expect(c.health_checks[0].grpc_health_check).toBeDefined();
  });

  it('follows the processing plan', () => {
    expect(extProc.processing_mode).toEqual({
      request_header_mode: 'SEND',
      request_body_mode: 'BUFFERED',
      request_trailer_mode: 'SKIP',
      response_header_mode: 'SEND',
      response_body_mode: 'NONE',
      response_trailer_mode: 'SKIP',
    });
    expect(extProc.allow_mode_override).toBe(true);
    expect(typeof extProc.failure_mode_allow).toBe('boolean');
    expect(extProc.message_timeout).toMatch(/^\d+(\.\d+)?s$/);
  });

  it('buffers at least as much as semroute accepts', () => {
    expect(envoy.static_resources.listeners[0].per_connection_buffer_limit_bytes).toBeGreaterThanOrEqual(semroute.security.max_body_bytes);
  });

  it.each(semroute.models.map((m) => [m.name, m.cluster!]))('routes x-semroute-model=%s to its cluster %s', (model, cluster) => {
    const route = routes.find((r) => r.match.headers?.some((h: any) => h.name === 'x-semroute-model' && h.string_match.exact === model));
    expect(route?.route.cluster).toBe(cluster);
    expect(clusters.has(cluster)).toBe(true);
  });

  it('ends with a default route to the default model cluster', () => {
    const last = routes[routes.length - 1];
    expect(last.match).toEqual({ prefix: '/' });
    const def = semroute.models.find((m) => m.name === semroute.decisions.find((d) => d.name === semroute.routing.default_decision)!.models[0]!.model)!;
    expect(last.route.cluster).toBe(def.cluster);
  });

  it('has an ORIGINAL_DST cluster reading x-gateway-destination-endpoint for endpoint mode', () => {
    const c = clusters.get('semroute_endpoint_picked');
    expect(c.type).toBe('ORIGINAL_DST');
    expect(c.lb_policy).toBe('CLUSTER_PROVIDED');
    expect(c.original_dst_lb_config).toEqual({ use_http_header: true, http_header_name: 'x-gateway-destination-endpoint' });
  });
});
