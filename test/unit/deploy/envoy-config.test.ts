// Envoy cannot run here, so the Envoy configs are checked structurally: the settings that would
// break real traffic if they were wrong, and the agreement between each Envoy file and the
// semroute config it fronts (every model has a route and a cluster).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfigFile } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { Router } from '../../../src/routing/router.js';

interface Variant {
  name: string;
  envoyFile: string;
  semrouteFile: string;
  /** The --grpc-listen flag semroute runs with beside this file, when not the config's own. */
  grpcListen?: string;
}

const VARIANTS: Variant[] = [
  { name: 'local front proxy', envoyFile: 'envoy/envoy.yaml', semrouteFile: 'deploy/local/semroute.yaml' },
  {
    name: 'Unix-socket sidecar',
    envoyFile: 'envoy/envoy-sidecar-uds.yaml',
    semrouteFile: 'deploy/local/semroute.yaml',
    grpcListen: 'unix:/run/semroute/extproc.sock',
  },
  { name: 'mutual TLS to semroute', envoyFile: 'envoy/envoy-mtls.yaml', semrouteFile: 'deploy/local/semroute-mtls.yaml' },
  {
    name: 'Kubernetes',
    envoyFile: 'deploy/kubernetes/base/envoy.yaml',
    semrouteFile: 'deploy/kubernetes/base/semroute.yaml',
  },
];

const PLAN = {
  request_header_mode: 'SEND',
  request_body_mode: 'BUFFERED',
  request_trailer_mode: 'SKIP',
  response_header_mode: 'SEND',
  response_body_mode: 'BUFFERED',
  response_trailer_mode: 'SKIP',
};

/** The parts of an Envoy bootstrap these tests look at. */
function inspectEnvoy(text: string) {
  const bootstrap = parse(text);
  const listener = bootstrap.static_resources.listeners[0];
  const hcm = listener.filter_chains[0].filters[0].typed_config;
  const filters: any[] = hcm.http_filters;
  const extProc = filters.find((f) => f.name === 'envoy.filters.http.ext_proc')?.typed_config;
  const clusters = new Map<string, any>(bootstrap.static_resources.clusters.map((c: any) => [c.name, c]));
  const routes: any[] = hcm.route_config.virtual_hosts.flatMap((vh: any) => vh.routes);
  return { bootstrap, listener, hcm, filters, extProc, clusters, routes };
}

/** Index of the route that matches `x-semroute-model: <model>` exactly, or -1. */
function modelRouteIndex(routes: any[], model: string): number {
  return routes.findIndex((r) =>
    (r.match.headers ?? []).some((h: any) => h.name === 'x-semroute-model' && h.string_match?.exact === model),
  );
}

function defaultModel(config: Config) {
  return new Router(config).defaultRoute.model;
}

function endpointAddress(cluster: any): any {
  return cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address;
}

describe.each(VARIANTS)('$name: $envoyFile fronting $semrouteFile', ({ envoyFile, semrouteFile, grpcListen }) => {
  const envoyText = readFileSync(envoyFile, 'utf8');
  const { bootstrap, listener, hcm, filters, extProc, clusters, routes } = inspectEnvoy(envoyText);
  const semroute = loadConfigFile(semrouteFile);
  const extProcCluster = clusters.get(extProc?.grpc_service?.envoy_grpc?.cluster_name);
  const defaultRouteIndex = routes.findIndex((r) => r.match.prefix === '/' && !r.match.headers && r.route);

  describe('ext_proc filter', () => {
    it('comes before the router, which is the last filter', () => {
      const names = filters.map((f) => f.name);
      expect(names.indexOf('envoy.filters.http.ext_proc')).toBeGreaterThanOrEqual(0);
      expect(names.indexOf('envoy.filters.http.ext_proc')).toBeLessThan(names.indexOf('envoy.filters.http.router'));
      expect(names[names.length - 1]).toBe('envoy.filters.http.router');
    });

    it('follows the processing plan, with mode overrides allowed', () => {
      expect(extProc.processing_mode).toEqual(PLAN);
      expect(extProc.allow_mode_override).toBe(true);
    });

    it('ends ext_proc streams gracefully (half-close, wait for semroute), not half-close then reset', () => {
      const layers: any[] = bootstrap.layered_runtime?.layers ?? [];
      const flags = Object.assign({}, ...layers.map((l) => l.static_layer ?? {}));
      expect(flags['envoy.reloadable_features.ext_proc_graceful_grpc_close']).toBe(true);
      // A static layer replaces the default layers: the admin layer must stay.
      expect(layers.some((l) => l.admin_layer !== undefined)).toBe(true);
    });

    it("removes client copies of semroute's trusted identity header before any filter reads or sets it", () => {
      const first = filters[0];
      expect(first.name).toBe('envoy.filters.http.header_mutation');
      const removed = (first.typed_config.mutations.request_mutations as any[]).map((m) => m.remove);
      expect(removed).toContain(semroute.security.identity.tenant_header);
      expect(filters.findIndex((f) => f.name === 'envoy.filters.http.ext_proc')).toBeGreaterThan(0);
    });

    it('sets failure_mode_allow and message_timeout explicitly', () => {
      expect(typeof extProc.failure_mode_allow).toBe('boolean');
      expect(extProc.message_timeout).toMatch(/^\d+(\.\d+)?s$/);
      // Envoy's 200 ms default is too tight for classification under load.
      expect(parseFloat(extProc.message_timeout)).toBeGreaterThan(0.2);
    });
  });

  describe('semroute cluster', () => {
    it('exists', () => {
      expect(extProcCluster).toBeDefined();
    });

    it('speaks HTTP/2 (gRPC)', () => {
      const opts = extProcCluster.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
      expect(opts['@type']).toBe('type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions');
      expect(opts.explicit_http_config.http2_protocol_options).toBeDefined();
    });

    it.each(['max_requests', 'max_pending_requests'])('raises %s well above the 1024 default', (field) => {
      const thresholds: any[] = extProcCluster.circuit_breakers.thresholds;
      const def = thresholds.find((t) => (t.priority ?? 'DEFAULT') === 'DEFAULT');
      expect(def[field]).toBeGreaterThanOrEqual(10 * 1024);
    });

    it('is health-checked with grpc.health.v1', () => {
      expect(extProcCluster.health_checks[0].grpc_health_check).toBeDefined();
    });

    it("dials semroute's gRPC listener", () => {
      const listen = grpcListen ?? semroute.listeners.grpc.address;
      const address = endpointAddress(extProcCluster);
      if (listen.startsWith('unix:')) {
        expect(extProcCluster.type).toBe('STATIC');
        expect(address.pipe.path).toBe(listen.slice('unix:'.length));
        // The file's header tells how to start semroute for it.
        expect(envoyText).toContain(`--grpc-listen ${listen}`);
      } else {
        const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
        expect(address.socket_address).toEqual({ address: '127.0.0.1', port_value: port });
        expect(listen).toMatch(/^(127\.0\.0\.1|0\.0\.0\.0):/);
      }
    });
  });

  describe('routes', () => {
    it.each(semroute.models.map((m) => ({ model: m.name, cluster: m.cluster })))(
      'routes x-semroute-model=$model exactly to cluster $cluster, which exists',
      ({ model, cluster }) => {
        expect(cluster).toBeDefined();
        expect(clusters.has(cluster!)).toBe(true);
        const i = modelRouteIndex(routes, model);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(routes[i].route.cluster).toBe(cluster);
        // Reachable: above the catch-all routes.
        expect(i).toBeLessThan(defaultRouteIndex);
      },
    );

    it("ends with a default route (prefix /, no header match) to the default model's cluster", () => {
      expect(defaultRouteIndex).toBe(routes.length - 1);
      expect(routes[defaultRouteIndex].route.cluster).toBe(defaultModel(semroute).cluster);
    });

    it('answers an unknown x-semroute-model with an error instead of the default route', () => {
      const i = routes.findIndex((r) =>
        (r.match.headers ?? []).some((h: any) => h.name === 'x-semroute-model' && h.present_match === true),
      );
      expect(i).toBeGreaterThan(Math.max(...semroute.models.map((m) => modelRouteIndex(routes, m.name))));
      expect(i).toBeLessThan(defaultRouteIndex);
      expect(routes[i].direct_response.status).toBe(503);
      expect(() => JSON.parse(routes[i].direct_response.body.inline_string)).not.toThrow();
    });

    it('sends every route to a cluster that exists', () => {
      for (const r of routes.filter((x) => x.route)) expect(clusters.has(r.route.cluster)).toBe(true);
    });

    it('puts no deadline on generations (timeout 0s) but cuts silent upstreams', () => {
      const generating = [...semroute.models.map((m) => routes[modelRouteIndex(routes, m.name)]), routes[defaultRouteIndex]];
      for (const r of generating) {
        expect(r.route.timeout).toBe('0s');
        expect(r.route.idle_timeout).toMatch(/^\d+s$/);
      }
    });
  });

  describe('listener', () => {
    it("buffers at least semroute's max_body_bytes (BUFFERED bodies larger than that are a 413)", () => {
      expect(listener.per_connection_buffer_limit_bytes).toBeGreaterThanOrEqual(semroute.security.max_body_bytes);
    });

    it('does not time out long streams quickly', () => {
      expect(parseFloat(hcm.stream_idle_timeout)).toBeGreaterThanOrEqual(300);
    });

    it('keeps the admin API on loopback', () => {
      expect(bootstrap.admin.address.socket_address.address).toBe('127.0.0.1');
    });
  });

  describe('model clusters', () => {
    it.each(semroute.models.map((m) => ({ model: m.name, cluster: m.cluster! })))(
      '$cluster ($model): health-checked on /health, outlier detection, breakers above 1024',
      ({ cluster }) => {
        const c = clusters.get(cluster);
        expect(c.health_checks[0].http_health_check.path).toBe('/health');
        expect(c.outlier_detection).toBeDefined();
        const def = c.circuit_breakers.thresholds.find((t: any) => (t.priority ?? 'DEFAULT') === 'DEFAULT');
        expect(def.max_connections).toBeGreaterThan(1024);
        expect(def.max_requests).toBeGreaterThan(1024);
      },
    );

    it.each(semroute.models.map((m) => ({ cluster: m.cluster! })))(
      "$cluster closes idle upstream connections before vLLM's 5 s keep-alive does",
      ({ cluster }) => {
        const opts = clusters.get(cluster).typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
        expect(parseFloat(opts.common_http_protocol_options.idle_timeout)).toBeLessThan(5);
      },
    );
  });

  it('has an ORIGINAL_DST cluster reading x-gateway-destination-endpoint for endpoint mode', () => {
    const c = clusters.get('semroute_endpoint_picked');
    expect(c.type).toBe('ORIGINAL_DST');
    expect(c.lb_policy).toBe('CLUSTER_PROVIDED');
    expect(c.original_dst_lb_config).toEqual({ use_http_header: true, http_header_name: 'x-gateway-destination-endpoint' });
  });
});

describe('variants stay in step with envoy/envoy.yaml', () => {
  const base = inspectEnvoy(readFileSync('envoy/envoy.yaml', 'utf8'));
  // The TLS variant differs in the semroute cluster's transport_socket only (envoy-tls.test.ts).
  const withoutAddresses = (clusters: Map<string, any>) =>
    [...clusters.values()].map(({ load_assignment: _la, ...rest }) => {
      if (rest.name === 'semroute') delete rest.transport_socket;
      return rest;
    });

  it.each(VARIANTS.filter((v) => v.envoyFile !== 'envoy/envoy.yaml'))(
    '$envoyFile has the same listener (routes, filters) and cluster settings',
    ({ envoyFile }) => {
      const v = inspectEnvoy(readFileSync(envoyFile, 'utf8'));
      expect(v.listener).toEqual(base.listener);
      expect(v.bootstrap.admin).toEqual(base.bootstrap.admin);
      expect(v.bootstrap.layered_runtime).toEqual(base.bootstrap.layered_runtime);
      expect(withoutAddresses(v.clusters)).toEqual(withoutAddresses(base.clusters));
    },
  );
});
