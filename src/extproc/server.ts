// The gRPC server: ext_proc Process streams and grpc.health.v1, on TCP or a Unix socket.
import type { InflightTracker } from '../routing/load.js';
import type { StateContext } from '../pipeline/state-context.js';
import type http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import type { RoutingSnapshot } from '../pipeline/snapshot.js';
import type { Logger } from '../telemetry/logger.js';
import type { Tracing } from '../telemetry/tracing/index.js';
import type { RouterMetrics } from '../telemetry/metrics.js';
import { BodyBudget } from './body-budget.js';
import { rotateWhenSpent } from './connection-age.js';
import { watchSessions } from './flow-control.js';
import { HealthService } from './health.js';
import { loadProtos } from './proto.js';
import { ExtProcStream } from './stream.js';
import { callPeer, serverCredentials, type ServerTlsOptions } from './tls.js';
import { applySocketPermissions } from './unix-socket.js';
import type { UnixSocketConfig } from '../config/schema/tls.js';
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
  /** Traces: one request span per stream (absent: off). */
  tracing?: Tracing;
  /**
   * A stream that has seen no message for this long is one Envoy has forgotten (a reset that never
   * arrived): it is cancelled and counted. Must exceed the longest time Envoy can leave a live stream
   * silent: the upstream's time to response headers (the route timeout) and the gaps in a streamed
   * response. Default 10 minutes.
   */
  streamIdleTimeoutMs?: number;
  /**
   * Rotate each client connection (two-phase GOAWAY NO_ERROR, open streams finish) after this long
   * (for rebalancing over replicas) or after this many streams (so Envoy's stream resets never
   * spend nghttp2's reset budget): see connection-age.ts. Absent or 0: never.
   */
  maxConnectionAgeMs?: number;
  maxConnectionStreams?: number;
  /** TLS (mutual with a client CA) from a certificate watcher; absent: plaintext. */
  tls?: ServerTlsOptions;
  /** Mode and group of a unix: socket, set right after bind. */
  unixSocket?: UnixSocketConfig;
}

type ProcessCall = grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>;

/** One open call: its stream, and when it last saw a message (for the reaper). */
interface OpenCall {
  stream: ExtProcStream;
  call: ProcessCall;
  lastMessageAt: number;
  /** Releases the stream's accounting; safe to call more than once. */
  release: () => void;
}

export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 600_000;

export class ExtProcServer {
  private readonly server: grpc.Server;
  readonly health = new HealthService();
  private readonly open = new Set<OpenCall>();
  /**
   * Every client connection, the ones rotated by max_connection_age too: grpc-js stops tracking a
   * connection once it sent it GOAWAY, so its shutdown would leave such a connection open for as
   * long as a stream on it stays open.
   */
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly reaper: NodeJS.Timeout;
  private readonly idleTimeoutMs: number;
  private boundAddress = '';
  private readonly bodyBudget: BodyBudget | undefined;
  private detachTls: (() => void) | undefined;

  constructor(private readonly opts: ExtProcServerOptions) {
    this.bodyBudget = opts.maxInflightBodyBytes ? new BodyBudget(opts.maxInflightBodyBytes) : undefined;
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': opts.maxMessageBytes,
      'grpc.max_send_message_length': opts.maxMessageBytes,
      // Envoy keeps one HTTP/2 connection open for many streams; let it ping without calls.
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 10_000,
      // channelz (grpc-js's introspection service, never served here) reads the clock and updates
      // counters for every message and call.
      'grpc.enable_channelz': 0,
    });
    const { extProcService, healthService } = loadProtos();
    this.server.addService(extProcService, { Process: (call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => this.onCall(call) });
    this.server.addService(healthService, this.health.implementation);
    this.idleTimeoutMs = opts.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS;
    // Checks a tenth of the timeout apart (between 50 ms and 10 s): a stream is reaped within 1.1×.
    this.reaper = setInterval(() => this.reapIdle(), Math.min(10_000, Math.max(50, this.idleTimeoutMs / 10)));
    this.reaper.unref();
  }

  /** Streams open now (the semroute_extproc_streams_active gauge counts the same). */
  get openStreams(): number {
    return this.open.size;
  }

  /** The address actually bound (with the chosen port when 0 was asked). */
  get address(): string {
    return this.boundAddress;
  }

  async start(): Promise<string> {
    let credentials = grpc.ServerCredentials.createInsecure();
    if (this.opts.tls) {
      const tls = serverCredentials(this.opts.tls);
      credentials = tls.credentials;
      this.detachTls = tls.detach;
    }
    const port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(this.opts.address, credentials, (err, p) =>
        err ? reject(err) : resolve(p),
      );
    });
    if (this.opts.address.startsWith('unix:') && this.opts.unixSocket) {
      try {
        await applySocketPermissions(this.opts.address.slice('unix:'.length), this.opts.unixSocket);
      } catch (e) {
        this.server.forceShutdown();
        throw e;
      }
    }
    const rotation = { maxAgeMs: this.opts.maxConnectionAgeMs ?? 0, maxStreams: this.opts.maxConnectionStreams ?? 0 };
    const tracked = watchSessions(this.server, (session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
      if (rotation.maxAgeMs > 0 || rotation.maxStreams > 0) rotateWhenSpent(session, { ...rotation, onRotate: () => this.opts.metrics.recordConnectionRotated() });
    });
    if (!tracked) {
      this.opts.logger.warn('cannot reach grpc-js HTTP/2 sessions (its internals changed): large bodies cross in 64 KiB windows and connections are never rotated');
    }
    this.boundAddress = this.opts.address.startsWith('unix:')
      ? this.opts.address
      : this.opts.address.replace(/:\d+$/, `:${port}`);
    return this.boundAddress;
  }

  private onCall(call: ProcessCall): void {
    const { metrics, logger } = this.opts;
    let released = false;
    const entry: OpenCall = {
      call,
      lastMessageAt: performance.now(),
      release: () => {
        if (released) return;
        released = true;
        this.open.delete(entry);
        metrics.streamClosed();
      },
      stream: new ExtProcStream(
        {
          snapshot: this.opts.snapshot(),
          peer: callPeer(call),
          metrics,
          logger,
          ...(this.bodyBudget ? { bodyBudget: this.bodyBudget } : {}),
          ...(this.opts.inflight ? { inflight: this.opts.inflight } : {}),
          ...(this.opts.state ? { state: this.opts.state } : {}),
          ...(this.opts.tracing ? { tracing: this.opts.tracing } : {}),
        },
        {
          write: (res) => call.write(res),
          // semroute closed its side: the stream is over for us even if Envoy never half-closes.
          end: () => {
            call.end();
            entry.release();
          },
        },
      ),
    };
    const { stream } = entry;
    this.open.add(entry);
    metrics.streamOpened();
    const abort = () => {
      stream.cancel();
      entry.release();
    };
    call.on('data', (req: ProcessingRequest) => {
      entry.lastMessageAt = performance.now();
      stream.push(req);
    });
    // The client half-closed: answer what is pending, then close.
    call.on('end', () => void stream.end().then(entry.release, entry.release));
    call.on('cancelled', abort);
    call.on('error', (err: Error) => {
      logger.debug('ext_proc stream error', { error: err.message });
      abort();
    });
    // 'close' follows every way the call can end, the ones above included; it is the last word
    // when none of them fired (a reset racing the first message).
    call.on('close', () => {
      if (!stream.closed) abort();
      else entry.release();
    });
    // Cancelled before these listeners existed: no event will come.
    if (call.cancelled || call.destroyed) abort();
  }

  /** Cancels streams that have seen no message for longer than the idle timeout. */
  reapIdle(now = performance.now()): number {
    let reaped = 0;
    for (const entry of [...this.open]) {
      if (now - entry.lastMessageAt < this.idleTimeoutMs) continue;
      reaped++;
      entry.stream.cancel();
      entry.release();
      // End the call with OK, as if semroute were done with it: a peer that still holds it (Envoy)
      // continues the request unprocessed rather than failing it, and grpc-js drains what the peer
      // still sends. (destroy() would leave the HTTP/2 stream open and paused: bytes sent to it
      // would hold the connection's flow-control window and stall every stream on it.)
      entry.call.end();
    }
    if (reaped > 0) {
      this.opts.metrics.recordStreamsReaped(reaped);
      this.opts.logger.warn('reaped idle ext_proc streams', { reaped, idle_timeout_ms: this.idleTimeoutMs });
    }
    return reaped;
  }

  /**
   * Graceful stop: report NOT_SERVING, refuse new streams, let open ones finish for up to graceMs,
   * then cut what is left.
   */
  async shutdown(graceMs: number): Promise<void> {
    clearInterval(this.reaper);
    this.detachTls?.();
    this.health.set('NOT_SERVING');
    this.health.closeWatchers();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.opts.logger.warn('grace period over; closing open ext_proc streams', { open: this.open.size });
        this.server.forceShutdown();
        for (const session of this.sessions) session.destroy();
        resolve();
      }, graceMs);
      timer.unref();
      // The final GOAWAY on every connection now (new streams refused, open ones finish), then
      // done when grpc-js's own connections and the rotated ones have all closed.
      for (const session of this.sessions) session.close();
      this.server.tryShutdown(() => {
        const finish = () => {
          if (this.sessions.size > 0) return;
          clearTimeout(timer);
          resolve();
        };
        for (const session of this.sessions) session.once('close', finish);
        finish();
      });
    });
  }
}
