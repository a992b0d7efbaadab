// The HTTP admin listener (node:http, no framework): liveness, readiness, Prometheus metrics, and
// whatever extra routes the router registers (explain, config view).
//
//   GET /healthz  200 {"status":"ok"} while the process can answer at all; never looks at dependencies.
//   GET /readyz   200 {"status":"ready","version":{…},…} when every readiness check is ok, else 503 {"status":"not_ready",…}.
//   GET /metrics  Prometheus text 0.0.4.
//
// Errors are OpenAI-shaped JSON like everything else semroute returns. Bounded: request bodies
// (1 MiB by default → 413), header and request timeouts, and close() also ends keep-alive sockets.
//
// Authorization seam: `authorize` runs before the body is read for every route not marked `public`
// (healthz, readyz and metrics are public so probes and Prometheus need no token). src/admin/auth.ts
// implements it with bearer tokens and roles.

import { buildInfo } from '../telemetry/build-info.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../telemetry/errors.js';
import { silentLogger, type Logger } from '../telemetry/logger.js';
import { PROMETHEUS_CONTENT_TYPE, type RouterMetrics } from '../telemetry/metrics.js';
import { createAdminHttpsServer, type AdminTls } from './tls.js';

export interface ReadinessCheck {
  name: string;
  check(): { ok: boolean; detail?: string };
}

export interface AdminRequest {
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** Added to the brief's shape: handlers such as explain may read `?…` parameters. */
  method: string;
  path: string;
  query: URLSearchParams;
}

export interface AdminResponse {
  status: number;
  /** Without content-type: text/plain for a string body, application/octet-stream for a Buffer. */
  headers?: Record<string, string>;
  body: string | Buffer;
}

export interface AdminRoute {
  method: 'GET' | 'POST';
  path: string;
  /** Skip `authorize` for this route (probes). Default false. */
  public?: boolean;
  handle(req: AdminRequest): Promise<AdminResponse>;
}

/** `principal`: who asked, for the audit line (a token's name or fingerprint; never the token). */
export type AuthorizeResult = { ok: true; principal?: string } | { ok: false; status: 401 | 403; message?: string; principal?: string };

export interface AdminServerOptions {
  host: string;
  /** 0 = ephemeral. */
  port: number;
  metrics: RouterMetrics;
  /** /readyz is 200 only when all are ok (a throwing check counts as not ok). */
  readiness: ReadinessCheck[];
  /** Extra handlers (explain, config view). A path+method already taken is an error at start. */
  routes?: AdminRoute[];
  logger?: Logger;
  /** Called for every non-public route before its body is read. Absent: everything is allowed. */
  authorize?(req: { method: string; path: string; headers: IncomingMessage['headers'] }): AuthorizeResult | Promise<AuthorizeResult>;
  /** Largest accepted request body. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Whole-request limit (headers and body), ms. Default 10 s. */
  requestTimeoutMs?: number;
  /** Time to receive the request headers, ms. Default 5 s. */
  headersTimeoutMs?: number;
  /** How long close() lets in-flight requests finish before cutting their sockets, ms. Default 1 s. */
  closeGraceMs?: number;
  /** How long an idle keep-alive connection stays open, ms. Default 5 s. */
  keepAliveTimeoutMs?: number;
  /** Serve HTTPS with these certificates (re-read on change); absent: plain HTTP. */
  tls?: AdminTls;
}

export interface AdminServer {
  url: string;
  port: number;
  /** Every route served, probes included (the inventory in docs/admin-api.md). */
  routes: Array<{ method: AdminRoute['method']; path: string; public: boolean }>;
  close(): Promise<void>;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
const DEFAULT_MAX_BODY = 1024 * 1024;
/** Past the limit we keep reading (and dropping) this much so the client can read our 413. */
const DRAIN_LIMIT = 8 * 1024 * 1024;

type ErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'server_error';

function errorBody(message: string, type: ErrorType, code: string): string {
  return JSON.stringify({ error: { message, type, code } });
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ErrorType,
    readonly code: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

/** Reads the body up to `limit`; past it, drains (bounded) so that a 413 can be answered cleanly. */
function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    let done = false;
    const finish = (r: BodyResult): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      resolve(r);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      }
      if (!tooLarge) chunks.push(chunk);
      else if (size > limit + DRAIN_LIMIT) {
        // Not worth reading further: answer and let the socket close.
        finish({ ok: false, reason: 'too_large' });
      }
    };
    const onEnd = (): void => finish(tooLarge ? { ok: false, reason: 'too_large' } : { ok: true, body: Buffer.concat(chunks, size) });
    const onError = (): void => finish({ ok: false, reason: 'aborted' });
    const onClose = (): void => {
      if (!req.complete) finish({ ok: false, reason: 'aborted' });
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const logger = (opts.logger ?? silentLogger).child({ component: 'admin' });
  const auditLog = logger.child({ component: 'admin-audit' });
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;

  const builtins: AdminRoute[] = [
    {
      method: 'GET',
      path: '/healthz',
      public: true,
      handle: () => Promise.resolve({ status: 200, headers: { 'content-type': JSON_TYPE }, body: '{"status":"ok"}' }),
    },
    {
      method: 'GET',
      path: '/readyz',
      public: true,
      handle: () => {
        const checks = opts.readiness.map((c) => {
          try {
            const r = c.check();
            return { name: c.name, ok: r.ok === true, detail: r.detail };
          } catch (e) {
            return { name: c.name, ok: false, detail: `check failed: ${errorMessage(e)}` };
          }
        });
        const ready = checks.every((c) => c.ok);
        return Promise.resolve({
          status: ready ? 200 : 503,
          headers: { 'content-type': JSON_TYPE },
          body: JSON.stringify({ status: ready ? 'ready' : 'not_ready', version: buildInfo(), checks }),
        });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      // Scraped without credentials, like the probes: it carries counts, never request content.
      public: true,
      handle: async () => ({
        status: 200,
        headers: { 'content-type': PROMETHEUS_CONTENT_TYPE },
        body: await opts.metrics.render(),
      }),
    },
  ];

  const table = new Map<string, Map<string, AdminRoute>>();
  for (const route of [...builtins, ...(opts.routes ?? [])]) {
    if (!route.path.startsWith('/')) throw new Error(`admin route path must start with "/": ${route.path}`);
    const byMethod = table.get(route.path) ?? new Map<string, AdminRoute>();
    if (byMethod.has(route.method)) throw new Error(`admin route registered twice: ${route.method} ${route.path}`);
    byMethod.set(route.method, route);
    table.set(route.path, byMethod);
  }

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void => {
    if (res.headersSent || res.destroyed) return;
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.writeHead(status, {
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
      'content-length': String(buf.length),
    });
    res.end(buf);
  };

  const sendError = (res: ServerResponse, err: HttpError): void => {
    send(res, err.status, { 'content-type': JSON_TYPE, ...err.headers }, errorBody(err.message, err.type, err.code));
  };

  /** What the audit line of a request says; `action` is set once it reached a protected route. */
  interface Audit {
    action?: string;
    principal?: string;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, audit: Audit): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://admin.invalid');
    } catch {
      throw new HttpError(400, 'malformed request target', 'invalid_request_error', 'invalid_request');
    }
    const byMethod = table.get(url.pathname);
    if (!byMethod) throw new HttpError(404, 'not found', 'invalid_request_error', 'not_found');
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? '');
    const route = byMethod.get(method);
    if (!route) {
      const allow = [...byMethod.keys()];
      if (allow.includes('GET')) allow.push('HEAD');
      throw new HttpError(405, 'method not allowed', 'invalid_request_error', 'method_not_allowed', {
        allow: allow.join(', '),
      });
    }

    if (!route.public) audit.action = `${method} ${url.pathname}`;
    if (!route.public && opts.authorize) {
      const verdict = await opts.authorize({ method, path: url.pathname, headers: req.headers });
      audit.principal = verdict.principal;
      if (!verdict.ok) {
        throw verdict.status === 401
          ? new HttpError(401, verdict.message ?? 'unauthorized', 'authentication_error', 'unauthorized', {
              'www-authenticate': 'Bearer',
            })
          : new HttpError(403, verdict.message ?? 'forbidden', 'permission_error', 'forbidden');
      }
    }

    const body = await readBody(req, maxBody);
    if (!body.ok) {
      if (body.reason === 'aborted') return;
      throw new HttpError(413, `request body exceeds ${maxBody} bytes`, 'invalid_request_error', 'request_too_large', {
        connection: 'close',
      });
    }

    const out = await route.handle({
      body: body.body,
      headers: req.headers,
      method,
      path: url.pathname,
      query: url.searchParams,
    });
    if (!Number.isInteger(out.status) || out.status < 200 || out.status > 599) {
      throw new Error(`admin route ${route.method} ${route.path} returned invalid status ${String(out.status)}`);
    }
    const headers: Record<string, string> = { ...(out.headers ?? {}) };
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      headers['content-type'] = typeof out.body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream';
    }
    send(res, out.status, headers, out.body);
  }

  const serverOptions = {
    requestTimeout: opts.requestTimeoutMs ?? 10_000,
    headersTimeout: opts.headersTimeoutMs ?? 5_000,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 5_000,
    // How often the timeouts above are enforced (Node's default is 30 s).
    connectionsCheckingInterval: 1_000,
    maxHeaderSize: 16 * 1024,
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    const audit: Audit = {};
    res.on('finish', () => {
      logger.debug('admin request', {
        method: req.method,
        path: (req.url ?? '').split('?', 1)[0],
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
    // One audit line per request to a protected route, answered or not: who, what, the result.
    res.once('close', () => {
      if (audit.action === undefined) return;
      const status = res.writableFinished ? res.statusCode : 0;
      const result = status === 0 ? 'aborted' : status < 400 ? 'ok' : status === 401 || status === 403 ? 'denied' : 'failed';
      const line = { audit: true, who: audit.principal ?? 'unauthenticated', remote: req.socket.remoteAddress, action: audit.action, status, result };
      if (result === 'denied') auditLog.warn('admin action', line);
      else auditLog.info('admin action', line);
    });
    handle(req, res, audit).catch((e: unknown) => {
      if (e instanceof HttpError) {
        sendError(res, e);
        return;
      }
      // Log the details here; the client only learns that it failed.
      logger.error('admin handler failed', { method: req.method, path: req.url, error: e });
      sendError(res, new HttpError(500, 'internal error', 'server_error', 'internal_error'));
    });
  };
  const server: Server = opts.tls ? createAdminHttpsServer(opts.tls, serverOptions, onRequest) : createServer(serverOptions, onRequest);
  server.maxRequestsPerSocket = 1_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: opts.host, port: opts.port });
  });
  server.on('error', (e) => logger.error('admin listener error', { error: e }));

  const port = (server.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://${formatHost(opts.host)}:${port}`;
  logger.debug('admin listener started', { url });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    routes: [...table.values()].flatMap((byMethod) => [...byMethod.values()].map((r) => ({ method: r.method, path: r.path, public: r.public === true }))),
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), opts.closeGraceMs ?? 1_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        // Idle keep-alive sockets would otherwise hold close() open until they time out.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
