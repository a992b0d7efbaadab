// The local gateway: an HTTP/1.1 front that drives an ext_proc server the way Envoy's ext_proc
// filter does (docs/extproc-wire.md), then routes like Envoy's router with a header-match route
// table, forwarding with undici. Used by `semroute dev`, the e2e tests and the demo.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import * as grpc from '@grpc/grpc-js';
import { Agent, request as undiciRequest } from 'undici';
import { httpStatusNumber, loadProtos } from '../extproc/proto.js';
import type { BodySendMode, CommonResponse, HeaderMap, ProcessingMode, ProcessingRequest, ProcessingResponse } from '../extproc/wire.js';
import { ExtProcSession } from './extproc-session.js';
import { applyHeaderMutation, MutationError, type HeaderTable } from './header-mutation.js';
import { selectRoute, type GatewayRoute } from './route-table.js';

export type { GatewayRoute } from './route-table.js';

export interface GatewayOptions {
  listen: { host: string; port: number };
  extProcTarget: string;
  routes: GatewayRoute[];
  defaultUpstream?: string;
  processingMode?: Partial<ProcessingMode>;
  allowModeOverride?: boolean;
  messageTimeoutMs?: number;
  failureModeAllow?: boolean;
  maxRequestBytes?: number;
  log?: (line: string) => void;
}

export interface Gateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'trailer']);

type ExtProcClient = grpc.Client & { Process(): grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse> };

/** A reply the gateway makes itself (Envoy's "local reply"). */
class LocalReply extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Record<string, string | string[]> = { 'content-type': 'text/plain' },
  ) {
    super(`local reply ${status}`);
  }
}

function toHeaderMap(t: HeaderTable): HeaderMap {
  const headers = [];
  for (const [key, values] of t) for (const v of values) headers.push({ key, raw_value: Buffer.from(v, 'utf8') });
  return { headers };
}

function requestTable(req: IncomingMessage): HeaderTable {
  const t: HeaderTable = new Map();
  t.set(':method', [req.method ?? 'GET']);
  t.set(':path', [req.url ?? '/']);
  t.set(':authority', [req.headers.host ?? '']);
  t.set(':scheme', ['http']);
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const key = req.rawHeaders[i]!.toLowerCase();
    if (key === 'host') continue;
    t.set(key, [...(t.get(key) ?? []), req.rawHeaders[i + 1]!]);
  }
  if (!t.has('x-request-id')) t.set('x-request-id', [randomUUID()]);
  return t;
}

function first(t: HeaderTable, key: string): string | undefined {
  return t.get(key)?.[0];
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new LocalReply(413, 'Payload Too Large');
    chunks.push(c);
  }
  return chunks;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const mode: Required<ProcessingMode> = {
    request_header_mode: 'SEND',
    response_header_mode: 'SEND',
    request_body_mode: 'BUFFERED',
    response_body_mode: 'BUFFERED',
    request_trailer_mode: 'SKIP',
    response_trailer_mode: 'SKIP',
    ...opts.processingMode,
  };
  const allowOverride = opts.allowModeOverride ?? true;
  const timeoutMs = opts.messageTimeoutMs ?? 200;
  const failOpen = opts.failureModeAllow ?? false;
  const maxBytes = opts.maxRequestBytes ?? 8 * 1024 * 1024;
  const { ExternalProcessorClient } = loadProtos();
  const client = new ExternalProcessorClient(opts.extProcTarget, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
  }) as unknown as ExtProcClient;
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<{ status: number; upstream: string }> {
    const headers = requestTable(req);
    const declared = Number(first(headers, 'content-length') ?? 0);
    const hasBody = declared > 0 || headers.has('transfer-encoding');
    // Envoy computes the route from the client's headers; only clear_route_cache recomputes it.
    let route = selectRoute(opts.routes, headers, opts.defaultUpstream);
    let reqBodyMode: BodySendMode = mode.request_body_mode;
    let resBodyMode: BodySendMode = mode.response_body_mode;
    const session = new ExtProcSession(client.Process(), timeoutMs);
    let processing = true;
    // The client going away cancels the ext_proc stream and the upstream request, as in Envoy.
    const abort = new AbortController();
    res.on('close', () => {
      if (res.writableFinished) return;
      session.cancel();
      abort.abort();
    });

    /** Handles an answer: immediate → local reply; failure → 500/504 or fail open. */
    const answer = async (msg: ProcessingRequest, kind: Parameters<ExtProcSession['send']>[1]): Promise<ProcessingResponse | undefined> => {
      if (!processing) return undefined;
      const r = await session.send(msg, kind);
      if (r.kind === 'closed') {
        processing = false;
        return undefined;
      }
      if (r.kind === 'failed') {
        if (failOpen && r.reason !== 'spurious') {
          processing = false;
          return undefined;
        }
        throw new LocalReply(r.reason === 'timeout' ? 504 : 500, `ext_proc ${r.reason}: ${r.detail}`);
      }
      const imm = r.res.immediate_response;
      if (imm) {
        processing = false;
        const h: HeaderTable = new Map();
        applyHeaderMutation(h, imm.headers);
        throw new LocalReply(httpStatusNumber(imm.status?.code) || 200, imm.body?.toString('latin1') ?? '', Object.fromEntries(h));
      }
      return r.res;
    };
    const applyCommon = (c: CommonResponse | undefined, table: HeaderTable, routeTable: boolean) => {
      if (!c) return;
      applyHeaderMutation(table, c.header_mutation);
      if (routeTable && c.header_mutation && c.clear_route_cache) route = selectRoute(opts.routes, table, opts.defaultUpstream);
    };
    const override = (res: ProcessingResponse) => {
      if (allowOverride && res.mode_override) {
        reqBodyMode = res.mode_override.request_body_mode ?? 'NONE';
        resBodyMode = res.mode_override.response_body_mode ?? 'NONE';
      }
    };

    try {
      if (mode.request_header_mode !== 'SKIP') {
        const a = await answer(
          {
            request_headers: { headers: toHeaderMap(headers), end_of_stream: !hasBody },
            protocol_config: { request_body_mode: mode.request_body_mode, response_body_mode: mode.response_body_mode },
          },
          'request_headers',
        );
        if (a) {
          applyCommon(a.request_headers?.response, headers, true);
          override(a);
        }
      }

      const chunks = hasBody ? await readBody(req, maxBytes) : [];
      let body: Buffer = Buffer.concat(chunks);
      if (hasBody && processing && reqBodyMode !== 'NONE') {
        if (reqBodyMode === 'STREAMED' || reqBodyMode === 'FULL_DUPLEX_STREAMED') {
          const out: Buffer[] = [];
          const parts = chunks.length ? chunks : [Buffer.alloc(0)];
          for (let i = 0; i < parts.length; i++) {
            const a = await answer({ request_body: { body: parts[i], end_of_stream: i === parts.length - 1 } }, 'request_body');
            // In streamed modes Envoy has already forwarded the headers (and picked the route)
            // when body answers arrive: their header mutations cannot change either.
            const m = a?.request_body?.response?.body_mutation;
            out.push(m?.body ?? (m?.clear_body ? Buffer.alloc(0) : parts[i]!));
          }
          body = Buffer.concat(out);
          headers.delete('content-length');
        } else {
          const a = await answer({ request_body: { body, end_of_stream: true } }, 'request_body');
          const c = a?.request_body?.response;
          applyCommon(c, headers, true);
          const m = c?.body_mutation;
          if (m?.body !== undefined || m?.clear_body) {
            body = m.body ?? Buffer.alloc(0);
            const cl = first(headers, 'content-length');
            // Envoy fails the request when a rewritten body disagrees with content-length.
            if (cl !== undefined && Number(cl) !== body.length) throw new LocalReply(500, 'content-length mismatch after body mutation');
          }
        }
      }

      if (!route) throw new LocalReply(404, 'no route');
      const up = await forward(route.upstream, headers, body, req.method ?? 'GET', abort.signal);
      const upstreamName = route.cluster ?? route.upstream;

      const resHeaders: HeaderTable = new Map([[':status', [String(up.statusCode)]]]);
      for (const [k, v] of Object.entries(up.headers)) {
        if (v === undefined || HOP_BY_HOP.has(k)) continue;
        resHeaders.set(k, Array.isArray(v) ? v : [v]);
      }
      if (processing && mode.response_header_mode !== 'SKIP') {
        const a = await answer({ response_headers: { headers: toHeaderMap(resHeaders), end_of_stream: false } }, 'response_headers').catch(
          async (e: unknown) => {
            await up.body.dump();
            throw e;
          },
        );
        if (a) {
          applyCommon(a.response_headers?.response, resHeaders, false);
          override(a);
        }
      }
      const status = Number(first(resHeaders, ':status') ?? up.statusCode);
      resHeaders.delete(':status');

      if (!processing || resBodyMode === 'NONE') {
        res.writeHead(status, Object.fromEntries(resHeaders));
        await pipeline(up.body, res);
      } else if (resBodyMode === 'STREAMED' || resBodyMode === 'FULL_DUPLEX_STREAMED') {
        resHeaders.delete('content-length');
        res.writeHead(status, Object.fromEntries(resHeaders));
        for await (const c of up.body as AsyncIterable<Buffer>) {
          const a = await answer({ response_body: { body: c, end_of_stream: false } }, 'response_body');
          const m = a?.response_body?.response?.body_mutation;
          res.write(m?.body ?? (m?.clear_body ? Buffer.alloc(0) : c));
        }
        const a = await answer({ response_body: { body: Buffer.alloc(0), end_of_stream: true } }, 'response_body');
        const m = a?.response_body?.response?.body_mutation;
        if (m?.body) res.write(m.body);
      } else {
        let full: Buffer = Buffer.from(await up.body.arrayBuffer());
        const a = await answer({ response_body: { body: full, end_of_stream: true } }, 'response_body');
        const c = a?.response_body?.response;
        applyCommon(c, resHeaders, false);
        if (c?.body_mutation?.body !== undefined || c?.body_mutation?.clear_body) {
          full = c.body_mutation.body ?? Buffer.alloc(0);
          resHeaders.set('content-length', [String(full.length)]);
        }
        res.writeHead(status, Object.fromEntries(resHeaders));
        res.write(full);
      }
      if (!res.writableEnded) res.end();
      session.close();
      return { status, upstream: upstreamName };
    } catch (e) {
      session.close();
      const reply =
        e instanceof LocalReply
          ? e
          : e instanceof MutationError
            ? new LocalReply(500, e.message)
            : new LocalReply(503, `upstream connect error: ${(e as Error).message}`);
      if (!res.headersSent) {
        res.writeHead(reply.status, reply.headers);
        res.end(Buffer.from(reply.body, 'latin1'));
      } else {
        res.destroy();
      }
      return { status: reply.status, upstream: '-' };
    }
  }

  async function forward(base: string, headers: HeaderTable, body: Buffer, method: string, signal: AbortSignal) {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of headers) {
      if (k.startsWith(':') || HOP_BY_HOP.has(k)) continue;
      out[k] = v.length === 1 ? v[0]! : v;
    }
    out.host = first(headers, ':authority') ?? '';
    return undiciRequest(new URL(first(headers, ':path') ?? '/', base), {
      method: (first(headers, ':method') ?? method) as 'GET',
      headers: out,
      body: body.length > 0 || !['GET', 'HEAD'].includes(method) ? body : null,
      dispatcher: agent,
      signal,
    });
  }

  const server = createServer((req, res) => {
    const t0 = performance.now();
    handle(req, res).then(
      ({ status, upstream }) => opts.log?.(`${req.method} ${req.url} ${status} ${upstream} ${(performance.now() - t0).toFixed(1)}ms`),
      () => res.destroy(),
    );
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listen.port, opts.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.listen.host}:${port}`,
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      client.close();
      await agent.close();
    },
  };
}
