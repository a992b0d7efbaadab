// The local gateway's lifecycle: stream per request, client disconnects, bad input, Unix sockets,
// concurrency and close().
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGateway } from '../../../src/dev/gateway.js';
import { until } from '../../helpers/until.js';
import { cont, header, headerOf, kinds, post, ScriptedProcessor, useStack } from './scripted-processor.js';

const stack = useStack();

async function running(url: string, model: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`vllm:num_requests_running\\{model_name="${model}"\\} (\\d+)`).exec(text)![1]);
}

describe('one ext_proc stream per request', () => {
  it('is closed (half-close then reset, as Envoy does) once the request is done', async () => {
    const g = await stack.gateway();
    expect((await post(g)).status).toBe(200);
    const [s] = stack.processor.streams;
    await until(() => s!.ended.cancelled || s!.ended.halfClosed, 10_000, 'stream ended');
    expect(kinds(s!.messages)).toEqual(['request_headers', 'request_body', 'response_headers', 'response_body']);
  });

  it('keeps concurrent requests apart: each stream routes its own request', async () => {
    const g = await stack.gateway({ processingMode: { response_body_mode: 'NONE' } });
    stack.processor.script = (req) => {
      const pick = req.request === 'request_headers' ? headerOf(req, 'x-pick') : undefined;
      return pick ? { request_headers: { response: { header_mutation: { set_headers: [header('x-semroute-model', pick)] }, clear_route_cache: true } } } : cont(req);
    };
    const picks = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 'b' : 'a'));
    const results = await Promise.all(picks.map((p) => post(g, { headers: { 'x-pick': p } })));
    expect(results.map((r) => r.headers.get('x-upstream'))).toEqual(picks);
    expect(stack.processor.streams).toHaveLength(40);
    expect(stack.b.requests).toHaveLength(picks.filter((p) => p === 'b').length);
  });

  it('works over a Unix socket target', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'semroute-gw-'));
    const processor = await new ScriptedProcessor().start(`unix:${path.join(dir, 'ext_proc.sock')}`);
    const g = await startGateway({ listen: { host: '127.0.0.1', port: 0 }, extProcTarget: processor.target, routes: [], defaultUpstream: stack.a.url });
    try {
      expect((await post(g)).status).toBe(200);
      expect(kinds(processor.seen)).toContain('request_body');
    } finally {
      await g.close();
      processor.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('client disconnects', () => {
  it('while the upstream works: the ext_proc stream is cancelled and the upstream request aborted', async () => {
    // The upstream would answer only after 10 minutes: its request ends only when the gateway aborts it.
    const slow = await stack.upstream({ name: 'slow', port: 0, latencyMs: 600_000 });
    const g = await stack.gateway({ defaultUpstream: slow.url, processingMode: { response_body_mode: 'NONE' } });
    const ctl = new AbortController();
    const aborted = fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}', signal: ctl.signal });
    await until(() => slow.requests.length === 1, 10_000, 'request upstream');
    expect(await running(slow.url, 'slow')).toBe(1);
    ctl.abort();
    await expect(aborted).rejects.toThrow();
    const [s] = stack.processor.streams;
    await until(() => s!.ended.cancelled, 10_000, 'stream cancelled');
    expect(kinds(s!.messages)).toEqual(['request_headers', 'request_body']);
    // The upstream saw its client go away.
    await until(async () => (await running(slow.url, 'slow')) === 0, 10_000, 'upstream request aborted');
    // The gateway is still healthy afterwards.
    expect((await fetch(`${g.url}/health`)).status).toBe(200);
  });

  it('while an ext_proc answer is awaited: the stream is cancelled before the message timeout, nothing goes upstream', async () => {
    // A message timeout far past the test's: only the client going away can cancel the stream.
    const g = await stack.gateway({ messageTimeoutMs: 600_000 });
    stack.processor.script = (req) => (req.request === 'request_body' ? 'none' : cont(req));
    const ctl = new AbortController();
    const aborted = fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: ctl.signal });
    await until(() => stack.processor.seen.some((m) => m.request === 'request_body'), 10_000, 'request_body at the processor');
    ctl.abort();
    await expect(aborted).rejects.toThrow();
    await until(() => stack.processor.streams[0]!.ended.cancelled, 10_000, 'stream cancelled');
    expect(stack.a.requests).toHaveLength(0);
    // The gateway carries on.
    stack.processor.reset();
    expect((await post(g)).status).toBe(200);
  });
});

describe('robustness', () => {
  it('answers malformed HTTP with 400 and keeps serving', async () => {
    const g = await stack.gateway();
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = connect(g.port, '127.0.0.1', () => sock.write('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      sock.on('data', (c: Buffer) => (data += c.toString()));
      sock.on('close', () => resolve(data));
      sock.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await post(g)).status).toBe(200);
  });

  it('close() returns promptly with keep-alive clients connected and requests in flight', async () => {
    // The in-flight request would last 10 minutes, and the gateway keeps idle keep-alive
    // connections 30 s: close() resolving within the test's timeout shows it cut both.
    const slow = await stack.upstream({ name: 'slow2', port: 0, latencyMs: 600_000 });
    const g = await startGateway({ listen: { host: '127.0.0.1', port: 0 }, extProcTarget: stack.processor.target, routes: [], defaultUpstream: slow.url });
    await fetch(`${g.url}/health`);
    const inflight = post(g).catch((e: unknown) => e);
    await until(() => slow.requests.some((r) => r.method === 'POST'), 10_000, 'request upstream');
    await g.close();
    expect(await inflight).toMatchObject({ message: 'fetch failed' });
    await until(async () => (await running(slow.url, 'slow2')) === 0, 10_000, 'upstream request aborted');
  });
});
