// The gRPC server: ext_proc Process streams and grpc.health.v1, on TCP or a Unix socket.
import type { InflightTracker } from '../routing/load.js';
import type { StateContext } from '../pipeline/state-context.js';
import * as grpc from '@grpc/grpc-js';
import type { RoutingSnapshot } from '../pipeline/snapshot.js';
import type { Logger } from '../telemetry/logger.js';
import type { RouterMetrics } from '../telemetry/metrics.js';
import { BodyBudget } from './body-budget.js';
import { HealthService } from './health.js';
import { loadProtos } from './proto.js';
import { ExtProcStream } from './stream.js';
import type { ProcessingRequest, ProcessingResponse } from './wire.js';

export interface ExtProcServerOptions {
  /** host:port, [ipv6]:port or unix:/path. Port 0 picks a free port. */
  address: string;
  /** The current config snapshot; each stream keeps the one it started with. */
  snapshot: () => RoutingSnapshot;
  metrics: RouterMetrics;
  logger: Logger;
  /** Largest gRPC message accepted: must exceed the largest request body. */
  maxMessageBytes: number;
  /** Request-body bytes all streams may hold together (429 beyond it). */
  maxInflightBodyBytes?: number;
  /** Routed requests per model, shared by every stream (least_loaded). */
  inflight?: InflightTracker;
  /** Shared state (affinity, cache), shared by every stream. */
  state?: StateContext;
}

export class ExtProcServer {
  private readonly server: grpc.Server;
  readonly health = new HealthService();
  private readonly open = new Set<ExtProcStream>();
  private boundAddress = '';
  private readonly bodyBudget: BodyBudget | undefined;

  constructor(private readonly opts: ExtProcServerOptions) {
    this.bodyBudget = opts.maxInflightBodyBytes ? new BodyBudget(opts.maxInflightBodyBytes) : undefined;
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': opts.maxMessageBytes,
      'grpc.max_send_message_length': opts.maxMessageBytes,
      // Envoy keeps one HTTP/2 connection open for many streams; let it ping without calls.
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 10_000,
    });
    const { extProcService, healthService } = loadProtos();
    this.server.addService(extProcService, { Process: (call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => this.onCall(call) });
    this.server.addService(healthService, this.health.implementation);
  }

  /** The address actually bound (with the chosen port when 0 was asked). */
  get address(): string {
    return this.boundAddress;
  }

  async start(): Promise<string> {
    const port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(this.opts.address, grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      );
    });
    this.boundAddress = this.opts.address.startsWith('unix:')
      ? this.opts.address
      : this.opts.address.replace(/:\d+$/, `:${port}`);
    return this.boundAddress;
  }

  private onCall(call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>): void {
    const { metrics, logger } = this.opts;
    const stream = new ExtProcStream(
      {
        snapshot: this.opts.snapshot(),
        metrics,
        logger,
        ...(this.bodyBudget ? { bodyBudget: this.bodyBudget } : {}),
        ...(this.opts.inflight ? { inflight: this.opts.inflight } : {}),
        ...(this.opts.state ? { state: this.opts.state } : {}),
      },
      { write: (res) => call.write(res), end: () => call.end() },
    );
    this.open.add(stream);
    metrics.streamOpened();
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      this.open.delete(stream);
      metrics.streamClosed();
    };
    call.on('data', (req: ProcessingRequest) => stream.push(req));
    call.on('end', () => {
      stream.end().then(close, close);
    });
    call.on('cancelled', () => {
      stream.cancel();
      close();
    });
    call.on('error', (err: Error) => {
      logger.debug('ext_proc stream error', { error: err.message });
      stream.cancel();
      close();
    });
  }

  /**
   * Graceful stop: report NOT_SERVING, refuse new streams, let open ones finish for up to graceMs,
   * then cut what is left.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.health.set('NOT_SERVING');
    this.health.closeWatchers();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.opts.logger.warn('grace period over; closing open ext_proc streams', { open: this.open.size });
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
