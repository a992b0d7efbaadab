// Starts one semroute instance: config snapshot, ext_proc gRPC server, admin listener.
// Used by `semroute serve`, `semroute dev`, the e2e tests and the benchmarks.
import type { Config } from '../config/schema.js';
import { startAdminServer, type AdminServer } from '../admin/server.js';
import { ExtProcServer } from '../extproc/server.js';
import { RoutingSnapshot } from '../pipeline/snapshot.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createMetrics, type RouterMetrics } from '../telemetry/metrics.js';

export interface RouterOptions {
  config: Config;
  /** Overrides config.listeners.grpc.address. */
  grpcListen?: string;
  /** Overrides config.listeners.admin.address; "off" disables the admin listener. */
  adminListen?: string;
  logger?: Logger;
  /** How long open streams may take to finish at shutdown. */
  shutdownGraceMs?: number;
}

export interface RunningRouter {
  grpcAddress: string;
  adminUrl: string | undefined;
  metrics: RouterMetrics;
  extProc: ExtProcServer;
  snapshot(): RoutingSnapshot;
  close(): Promise<void>;
}

function splitHostPort(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  if (!m) throw new Error(`invalid listen address "${address}" (expected HOST:PORT)`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}

export async function startRouter(opts: RouterOptions): Promise<RunningRouter> {
  const logger = opts.logger ?? createLogger();
  const metrics = createMetrics();
  const snapshot = new RoutingSnapshot(opts.config);
  const grpcAddress = opts.grpcListen ?? opts.config.listeners.grpc.address;
  const adminAddress = opts.adminListen ?? opts.config.listeners.admin.address;
  const graceMs = opts.shutdownGraceMs ?? 10_000;

  const extProc = new ExtProcServer({
    address: grpcAddress,
    snapshot: () => snapshot,
    metrics,
    logger,
    // Room for the largest body plus headers and framing.
    maxMessageBytes: opts.config.security.max_body_bytes + 1024 * 1024,
    maxInflightBodyBytes: opts.config.security.max_inflight_body_bytes,
  });
  const bound = await extProc.start();

  let admin: AdminServer | undefined;
  if (adminAddress !== 'off') {
    try {
      admin = await startAdminServer({
        ...splitHostPort(adminAddress),
        metrics,
        logger,
        readiness: [
          { name: 'config', check: () => ({ ok: true, detail: `${opts.config.models.length} models` }) },
          {
            name: 'grpc',
            check: () => ({ ok: extProc.health.current === 'SERVING', detail: bound }),
          },
        ],
      });
    } catch (e) {
      await extProc.shutdown(0);
      throw e;
    }
  }
  // Config and models are loaded (there are no models to load yet): ready for traffic.
  extProc.health.set('SERVING');
  logger.info('semroute ready', { grpc: bound, admin: admin?.url ?? 'off', models: opts.config.models.length });

  let closing: Promise<void> | undefined;
  return {
    grpcAddress: bound,
    adminUrl: admin?.url,
    metrics,
    extProc,
    snapshot: () => snapshot,
    close() {
      closing ??= (async () => {
        await extProc.shutdown(graceMs);
        await admin?.close();
        await metrics.shutdown();
      })();
      return closing;
    },
  };
}
