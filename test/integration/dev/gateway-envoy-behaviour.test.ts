// The local gateway against a scripted ext_proc server over real gRPC: each case answers the
// messages in one particular way and checks that the gateway reacts as Envoy's filter would.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { startFakeUpstream, type FakeUpstream } from '../../../src/dev/fake-upstream.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../../src/dev/gateway.js';
import { headerOption } from '../../../src/extproc/mutations.js';
import { loadProtos } from '../../../src/extproc/proto.js';
import type { ProcessingRequest, ProcessingResponse } from '../../../src/extproc/wire.js';

/** What the scripted processor answers to a message; undefined = never answer; 'close' = end OK. */
type Script = (req: ProcessingRequest) => ProcessingResponse | undefined | 'close' | 'error';
let script: Script;
const seen: string[] = [];

function cont(req: ProcessingRequest): ProcessingResponse {
  const k = req.request!;
  return k.endsWith('trailers') ? { [k]: {} } : { [k]: { response: {} } };
}

let server: grpc.Server;
let target: string;
let a: FakeUpstream;
let b: FakeUpstream;
const gateways: Gateway[] = [];

async function gateway(extra: Partial<GatewayOptions> = {}): Promise<Gateway> {
  const g = await startGateway({
    listen: { host: '127.0.0.1', port: 0 },
    extProcTarget: target,
    routes: [
      { header: 'x-semroute-model', value: 'a', upstream: a.url, cluster: 'a' },
      { header: 'x-semroute-model', value: 'b', upstream: b.url, cluster: 'b' },
    ],
    defaultUpstream: a.url,
    messageTimeoutMs: 300,
    ...extra,
  });
  gateways.push(g);
  return g;
}

beforeAll(async () => {
  server = new grpc.Server();
  server.addService(loadProtos().extProcService, {
    Process: (call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => {
      call.on('data', (req: ProcessingRequest) => {
        seen.push(req.request!);
        const out = script(req);
        if (out === 'close') call.end();
        else if (out === 'error') call.emit('error', { code: grpc.status.INTERNAL, details: 'boom' });
        else if (out) call.write(out);
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  target = `127.0.0.1:${port}`;
  a = await startFakeUpstream({ name: 'a', port: 0 });
  b = await startFakeUpstream({ name: 'b', port: 0 });
});

afterAll(async () => {
  for (const g of gateways) await g.close();
  await a.close();
  await b.close();
  server.forceShutdown();
});

beforeEach(() => {
  seen.length = 0;
  a.requests.length = 0;
  b.requests.length = 0;
  script = cont;
});

const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
const post = (g: Gateway, headers: Record<string, string> = {}) =>
  fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

const setModel = (value: string) => ({ header_mutation: { set_headers: [headerOption('x-semroute-model', value)] } });

describe('local gateway follows Envoy ext_proc behaviour', () => {
  it('sends headers, body and response headers in order, pseudo-headers included, raw_value only', async () => {
    const got: ProcessingRequest[] = [];
    script = (req) => {
      got.push(req);
      return cont(req);
    };
    const g = await gateway({ processingMode: { response_body_mode: 'NONE' } });
    const res = await post(g);
    expect(res.status).toBe(200);
    expect(seen).toEqual(['request_headers', 'request_body', 'response_headers']);
    const hdrs = got[0]!.request_headers!.headers!.headers!;
    const keys = hdrs.map((h) => h.key);
    expect(keys).toEqual(expect.arrayContaining([':method', ':path', ':authority', ':scheme', 'content-type', 'x-request-id']));
    expect(hdrs.every((h) => !h.value && h.raw_value)).toBe(true);
    expect(got[1]!.request_body!.end_of_stream).toBe(true);
    expect(got[1]!.request_body!.body!.toString()).toBe(body);
  });

  it('re-selects the route only when clear_route_cache comes with the header mutation', async () => {
    const g = await gateway();
    script = (req) => (req.request === 'request_body' ? { request_body: { response: { ...setModel('b'), clear_route_cache: true } } } : cont(req));
    await post(g);
    expect([a.requests.length, b.requests.length]).toEqual([0, 1]);
    expect(b.requests[0]!.headers['x-semroute-model']).toBe('b');

    script = (req) => (req.request === 'request_body' ? { request_body: { response: setModel('b') } } : cont(req));
    await post(g);
    // Header changed but the route was not recomputed: still the original (default) route.
    expect([a.requests.length, b.requests.length]).toEqual([1, 1]);
    expect(a.requests[0]!.headers['x-semroute-model']).toBe('b');
  });

  it('fails the request with 500 when a rewritten body disagrees with content-length', async () => {
    const g = await gateway();
    script = (req) => (req.request === 'request_body' ? { request_body: { response: { body_mutation: { body: Buffer.from('{"model":"longer-name"}') } } } } : cont(req));
    expect((await post(g)).status).toBe(500);
    expect(a.requests).toHaveLength(0);
  });

  it('forwards a rewritten body whose content-length was fixed in the same answer', async () => {
    const g = await gateway();
    const nb = Buffer.from('{"model":"longer-name"}');
    script = (req) =>
      req.request === 'request_body'
        ? { request_body: { response: { header_mutation: { set_headers: [headerOption('content-length', String(nb.length))] }, body_mutation: { body: nb } } } }
        : cont(req);
    expect((await post(g)).status).toBe(200);
    expect(a.requests[0]!.body).toBe(nb.toString());
  });

  it.each<[string, Script, Partial<GatewayOptions>, number]>([
    ['an answer of the wrong kind is spurious: 500', (req) => (req.request === 'request_body' ? { request_headers: { response: {} } } : cont(req)), {}, 500],
    ['no answer within message_timeout: 504', (req) => (req.request === 'request_body' ? undefined : cont(req)), {}, 504],
    ['no answer, failure_mode_allow: continue', (req) => (req.request === 'request_body' ? undefined : cont(req)), { failureModeAllow: true }, 200],
    ['a non-OK close: 500', (req) => (req.request === 'request_body' ? 'error' : cont(req)), {}, 500],
    ['an OK close: continue unprocessed', (req) => (req.request === 'request_body' ? 'close' : cont(req)), {}, 200],
  ])('%s', async (_name, s, extra, status) => {
    const g = await gateway(extra);
    script = s;
    expect((await post(g)).status).toBe(status);
  });

  it('answers with an immediate response and never reaches an upstream', async () => {
    const g = await gateway();
    script = () => ({
      immediate_response: { status: { code: 403 }, headers: { set_headers: [headerOption('content-type', 'application/json')] }, body: Buffer.from('{"error":{}}') },
    });
    const res = await post(g);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('{"error":{}}');
    expect(seen).toEqual(['request_headers']);
    expect(a.requests).toHaveLength(0);
  });

  it('applies response header mutations and honours mode_override to STREAMED, chunk by chunk', async () => {
    const g = await gateway({ processingMode: { response_body_mode: 'NONE' } });
    let chunks = 0;
    script = (req) => {
      if (req.request === 'response_headers') {
        return {
          response_headers: { response: { header_mutation: { set_headers: [headerOption('x-added', 'yes')] } } },
          mode_override: { request_body_mode: 'BUFFERED', response_body_mode: 'STREAMED' },
        };
      }
      if (req.request === 'response_body') {
        chunks++;
        const text = req.response_body!.body!.toString();
        return { response_body: { response: { body_mutation: { body: Buffer.from(text.toUpperCase()) } } } };
      }
      return cont(req);
    };
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.headers.get('x-added')).toBe('yes');
    const text = await res.text();
    expect(text).toContain('DATA: [DONE]');
    expect(chunks).toBeGreaterThan(2);
  });

  it('ignores mode_override when the filter does not allow it', async () => {
    const g = await gateway({ allowModeOverride: false, processingMode: { response_body_mode: 'NONE' } });
    script = (req) => (req.request === 'response_headers' ? { ...cont(req), mode_override: { response_body_mode: 'BUFFERED' } } : cont(req));
    expect((await post(g)).status).toBe(200);
    expect(seen).not.toContain('response_body');
  });

  it('answers 413 itself when the body exceeds its buffer limit', async () => {
    const g = await gateway({ maxRequestBytes: 10 });
    expect((await post(g)).status).toBe(413);
  });
});

describe('streamed request bodies', () => {
  it('cannot change headers or the route from a body answer (Envoy forwarded them already)', async () => {
    const g = await gateway({ processingMode: { request_body_mode: 'STREAMED', response_body_mode: 'NONE' } });
    script = (req) => (req.request === 'request_body' ? { request_body: { response: { ...setModel('b'), clear_route_cache: true } } } : cont(req));
    expect((await post(g)).status).toBe(200);
    expect([a.requests.length, b.requests.length]).toEqual([1, 0]);
    expect(a.requests[0]!.headers['x-semroute-model']).toBeUndefined();
  });

  it('switches to BUFFERED when the headers answer overrides the mode', async () => {
    const g = await gateway({ processingMode: { request_body_mode: 'STREAMED', response_body_mode: 'NONE' } });
    script = (req) => {
      if (req.request === 'request_headers') return { request_headers: { response: {} }, mode_override: { request_body_mode: 'BUFFERED', response_body_mode: 'NONE' } };
      if (req.request === 'request_body') return { request_body: { response: { ...setModel('b'), clear_route_cache: true } } };
      return cont(req);
    };
    expect((await post(g)).status).toBe(200);
    expect([a.requests.length, b.requests.length]).toEqual([0, 1]);
  });
});

describe('client disconnects', () => {
  it('cancels the ext_proc stream and the upstream request when the client goes away', async () => {
    const slow = await startFakeUpstream({ name: 'slow', port: 0, latencyMs: 2000 });
    const g = await startGateway({
      listen: { host: '127.0.0.1', port: 0 },
      extProcTarget: target,
      routes: [],
      defaultUpstream: slow.url,
      processingMode: { response_body_mode: 'NONE' },
    });
    try {
      const ctl = new AbortController();
      const pending = fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: ctl.signal });
      await new Promise((r) => setTimeout(r, 200));
      expect(slow.requests).toHaveLength(1);
      ctl.abort();
      await expect(pending).rejects.toThrow();
      // The upstream request was aborted too: nothing is running there any more.
      await new Promise((r) => setTimeout(r, 100));
      const metrics = await (await fetch(`${slow.url}/metrics`)).text();
      expect(metrics).toContain('vllm:num_requests_running{model_name="slow"} 0');
      // The gateway is still healthy afterwards.
      const ok = await fetch(`${g.url}/v1/models`);
      expect(ok.status).toBe(200);
    } finally {
      await g.close();
      await slow.close();
    }
  });
});
