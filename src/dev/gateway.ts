// The local gateway: an HTTP/1.1 front that drives an ext_proc server the way Envoy's ext_proc
// filter does (docs/extproc-wire.md), then routes like Envoy's router with a header-match route
// table. Used by `semroute dev`, the demo, the e2e tests and the benchmarks: a semroute bug that
// would break behind Envoy should break here too.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../extproc/proto.js';
import type { ProcessingMode } from '../extproc/wire.js';
import { Exchange, type ExchangeConfig } from './exchange.js';
import { ExtProcSession, type ProcessCall } from './extproc-session.js';
import { firstValue, outgoingHeaders, requestHasBody, requestHeaderTable } from './headers.js';
import { ClientGone, internalError, LocalReply, noRoute, upstreamFailure } from './local-reply.js';
import { processRequest } from './request-phase.js';
import { processResponse, type UpstreamResponse } from './response-phase.js';
import type { GatewayRoute } from './route-table.js';
import { localResponse, Upstreams } from './upstream.js';

/** The endpoint-picker protocol's report of the endpoint that served. */
const SERVED_HEADER = 'x-gateway-destination-endpoint-served';

export type { GatewayRoute } from './route-table.js';

export interface GatewayOptions {
  listen: { host: string; port: number };
  /** gRPC target: "127.0.0.1:50051" or "unix:/path.sock". */
  extProcTarget: string;
  /** Exact match on a request header, first match wins (Envoy route table). */
  routes: GatewayRoute[];
  /** The default route; absent → 404 like Envoy's "no route". */
  defaultUpstream?: string;
  /** Default: headers SEND, bodies BUFFERED, trailers SKIP. Trailer messages are never sent (HTTP/1.1
   * clients and the fake upstream send no trailers); FULL_DUPLEX_STREAMED as Envoy does it
   * (request-phase.ts, response-phase.ts); GRPC as NONE. */
  processingMode?: Partial<ProcessingMode>;
  allowModeOverride?: boolean;
  /** Envoy's message_timeout; default 200 ms. */
  messageTimeoutMs?: number;
  failureModeAllow?: boolean;
  /** Envoy's buffer limit for BUFFERED bodies; default 8 MiB. */
  maxRequestBytes?: number;
  /** One access-log line per request: method path status upstream ms [details]. */
  log?: (line: string) => void;
  /** Dial semroute over TLS, as Envoy's UpstreamTlsContext does (envoy/envoy-mtls.yaml). */
  extProcTls?: ExtProcTls;
}

export interface ExtProcTls {
  /** PEM CA bundle the server certificate must chain to (validation_context.trusted_ca). */
  ca: Buffer;
  /** PEM client certificate chain and key (tls_certificates), for mutual TLS. */
  cert?: Buffer;
  key?: Buffer;
  /** SNI, and the name the server certificate must carry (sni + match_typed_subject_alt_names). */
  serverName?: string;
}

export interface Gateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

type ExtProcClient = grpc.Client & { Process(): ProcessCall };

interface Outcome {
  status: number;
  upstream: string;
  details: string;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const maxBodyBytes = opts.maxRequestBytes ?? 8 * 1024 * 1024;
  const cfg: ExchangeConfig = {
    routes: opts.routes,
    defaultUpstream: opts.defaultUpstream,
    mode: {
      request_header_mode: 'SEND',
      response_header_mode: 'SEND',
      request_body_mode: 'BUFFERED',
      response_body_mode: 'BUFFERED',
      request_trailer_mode: 'SKIP',
      response_trailer_mode: 'SKIP',
      ...opts.processingMode,
    },
    allowModeOverride: opts.allowModeOverride ?? true,
    failOpen: opts.failureModeAllow ?? false,
    maxBodyBytes,
  };
  const timeoutMs = opts.messageTimeoutMs ?? 200;
  // Whole bodies travel in one message: allow well above the buffer limit.
  const maxMessage = Math.max(64 * 1024 * 1024, 2 * maxBodyBytes + 1024 * 1024);
  const { ExternalProcessorClient } = loadProtos();
  const tls = opts.extProcTls;
  const credentials = tls ? grpc.credentials.createSsl(tls.ca, tls.key ?? null, tls.cert ?? null) : grpc.credentials.createInsecure();
  const client = new ExternalProcessorClient(opts.extProcTarget, credentials, {
    ...(tls?.serverName ? { 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName } : {}),
    'grpc.max_receive_message_length': maxMessage,
    'grpc.max_send_message_length': maxMessage,
    // Envoy's HTTP/2 windows default to 256 MiB per stream; Node's 64 KiB would make every large
    // answer (a rewritten body) cross in window round trips that Envoy does not have.
    'grpc-node.flow_control_window': maxMessage,
  }) as unknown as ExtProcClient;
  const upstreams = new Upstreams();

  /**
   * Forwards to the route's upstream; an ORIGINAL_DST list walks on to the next address on a
   * connect failure (envoy/README.md: the retry policy with retry_on connect-failure), and the
   * address that answered is reported as x-gateway-destination-endpoint-served.
   */
  async function forwardWalking(route: NonNullable<Exchange['route']>, x: Exchange, body: Parameters<Upstreams['forward']>[2]): Promise<UpstreamResponse> {
    const addresses = route.address ? [route.address, ...(route.fallbacks ?? [])] : [undefined];
    let last: unknown;
    for (const address of addresses) {
      try {
        const up = await upstreams.forward(address ? `http://${address}` : route.upstream, x.headers, body, x.upstreamAbort.signal);
        if (address) up.headers.set(SERVED_HEADER, [address]);
        return up;
      } catch (e) {
        if (x.failed) throw x.failed;
        last = e;
        // Only a refused connection is retried: the request never reached that endpoint (and a streamed body was not read).
        if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || !(body === null || Buffer.isBuffer(body))) break;
      }
    }
    return localResponse(upstreamFailure(last));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<Outcome> {
    const session = new ExtProcSession(() => client.Process(), timeoutMs);
    const x = new Exchange(cfg, session, requestHeaderTable(req), requestHasBody(req));
    const path = firstValue(x.headers, ':path') ?? '/';
    // The client going away cancels the ext_proc stream and the upstream request, as in Envoy.
    res.on('close', () => {
      if (!res.writableFinished) x.clientGone();
    });
    let upstream = '-';
    try {
      const outcome = await processRequest(x, req);
      let up: UpstreamResponse;
      if (outcome.kind === 'local') {
        up = localResponse(outcome.reply);
      } else if (!x.route) {
        up = localResponse(noRoute(path));
      } else {
        upstream = x.route.cluster;
        up = await forwardWalking(x.route, x, outcome.body);
      }
      const status = await processResponse(x, up, res);
      return { status, upstream, details: '' };
    } catch (e) {
      const failure = x.failed ?? (e instanceof LocalReply || e instanceof ClientGone ? e : internalError(e));
      if (failure instanceof ClientGone) {
        res.destroy();
        return { status: 0, upstream, details: 'downstream_remote_disconnect' };
      }
      if (res.headersSent) {
        // Envoy cannot send a local reply once the response started: it resets the stream.
        res.destroy();
      } else {
        res.writeHead(failure.status, outgoingHeaders(failure.headers));
        res.end(failure.body);
      }
      return { status: failure.status, upstream, details: failure.details };
    } finally {
      // Envoy's onDestroy: close the stream; anything still in flight upstream is cancelled.
      session.close();
      x.upstreamAbort.abort();
    }
  }

  const server = createServer((req, res) => {
    const t0 = performance.now();
    handle(req, res)
      .catch((e: unknown) => {
        // A gateway bug: never crash the process.
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`local gateway error: ${(e as Error).message}`);
        } else {
          res.destroy();
        }
        return { status: 500, upstream: '-', details: 'gateway_internal_error' };
      })
      .then(({ status, upstream, details }) => {
        const ms = (performance.now() - t0).toFixed(1);
        // Like Envoy's %RESPONSE_CODE_DETAILS%: whitespace becomes '_'.
        opts.log?.(`${req.method} ${req.url} ${status} ${upstream} ${ms}ms${details ? ` ${details.replace(/\s+/g, '_')}` : ''}`);
      })
      .catch(() => undefined);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listen.port, opts.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  const port = (server.address() as AddressInfo).port;
  const host = opts.listen.host.includes(':') ? `[${opts.listen.host}]` : opts.listen.host;
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      client.close();
      await upstreams.close();
    },
  };
}
