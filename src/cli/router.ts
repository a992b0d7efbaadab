// Starts one semroute instance: config snapshot, ext_proc gRPC server, admin listener.
// Used by `semroute serve`, `semroute dev`, the e2e tests and the benchmarks.
import { versionLine } from '../telemetry/build-info.js';
import { InflightTracker } from '../routing/load.js';
import { createStateContext, type StateContext } from '../pipeline/state-context.js';
import { listenHostPort } from '../config/addresses.js';
import type { Config } from '../config/schema.js';
import { ConfigReloader, type ReloadStatus, type ReloadTrigger } from '../config/reload.js';
import { formatIssue } from '../config/issues.js';
import { MAX_BODY_BYTES_LIMIT } from '../config/schema/security.js';
import { bearerAuthorizer } from '../admin/auth.js';
import { startAdminServer, type AdminServer } from '../admin/server.js';
import { configRoutes } from './config-routes.js';
import { explainRoutes } from './explain-routes.js';
import { ExtProcServer } from '../extproc/server.js';
import { ModelPool } from '../pipeline/model-pool.js';
import { buildSnapshot, type RoutingSnapshot } from '../pipeline/snapshot.js';
import type { SignalObserver } from '../signals/types.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createMetrics, type RouterMetrics } from '../telemetry/metrics.js';
import { CertWatcher } from '../tls/cert-watcher.js';
import { createTracing, type Tracing } from '../telemetry/tracing/index.js';

export interface RouterOptions {
  config: Config;
  /** The file the config came from, with the sha256 of its content: enables hot reload. */
  configFile?: { path: string; hash: string; watch?: boolean };
  /** Overrides config.listeners.grpc.address. */
  grpcListen?: string;
  /** Overrides listeners.grpc.unix_socket.mode (`serve --grpc-socket-mode`: the injector's sidecar). */
  grpcSocketMode?: string;
  /** Overrides config.listeners.admin.address; "off" disables the admin listener. */
  adminListen?: string;
  logger?: Logger;
  /** How long open streams may take to finish at shutdown. */
  shutdownGraceMs?: number;
  /** Overrides the tracing built from config.telemetry.tracing (tests: a short export interval). */
  tracing?: Tracing;
}

export interface RunningRouter {
  grpcAddress: string;
  adminUrl: string | undefined;
  /** The admin listener's routes (empty when it is off). */
  adminRoutes: AdminServer['routes'];
  metrics: RouterMetrics;
  tracing: Tracing;
  extProc: ExtProcServer;
  /** The certificate watchers of TLS listeners (tests force a re-read with check()). */
  tls: { grpc?: CertWatcher; admin?: CertWatcher };
  snapshot(): RoutingSnapshot;
  /** Reloads the config file (SIGHUP); resolves true when the new config was applied. */
  reload(trigger?: ReloadTrigger): Promise<boolean>;
  reloadStatus(): ReloadStatus | undefined;
  close(): Promise<void>;
}

export async function startRouter(opts: RouterOptions): Promise<RunningRouter> {
  const logger = opts.logger ?? createLogger();
  const metrics = createMetrics({ maxTenantLabels: opts.config.telemetry.max_tenant_labels });
  // Streams read the current snapshot when they open and keep it: a reload swaps this variable
  // only after the new snapshot is completely built.
  const pool = new ModelPool(logger);
  // A failed signal is logged by the request's own observer (with its ids: src/pipeline/trace-steps.ts).
  const observer: SignalObserver = {
    signalEvaluated(signal, outcome, seconds) {
      metrics.recordSignal({ signal: signal.name, kind: signal.kind, outcome }, signal.budgetMs !== undefined ? seconds : undefined);
    },
  };
  // Shared across reloads: requests routed under the old config still load their model.
  const inflight = new InflightTracker();
  // Scrape and DNS faults degrade the endpoint pick, never a request: logged once per 10 s.
  const endpointLog = logger.rateLimited('endpoint-picker', 10_000);
  const onEndpointError = (message: string) => endpointLog.warn('endpoint picker: an endpoint is unknown until its next good scrape', { error: message });
  const build = (cfg: Config) => buildSnapshot(cfg, opts.configFile?.path, { pool, observer, logger, inflight, onEndpointError });
  let snapshot: RoutingSnapshot;
  try {
    snapshot = await build(opts.config);
  } catch (e) {
    await pool.close();
    throw e;
  }
  // TLS files are checked before anything listens: a missing or mismatched file fails the start.
  const grpcTlsConfig = opts.config.listeners.grpc.tls;
  const adminTlsConfig = opts.config.listeners.admin.tls;
  let grpcTls: CertWatcher | undefined;
  let adminTls: CertWatcher | undefined;
  try {
    grpcTls = grpcTlsConfig && new CertWatcher('grpc', grpcTlsConfig, grpcTlsConfig.reload_interval_ms, logger);
    adminTls = adminTlsConfig && new CertWatcher('admin', adminTlsConfig, adminTlsConfig.reload_interval_ms, logger);
  } catch (e) {
    await snapshot.live?.close(); // its scrapes started with the snapshot
    await pool.close();
    throw e;
  }
  metrics.observeEndpoints?.(() => snapshot.live?.stats() ?? []);
  const state = createStateContext(opts.config, metrics, logger);
  // Chosen at start (a reload that changes telemetry.tracing warns: it applies at the next restart).
  const exportLog = logger.rateLimited('trace-export', 60_000);
  const tracing =
    opts.tracing ??
    createTracing(opts.config.telemetry.tracing, {
      onExport: (r, n) => {
        metrics.recordTraceExport(r, n);
        if (r === 'failed') exportLog.warn('span export to the OTLP collector failed; its spans are dropped', { spans: n, protocol: opts.config.telemetry.tracing.protocol });
      },
    });
  const closeResources = async () => {
    grpcTls?.close();
    adminTls?.close();
    await tracing.shutdown();
    await pool.close();
    await state?.store.close();
  };
  const reloader = opts.configFile
    ? new ConfigReloader<RoutingSnapshot>({
        file: opts.configFile.path,
        initial: { config: opts.config, hash: opts.configFile.hash },
        build,
        apply: (next, cfg, previous) => {
          const old = snapshot;
          snapshot = next;
          old.release();
          if (cfg.security.max_inflight_body_bytes !== previous.security.max_inflight_body_bytes) {
            logger.warn('security.max_inflight_body_bytes changed; it applies at the next restart');
          }
          if (JSON.stringify(cfg.telemetry.tracing) !== JSON.stringify(previous.telemetry.tracing)) {
            logger.warn('telemetry.tracing changed; it applies at the next restart');
          }
          if (stateSettingsChanged(cfg, previous)) {
            logger.warn('state, affinity.enabled or cache.enabled changed; the state backend is chosen at start, restart to apply');
          }
        },
        logger,
        metrics,
      })
    : undefined;
  const grpcAddress = opts.grpcListen ?? opts.config.listeners.grpc.address;
  const adminAddress = opts.adminListen ?? opts.config.listeners.admin.address;
  const graceMs = opts.shutdownGraceMs ?? 10_000;

  const extProc = new ExtProcServer({
    address: grpcAddress,
    snapshot: () => snapshot,
    inflight,
    ...(state ? { state } : {}),
    ...(tracing.enabled ? { tracing } : {}),
    metrics,
    logger,
    // Room for the largest body the schema allows plus headers and framing, so that a reload can
    // raise security.max_body_bytes; the stream answers 413 above the configured limit.
    maxMessageBytes: MAX_BODY_BYTES_LIMIT + 1024 * 1024,
    maxInflightBodyBytes: opts.config.security.max_inflight_body_bytes,
    maxConnectionAgeMs: opts.config.listeners.grpc.max_connection_age_ms,
    maxConnectionStreams: opts.config.listeners.grpc.max_connection_streams,
    streamIdleTimeoutMs: opts.config.listeners.grpc.stream_idle_timeout_ms,
    unixSocket: { ...opts.config.listeners.grpc.unix_socket, ...(opts.grpcSocketMode !== undefined ? { mode: opts.grpcSocketMode } : {}) },
    ...(grpcTls && grpcTlsConfig ? { tls: { watcher: grpcTls, minVersion: grpcTlsConfig.min_version } } : {}),
  });
  let bound: string;
  try {
    bound = await extProc.start();
  } catch (e) {
    await closeResources();
    throw e;
  }

  let admin: AdminServer | undefined;
  if (adminAddress !== 'off') {
    try {
      admin = await startAdminServer({
        ...listenHostPort(adminAddress),
        ...(adminTls && adminTlsConfig ? { tls: { watcher: adminTls, minVersion: adminTlsConfig.min_version } } : {}),
        metrics,
        logger,
        authorize: bearerAuthorizer(
          () => snapshot.config.security.admin_tokens,
          (method) => (method === 'GET' ? 'viewer' : 'admin'),
        ),
        routes: [...configRoutes(() => reloader), ...explainRoutes(() => snapshot, state)],
        readiness: [
          { name: 'config', check: () => ({ ok: true, detail: configDetail(snapshot, reloader?.status()) }) },
          { name: 'models', check: () => ({ ok: true, detail: modelsDetail(snapshot) }) },
          {
            name: 'grpc',
            check: () => ({ ok: extProc.health.current === 'SERVING', detail: bound }),
          },
          // Never fails readiness: without state the router still routes (affinity and cache off).
          { name: 'state', check: () => ({ ok: true, detail: stateDetail(state) }) },
          // Never fails readiness: the certificate in use keeps serving while a rotation is refused.
          ...(grpcTls || adminTls ? [{ name: 'tls', check: () => ({ ok: true, detail: tlsDetail({ grpc: grpcTls, admin: adminTls }) }) }] : []),
        ],
      });
    } catch (e) {
      await extProc.shutdown(0);
      await closeResources();
      throw e;
    }
  }
  // Config and models are loaded (there are no models to load yet): ready for traffic.
  extProc.health.set('SERVING');
  grpcTls?.start();
  metrics.observeCertificates(() => [grpcTls, adminTls].flatMap((w) => (w ? [{ listener: w.listener, notAfter: w.current.notAfter }] : [])));
  adminTls?.start();
  if (opts.configFile?.watch) reloader?.watch();
  logger.info('semroute ready', { version: versionLine(), grpc: bound, admin: admin?.url ?? 'off', models: opts.config.models.length });

  let closing: Promise<void> | undefined;
  return {
    grpcAddress: bound,
    adminUrl: admin?.url,
    adminRoutes: admin?.routes ?? [],
    metrics,
    tracing,
    extProc,
    tls: { ...(grpcTls ? { grpc: grpcTls } : {}), ...(adminTls ? { admin: adminTls } : {}) },
    snapshot: () => snapshot,
    reload: (trigger = 'signal') => reloader?.reload(trigger) ?? Promise.resolve(false),
    reloadStatus: () => reloader?.status(),
    close() {
      closing ??= (async () => {
        reloader?.close();
        await extProc.shutdown(graceMs);
        await snapshot.live?.close();
        await admin?.close();
        await closeResources();
        await metrics.shutdown();
      })();
      return closing;
    },
  };
}

function stateSettingsChanged(next: Config, previous: Config): boolean {
  const pick = (c: Config) => JSON.stringify([c.state, c.affinity.enabled, c.cache.enabled]);
  return pick(next) !== pick(previous);
}

/** /readyz detail of the tls check: each listener's certificate, its expiry, and a refused rotation. */
function tlsDetail(watchers: Record<string, CertWatcher | undefined>): string {
  return Object.entries(watchers)
    .filter((e): e is [string, CertWatcher] => e[1] !== undefined)
    .map(([name, w]) => {
      const s = w.status();
      // The reason names files: it goes to the log, not to this unauthenticated route.
      return `${name}: ${s.subject} until ${s.not_after}${s.rejected ? ' (newer files refused, see the log)' : ''}`;
    })
    .join('; ');
}

/** /readyz detail of the state check: the backend and whether it is in use. */
function stateDetail(state: StateContext | undefined): string {
  if (!state) return 'off (affinity and cache disabled)';
  return `${state.store.backend}${state.store.available() ? '' : ': unavailable, affinity and cache skipped'}`;
}

/** /readyz detail of the models check: each loaded model and the provider it runs on. */
function modelsDetail(snapshot: RoutingSnapshot): string {
  if (snapshot.models.size === 0) return 'none in use';
  return [...snapshot.models.values()]
    .map((m) => `${m.name} (${m.task}, ${m.provider.used}${m.provider.used !== m.provider.asked ? `, asked ${m.provider.asked}` : ''})`)
    .join(', ');
}

/** /readyz detail of the config check: what is in use, and a rejected reload if there was one. */
function configDetail(snapshot: RoutingSnapshot, status: ReloadStatus | undefined): string {
  const cfg = snapshot.config;
  let detail = `${cfg.models.length} models, ${cfg.decisions.length} decisions`;
  if (!status) return detail;
  detail += `; generation ${status.generation} (sha256 ${status.hash.slice(0, 12)})`;
  const last = status.lastAttempt;
  if (last && !last.ok) {
    const first = last.issues[0];
    detail += `; reload rejected at ${last.at}${first ? `: ${formatIssue(first)}` : ''}${last.issues.length > 1 ? ` (+${last.issues.length - 1} more)` : ''}`;
  }
  return detail;
}
