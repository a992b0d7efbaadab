// How the local gateway reacts when the ext_proc server misbehaves, answers with an immediate
// response, or goes away, and when the upstream is unreachable (Envoy's ext_proc.cc reactions).
import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import type { GatewayOptions } from '../../../src/dev/gateway.js';
import type { ProcessingRequest, ProcessingResponse } from '../../../src/extproc/wire.js';
import { cont, header, headerOf, kinds, post, useStack, type Action, type Script } from './scripted-processor.js';

const stack = useStack();

const on = (kind: string, action: (req: ProcessingRequest) => Action): Script => (req) => (req.request === kind ? action(req) : cont(req));
const imm = (code: number | string, body?: string, headers: Array<[string, string]> = []): ProcessingResponse => ({
  immediate_response: {
    status: { code },
    ...(body !== undefined ? { body: Buffer.from(body) } : {}),
    headers: { set_headers: headers.map(([k, v]) => header(k, v, false)) },
  },
});

describe('answers the gateway cannot accept, and stream failures', () => {
  it.each<[string, Script, Partial<GatewayOptions>, number, boolean]>([
    ['an answer of the wrong kind is spurious: 500', on('request_body', () => ({ request_headers: { response: {} } })), {}, 500, false],
    ['an answer for the other direction is spurious: 500', on('request_body', () => ({ response_headers: { response: {} } })), {}, 500, false],
    ['an empty ProcessingResponse is spurious: 500', on('request_body', () => ({})), {}, 500, false],
    ['a spurious answer fails the request even with failure_mode_allow', on('request_body', () => ({ request_headers: { response: {} } })), { failureModeAllow: true }, 500, false],
    ['no answer within message_timeout: 504', on('request_body', () => 'none'), {}, 504, false],
    ['no answer, failure_mode_allow: continue unprocessed', on('request_body', () => 'none'), { failureModeAllow: true }, 200, true],
    ['override_message_timeout is only a timer extension, ignored without max_message_timeout: 504', on('request_body', () => ({ override_message_timeout: { seconds: 5, nanos: 0 } })), {}, 504, false],
    ['a non-OK close: 500', on('request_body', () => ({ grpcError: grpc.status.INTERNAL })), {}, 500, false],
    ['a non-OK close, failure_mode_allow: continue unprocessed', on('request_body', () => ({ grpcError: grpc.status.INTERNAL })), { failureModeAllow: true }, 200, true],
    ['an OK close before answering: continue unprocessed', on('request_body', () => 'close'), {}, 200, true],
    ['two answers to one message: the extra one is spurious', on('request_body', (req) => [cont(req), cont(req)]), {}, 500, false],
  ])('%s', async (_name, script, extra, status, reachesUpstream) => {
    const g = await stack.gateway(extra);
    stack.processor.script = script;
    const res = await post(g);
    expect(res.status).toBe(status);
    if (status >= 500) expect(await res.text()).toBe('');
    expect(stack.a.requests.length > 0).toBe(reachesUpstream);
  });

  it('an OK close: no further messages are sent, and earlier mutations still apply', async () => {
    const g = await stack.gateway();
    stack.processor.script = (req) =>
      req.request === 'request_headers' ? { request_headers: { response: { header_mutation: { set_headers: [header('x-tag', '1')] } } } } : 'close';
    const res = await post(g);
    expect(res.status).toBe(200);
    expect(kinds(stack.processor.seen)).toEqual(['request_headers', 'request_body']);
    expect(stack.a.requests[0]!.headers['x-tag']).toBe('1');
  });

  it.each<[string, Action, Partial<GatewayOptions>, number]>([
    ['a non-OK close while no answer is awaited fails the request at once: 500', { sequence: [{ request_body: { response: {} } }, { waitMs: 50 }, { grpcError: grpc.status.UNAVAILABLE }] }, {}, 500],
    ['... unless failure_mode_allow', { sequence: [{ request_body: { response: {} } }, { waitMs: 50 }, { grpcError: grpc.status.UNAVAILABLE }] }, { failureModeAllow: true }, 200],
    ['an OK close while no answer is awaited: the response continues unprocessed', { sequence: [{ request_body: { response: {} } }, { waitMs: 50 }, 'close'] }, {}, 200],
  ])('%s', async (_name, action, extra, status) => {
    // Where the request fails at once, the upstream would answer only after 10 minutes: a 500 within
    // the test's timeout shows the gateway did not wait for it. Elsewhere it answers after 1 s, well
    // after the processor ends the stream (50 ms after its answer, on a timer due first in this
    // same process): no response message can reach the processor before that.
    const slow = await stack.upstream({ name: 'slow', port: 0, latencyMs: status === 500 ? 600_000 : 1_000 });
    const g = await stack.gateway({ ...extra, defaultUpstream: slow.url, processingMode: { response_body_mode: 'NONE' } });
    stack.processor.script = on('request_body', () => action);
    const res = await post(g);
    expect(res.status).toBe(status);
    expect(kinds(stack.processor.seen)).toEqual(['request_headers', 'request_body']);
  });

  it.each<[string, Partial<GatewayOptions>, number]>([
    ['the processor unreachable: 500, no upstream', {}, 500],
    ['the processor unreachable, failure_mode_allow: continue', { failureModeAllow: true }, 200],
  ])('%s', async (_name, extra, status) => {
    const g = await stack.gateway({ ...extra, extProcTarget: '127.0.0.1:1' });
    expect((await post(g)).status).toBe(status);
    expect(stack.a.requests.length > 0).toBe(status === 200);
  });
});

describe('immediate responses', () => {
  it.each<[string, string, ProcessingResponse, number, string, string | null]>([
    ['on the request headers, with its own content-type', 'request_headers', imm(403, '{"error":{"code":"blocked"}}', [['content-type', 'application/json'], ['x-reason', 'jailbreak']]), 403, '{"error":{"code":"blocked"}}', 'application/json'],
    ['on the request body, decoded from an enum name, text/plain added like Envoy', 'request_body', imm('TooManyRequests', 'slow down'), 429, 'slow down', 'text/plain'],
    ['with a status below 200: 200', 'request_body', imm(100, 'x'), 200, 'x', 'text/plain'],
    ['with an empty body: no content-type', 'request_body', imm(204), 204, '', null],
  ])('%s', async (_name, kind, answer, status, body, contentType) => {
    const g = await stack.gateway();
    stack.processor.script = on(kind, () => answer);
    const res = await post(g);
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(body);
    expect(res.headers.get('content-type')).toBe(contentType);
    if (status === 403) expect(res.headers.get('x-reason')).toBe('jailbreak');
    // Nothing reaches the upstream, and nothing more goes to the processor.
    expect(stack.a.requests).toHaveLength(0);
    expect(kinds(stack.processor.seen)).toEqual(kind === 'request_headers' ? ['request_headers'] : ['request_headers', 'request_body']);
  });

  it('ignores messages that follow an immediate response', async () => {
    const g = await stack.gateway();
    stack.processor.script = on('request_headers', (req) => [imm(403, 'no'), cont(req)]);
    const res = await post(g);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('no');
  });

  it('after the client response started (STREAMED), an immediate response resets the connection', async () => {
    const g = await stack.gateway({ processingMode: { response_body_mode: 'STREAMED' } });
    let n = 0;
    stack.processor.script = (req) => (req.request === 'response_body' && ++n === 2 ? imm(500, 'late') : cont(req));
    const res = await post(g, { body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x'.repeat(150) }] }) });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('a response-body timeout after the client response started resets the connection', async () => {
    const g = await stack.gateway({ processingMode: { response_body_mode: 'STREAMED' } });
    stack.processor.script = on('response_body', () => 'none');
    const res = await post(g, { body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }) });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });
});

describe('upstream failures', () => {
  it('an unreachable upstream is a 503 (Envoy UF) that the processor still sees as the response', async () => {
    const g = await stack.gateway({ defaultUpstream: 'http://127.0.0.1:1' });
    const res = await post(g);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/^upstream connect error or disconnect\/reset before headers/);
    const resp = stack.processor.seen.find((m) => m.request === 'response_headers')!;
    expect(headerOf(resp, ':status')).toBe('503');
  });

  it('the access log has one line per request: method path status upstream ms [details]', async () => {
    const lines: string[] = [];
    const g = await stack.gateway({ log: (l) => lines.push(l) });
    await post(g);
    stack.processor.script = on('request_body', () => 'none');
    await post(g);
    expect(lines[0]).toMatch(/^POST \/v1\/chat\/completions 200 default \d+\.\dms$/);
    expect(lines[1]).toMatch(/^POST \/v1\/chat\/completions 504 - \d+\.\dms ext_proc_error_per-message_timeout_exceeded:_no_answer_to_request_body_within_300_ms$/);
  });
});
