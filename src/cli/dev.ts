// `semroute dev`: the router, the local gateway in front of it (standing in for Envoy), and
// optionally one fake OpenAI-compatible upstream per configured endpoint.
import type { Config } from '../config/schema.js';
import { startFakeUpstream, type FakeUpstream } from '../dev/fake-upstream.js';
import { startGateway, type ExtProcTls, type Gateway, type GatewayOptions, type GatewayRoute } from '../dev/gateway.js';
import { ENDPOINT_HEADER, MODEL_HEADER } from '../pipeline/headers.js';
import { RoutingSnapshot } from '../pipeline/snapshot.js';
import type { Logger } from '../telemetry/logger.js';
import { startRouter, type RouterOptions, type RunningRouter } from './router.js';

export interface DevOptions {
  config: Config;
  /** Enables hot reload of the router (the gateway's route table, like Envoy's static config, stays). */
  configFile?: RouterOptions['configFile'];
  listen: { host: string; port: number };
  fakeUpstreams: boolean;
  grpcListen?: string;
  adminListen?: string;
  logger?: Logger;
  accessLog?: (line: string) => void;
  /** The gateway's ext_proc processing mode (default: envoy/envoy.yaml's, bodies BUFFERED). */
  processingMode?: GatewayOptions['processingMode'];
  /** How the gateway dials semroute's TLS listener (its CA, client certificate, SNI). */
  extProcTls?: ExtProcTls;
}

export interface DevStack {
  router: RunningRouter;
  gateway: Gateway;
  upstreams: FakeUpstream[];
  close(): Promise<void>;
}

/**
 * The route table Envoy would have: x-semroute-model → the model's first endpoint; in endpoint
 * mode an ORIGINAL_DST route on x-gateway-destination-endpoint comes first (envoy/envoy-endpoint.yaml).
 */
export function devRoutes(config: Config): { routes: GatewayRoute[]; defaultUpstream: string | undefined } {
  const originalDst: GatewayRoute[] =
    config.routing.mode === 'endpoint' ? [{ header: ENDPOINT_HEADER, value: '', originalDst: true, upstream: '', cluster: 'original_dst' }] : [];
  const routes = [...originalDst, ...config.models
    .filter((m) => m.endpoints.length > 0)
    .map((m) => ({ header: MODEL_HEADER, value: m.name, upstream: `http://${m.endpoints[0]}`, cluster: m.cluster ?? m.name }))];
  const probe = new RoutingSnapshot(config);
  const fallback = probe.router.defaultRoute.model;
  probe.release(); // stops the endpoint picker's scrapes this throwaway snapshot started
  const defaultUpstream = fallback.endpoints[0] ? `http://${fallback.endpoints[0]}` : undefined;
  return { routes, defaultUpstream };
}

export async function startDev(opts: DevOptions): Promise<DevStack> {
  if (opts.config.listeners.grpc.tls && !opts.extProcTls) {
    // Plaintext against a TLS listener would fail every request with a 500: say why up front.
    throw new Error('listeners.grpc.tls is set: the local gateway needs a CA and a client certificate to dial it (DevOptions.extProcTls); semroute dev runs plaintext');
  }
  const upstreams: FakeUpstream[] = [];
  const started = new Set<string>();
  const closeAll = async () => {
    await Promise.all(upstreams.map((u) => u.close()));
  };
  try {
    if (opts.fakeUpstreams) {
      for (const m of opts.config.models) {
        for (const ep of m.endpoints) {
          if (started.has(ep)) continue;
          started.add(ep);
          const [host, port] = [ep.slice(0, ep.lastIndexOf(':')), Number(ep.slice(ep.lastIndexOf(':') + 1))];
          upstreams.push(
            // Each fake serves the APIs its model declares, so native and translated paths both run.
            await startFakeUpstream({ name: m.name, host, port, models: [m.served_name ?? m.name], apis: m.api }),
          );
        }
      }
    }
    const router = await startRouter({
      config: opts.config,
      ...(opts.configFile ? { configFile: opts.configFile } : {}),
      ...(opts.grpcListen ? { grpcListen: opts.grpcListen } : {}),
      ...(opts.adminListen ? { adminListen: opts.adminListen } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    const { routes, defaultUpstream } = devRoutes(opts.config);
    let gateway: Gateway;
    try {
      gateway = await startGateway({
        listen: opts.listen,
        extProcTarget: router.grpcAddress,
        routes,
        ...(defaultUpstream ? { defaultUpstream } : {}),
        // The gateway's defaults are envoy/envoy.yaml's plan (processing modes, mode override
        // allowed, fail-closed); only the message budget is looser for a laptop demo.
        messageTimeoutMs: 1000,
        ...(opts.accessLog ? { log: opts.accessLog } : {}),
        ...(opts.processingMode ? { processingMode: opts.processingMode } : {}),
        ...(opts.extProcTls ? { extProcTls: opts.extProcTls } : {}),
      });
    } catch (e) {
      await router.close();
      throw e;
    }
    return {
      router,
      gateway,
      upstreams,
      async close() {
        await gateway.close();
        await router.close();
        await closeAll();
      },
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
