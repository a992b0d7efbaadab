// The kustomize base must build, and the rendered pod must be wired the way the manifests' comments
// say: both containers, the probes, non-root, the generated ConfigMaps mounted, the Envoy ConfigMap
// routing every model of the semroute ConfigMap, and a drain order that lets streams finish.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { until } from '../../helpers/until.js';

const BASE = 'deploy/kubernetes/base';
const run = promisify(execFile);

function has(bin: string, args: string[]): boolean {
  try {
    execFileSync(bin, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const haveKubectl = has('kubectl', ['version', '--client']);
const haveBash = has('bash', ['-c', 'true']);

interface Rendered {
  docs: any[];
  pod: any;
  containers: Map<string, any>;
  semrouteConfig: Config;
  envoyConfig: any;
}

function render(): Rendered {
  const out = execFileSync('kubectl', ['kustomize', BASE], { encoding: 'utf8' });
  const docs = parseAllDocuments(out).map((d) => d.toJS());
  const dep = docs.find((d) => d.kind === 'Deployment');
  const pod = dep.spec.template.spec;
  const maps = docs.filter((d) => d.kind === 'ConfigMap');
  return {
    docs,
    pod,
    containers: new Map(pod.containers.map((c: any) => [c.name, c])),
    semrouteConfig: parseConfig(parse(maps.find((m) => m.data['semroute.yaml']).data['semroute.yaml']), 'semroute ConfigMap'),
    envoyConfig: parse(maps.find((m) => m.data['envoy.yaml']).data['envoy.yaml']),
  };
}

const port = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));
const preStopScript = (c: any): string => c.lifecycle.preStop.exec.command.at(-1);

if (!haveKubectl) {
  // Say so instead of passing silently: these checks need `kubectl kustomize`.
  describe(`${BASE} (kubectl not on PATH: kustomize build not checked)`, () => {
    it.skip('kustomize build and the rendered gateway pod', () => {});
  });
} else {
  describe(`${BASE} rendered by kubectl kustomize`, () => {
    let r: Rendered;
    beforeAll(() => {
      r = render();
    });

    it('renders the namespace, both ConfigMaps, the Deployment, its Service and its PDB', () => {
      expect(r.docs.map((d) => d.kind).sort()).toEqual([
        'ConfigMap',
        'ConfigMap',
        'Deployment',
        'Namespace',
        'PodDisruptionBudget',
        'Service',
      ]);
    });

    it('runs two containers: envoy and semroute', () => {
      expect([...r.containers.keys()]).toEqual(['envoy', 'semroute']);
      expect(r.containers.get('semroute').image).toBe('ghcr.io/example/semroute:0.1.0');
      expect(r.containers.get('envoy').image).toMatch(/^envoyproxy\/envoy:v\d+\.\d+\.\d+$/);
    });

    describe('semroute container', () => {
      it('is ready per the native gRPC probe on 50051, which its gRPC listener serves on the pod IP', () => {
        const sr = r.containers.get('semroute');
        expect(sr.readinessProbe.grpc).toEqual({ port: 50051 });
        expect(sr.startupProbe.grpc).toEqual({ port: 50051 });
        expect(r.semrouteConfig.listeners.grpc.address).toBe('0.0.0.0:50051');
      });

      it("is live per httpGet /healthz on the admin port, which the admin listener serves on the pod IP", () => {
        const sr = r.containers.get('semroute');
        expect(sr.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
        const admin = sr.ports.find((p: any) => p.name === 'admin').containerPort;
        expect(r.semrouteConfig.listeners.admin.address).toBe(`0.0.0.0:${admin}`);
      });

      it('leaves the listeners to the mounted config (no listener flags)', () => {
        expect(r.containers.get('semroute').args.join(' ')).not.toMatch(/--(grpc|admin)-listen/);
      });

      it('is scraped by Prometheus on its admin port', () => {
        const a = r.docs.find((d) => d.kind === 'Deployment').spec.template.metadata.annotations;
        expect(a['prometheus.io/scrape']).toBe('true');
        expect(Number(a['prometheus.io/port'])).toBe(port(r.semrouteConfig.listeners.admin.address));
        expect(a['prometheus.io/path']).toBe('/metrics');
      });
    });

    it.each(['envoy', 'semroute'])('%s runs as non-root with a read-only root and no capabilities', (name) => {
      const c = r.containers.get(name);
      expect(r.pod.securityContext.runAsNonRoot).toBe(true);
      expect(c.securityContext.runAsUser).toBeGreaterThan(0);
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.resources.requests).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
    });

    it('mounts the generated (hashed) ConfigMaps where the processes read them', () => {
      const maps = r.docs.filter((d) => d.kind === 'ConfigMap').map((m) => m.metadata.name);
      for (const v of r.pod.volumes.filter((x: any) => x.configMap)) expect(maps).toContain(v.configMap.name);
      const envoy = r.containers.get('envoy');
      const mount = (c: any, vol: string) => c.volumeMounts.find((m: any) => m.name === vol).mountPath;
      expect(envoy.args[envoy.args.indexOf('-c') + 1]).toBe(`${mount(envoy, 'envoy-config')}/envoy.yaml`);
      expect(mount(r.containers.get('semroute'), 'semroute-config')).toBe('/etc/semroute'); // the image's --config dir
    });

    describe('ConfigMaps', () => {
      it('carry the files in the base, the semroute one a valid version: v1 config', () => {
        expect(r.semrouteConfig.version).toBe('v1');
        expect(r.envoyConfig).toEqual(parse(readFileSync(`${BASE}/envoy.yaml`, 'utf8')));
      });

      it('route every model of the semroute ConfigMap through the Envoy ConfigMap', () => {
        const hcm = r.envoyConfig.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
        const routes: any[] = hcm.route_config.virtual_hosts[0].routes;
        const clusters = new Set(r.envoyConfig.static_resources.clusters.map((c: any) => c.name));
        for (const m of r.semrouteConfig.models) {
          const route = routes.find((x) =>
            (x.match.headers ?? []).some((h: any) => h.name === 'x-semroute-model' && h.string_match?.exact === m.name),
          );
          expect({ model: m.name, cluster: route?.route.cluster }).toEqual({ model: m.name, cluster: m.cluster });
          expect(clusters.has(m.cluster)).toBe(true);
        }
        // Envoy dials semroute on loopback, on the port its gRPC listener binds.
        const sr = r.envoyConfig.static_resources.clusters.find((c: any) => c.name === 'semroute');
        const addr = sr.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
        expect(addr).toEqual({ address: '127.0.0.1', port_value: port(r.semrouteConfig.listeners.grpc.address) });
      });
    });

    it('exposes Envoy (8080) through the Service and keeps one pod through disruptions', () => {
      const svc = r.docs.find((d) => d.kind === 'Service');
      expect(svc.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http' }]);
      expect(r.containers.get('envoy').ports).toContainEqual({ name: 'http', containerPort: 8080 });
      const labels = r.docs.find((d) => d.kind === 'Deployment').spec.template.metadata.labels;
      const pdb = r.docs.find((d) => d.kind === 'PodDisruptionBudget');
      expect(pdb.spec.minAvailable).toBe(1);
      expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
      expect(labels).toMatchObject(svc.spec.selector);
    });

    it("gives the drain enough time: Envoy's longest wait, then semroute's shutdown grace", () => {
      const envoyScript = preStopScript(r.containers.get('envoy'));
      const min = Number(/DRAIN_MIN_S:-(\d+)/.exec(envoyScript)?.[1]);
      const max = Number(/DRAIN_MAX_S:-(\d+)/.exec(envoyScript)?.[1]);
      const semrouteWait = Number(/ENVOY_WAIT_MAX_S \|\| (\d+)/.exec(preStopScript(r.containers.get('semroute')))?.[1]);
      const args: string[] = r.containers.get('semroute').args;
      const graceS = Number(args[args.indexOf('--shutdown-grace-ms') + 1]) / 1000;
      expect(semrouteWait).toBeGreaterThanOrEqual(min + max);
      expect(r.pod.terminationGracePeriodSeconds).toBeGreaterThan(semrouteWait + graceS);
    });
  });
}

/** A stand-in for Envoy's admin API: records requests, reports fewer active requests each poll. */
async function fakeAdmin(activeRequests: number) {
  const seen: string[] = [];
  let active = activeRequests;
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url?.startsWith('/stats')) {
      res.end(`http.admin.downstream_rq_active: 1\nhttp.llm_ingress.downstream_rq_active: ${Math.max(active--, 0)}\n`);
    } else res.end('OK\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const preStopCases = haveKubectl && haveBash;
(preStopCases ? describe : describe.skip)(
  `preStop hooks against a stand-in admin API${preStopCases ? '' : ' (needs kubectl and bash)'}`,
  () => {
    let containers: Map<string, any>;
    const closers: Array<() => Promise<void>> = [];
    beforeAll(() => {
      containers = render().containers;
    });
    afterEach(async () => {
      for (const c of closers.splice(0)) await c();
    });

    it('envoy: starts a graceful drain, then returns once no request is in flight', async () => {
      const admin = await fakeAdmin(2);
      closers.push(admin.close);
      // The deadline (DRAIN_MAX_S) lies past the exec timeout: the hook can only return by seeing 0.
      const env = { ...process.env, ENVOY_ADMIN_PORT: String(admin.port), DRAIN_MIN_S: '0', DRAIN_MAX_S: '600' };
      await run('bash', ['-c', preStopScript(containers.get('envoy'))], { env, timeout: 15_000 });
      expect(admin.seen[0]).toBe('POST /drain_listeners?graceful');
      // Polled until the in-flight count reached 0 (2, 1, 0), and not once more.
      expect(admin.seen.slice(1)).toEqual(Array(3).fill('GET /stats?filter=downstream_rq_active'));
    }, 20_000);

    it("semroute: waits while Envoy's admin port answers, returns once it refuses connections", async () => {
      const admin = await fakeAdmin(0);
      // The deadline (ENVOY_WAIT_MAX_S) lies past the exec timeout: the hook can only return (exit
      // 0 within 15 s) by seeing the port refuse connections.
      const env = { ...process.env, ENVOY_ADMIN_PORT: String(admin.port), ENVOY_WAIT_MAX_S: '600' };
      let returned = false;
      const hook = run('node', ['-e', preStopScript(containers.get('semroute'))], { env, timeout: 15_000 }).then(() => {
        returned = true;
      });
      // Answered twice, and still waiting: an answering port keeps the hook polling.
      await until(() => admin.seen.length >= 2, 10_000, 'the hook polled twice');
      expect(returned).toBe(false);
      await admin.close();
      await hook;
    }, 20_000);
  },
);
