// A tiny ext_proc server over real gRPC whose answer to each message a test scripts, plus helpers
// to start gateways and fake upstreams on ephemeral ports and close them all afterwards.
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { startFakeUpstream, type FakeUpstream, type FakeUpstreamOptions } from '../../../src/dev/fake-upstream.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../../src/dev/gateway.js';
import { loadProtos } from '../../../src/extproc/proto.js';
import type { HeaderValueOption, ProcessingRequest, ProcessingResponse } from '../../../src/extproc/wire.js';

/**
 * What the processor does with one message: answer (one or several responses), never answer,
 * close the stream with OK, or fail it with a gRPC status. undefined: the default answer.
 */
export type Step = ProcessingResponse | 'close' | { grpcError: grpc.status } | { waitMs: number };
export type Action = ProcessingResponse | ProcessingResponse[] | 'none' | 'close' | { grpcError: grpc.status } | { sequence: Step[] };
export type Script = (req: ProcessingRequest, stream: StreamLog) => Action | undefined;

export interface StreamLog {
  messages: ProcessingRequest[];
  /** How the gateway ended the stream: half-close, cancel, both, or still open. */
  ended: { halfClosed: boolean; cancelled: boolean };
}

/** The answer that changes nothing, of the matching kind. */
export function cont(req: ProcessingRequest): ProcessingResponse {
  const k = req.request!;
  return k.endsWith('trailers') ? { [k]: {} } : { [k]: { response: {} } };
}

export const kinds = (msgs: ProcessingRequest[]) => msgs.map((m) => m.request);

export function header(key: string, value: string, append?: boolean): HeaderValueOption {
  return { header: { key, raw_value: Buffer.from(value, 'utf8') }, ...(append === undefined ? {} : { append: { value: append } }) };
}

/** The value of a header in an ext_proc HeaderMap (raw_value). */
export function headerOf(req: ProcessingRequest, key: string): string | undefined {
  const h = req.request_headers ?? req.response_headers;
  return h?.headers?.headers?.find((v) => v.key === key)?.raw_value?.toString('utf8');
}

export class ScriptedProcessor {
  script: Script = (req) => cont(req);
  readonly streams: StreamLog[] = [];
  target = '';
  private readonly server = new grpc.Server();

  get seen(): ProcessingRequest[] {
    return this.streams.flatMap((s) => s.messages);
  }

  /** Listens on loopback TCP, or on a Unix socket when given "unix:/path". */
  async start(address = '127.0.0.1:0'): Promise<this> {
    this.server.addService(loadProtos().extProcService, {
      Process: (call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => {
        const log: StreamLog = { messages: [], ended: { halfClosed: false, cancelled: false } };
        this.streams.push(log);
        const perform = (step: ProcessingResponse | 'close' | { grpcError: grpc.status }) => {
          if (step === 'close') call.end();
          else if ('grpcError' in step) call.emit('error', { code: step.grpcError, details: 'scripted failure' });
          else call.write(step);
        };
        call.on('data', (req: ProcessingRequest) => {
          log.messages.push(req);
          const action = this.script(req, log) ?? cont(req);
          if (action === 'none') return;
          if (typeof action === 'object' && 'sequence' in action) {
            void (async () => {
              for (const step of action.sequence) {
                if (typeof step === 'object' && 'waitMs' in step) await new Promise((r) => setTimeout(r, step.waitMs));
                else perform(step);
              }
            })();
          } else if (Array.isArray(action)) {
            for (const res of action) call.write(res);
          } else {
            perform(action);
          }
        });
        call.on('end', () => {
          log.ended.halfClosed = true;
          call.end();
        });
        call.on('cancelled', () => {
          log.ended.cancelled = true;
        });
        call.on('error', () => undefined);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    this.target = address.startsWith('unix:') ? address : `127.0.0.1:${port}`;
    return this;
  }

  reset(): void {
    this.streams.length = 0;
    this.script = (req) => cont(req);
  }

  close(): void {
    this.server.forceShutdown();
  }
}

/** Everything a test file starts, closed together in afterAll. */
export class Stack {
  readonly processor = new ScriptedProcessor();
  a!: FakeUpstream;
  b!: FakeUpstream;
  private readonly closers: Array<() => Promise<void> | void> = [];

  async start(): Promise<this> {
    await this.processor.start();
    this.a = await this.upstream({ name: 'a', port: 0 });
    this.b = await this.upstream({ name: 'b', port: 0 });
    return this;
  }

  async upstream(opts: FakeUpstreamOptions): Promise<FakeUpstream> {
    const u = await startFakeUpstream(opts);
    this.closers.push(() => u.close());
    return u;
  }

  /** A gateway routing x-semroute-model a|b to upstream a|b, default a. */
  async gateway(extra: Partial<GatewayOptions> = {}): Promise<Gateway> {
    const g = await startGateway({
      listen: { host: '127.0.0.1', port: 0 },
      extProcTarget: this.processor.target,
      routes: [
        { header: 'x-semroute-model', value: 'a', upstream: this.a.url, cluster: 'a' },
        { header: 'x-semroute-model', value: 'b', upstream: this.b.url, cluster: 'b' },
      ],
      defaultUpstream: this.a.url,
      messageTimeoutMs: 300,
      ...extra,
    });
    this.closers.push(() => g.close());
    return g;
  }

  reset(): void {
    this.processor.reset();
    this.a.requests.length = 0;
    this.b.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const c of this.closers.reverse()) await c();
    this.processor.close();
  }
}

export const CHAT = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });

export function post(g: Gateway, opts: { body?: string; headers?: Record<string, string>; path?: string } = {}): Promise<Response> {
  return fetch(`${g.url}${opts.path ?? '/v1/chat/completions'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: opts.body ?? CHAT,
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request through node:http: a body sent as separate chunks (chunked encoding), or none. Between
 * chunks it awaits `afterChunk(i)` (a test that needs the chunks to arrive apart waits there for
 * the gateway to have taken chunk i), else a gap of `gapMs` (default 30) after each.
 */
export function rawRequest(
  url: string,
  opts: { method?: string; path?: string; headers?: Record<string, string>; chunks?: string[]; gapMs?: number; afterChunk?: (i: number) => Promise<void> } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${opts.path ?? '/v1/chat/completions'}`, { method: opts.method ?? 'POST', headers: opts.headers ?? {}, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const chunks = opts.chunks ?? [];
    void (async () => {
      for (const [i, c] of chunks.entries()) {
        req.write(c);
        // afterChunk keeps chunks apart: nothing follows the last one. (With a content-length the
        // request may be answered, and the next test begun, before a wait after it could end.)
        if (opts.afterChunk) {
          if (i < chunks.length - 1) await opts.afterChunk(i);
        } else {
          await new Promise((r) => setTimeout(r, opts.gapMs ?? 30));
        }
      }
      req.end();
    })().catch(reject);
  });
}

/** One Stack for a test file: started before its tests, reset before each, closed after. */
export function useStack(): Stack {
  const stack = new Stack();
  beforeAll(async () => {
    await stack.start();
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => stack.reset());
  return stack;
}
