// The response direction of the local gateway against a scripted ext_proc server over real gRPC:
// response header mutations, mode_override, and the three response body modes.
import { describe, expect, it } from '@jest/globals';
import type { CommonResponse, ProcessingRequest, ProcessingResponse } from '../../../src/extproc/wire.js';
import { cont, header, headerOf, kinds, post, rawRequest, useStack, type Script } from './scripted-processor.js';

const stack = useStack();

const on = (kind: string, res: (req: ProcessingRequest) => ProcessingResponse): Script => (req) => (req.request === kind ? res(req) : cont(req));
const headersAnswer = (c: CommonResponse, extra: Partial<ProcessingResponse> = {}): ProcessingResponse => ({ response_headers: { response: c }, ...extra });
const bodyAnswer = (c: CommonResponse): ProcessingResponse => ({ response_body: { response: c } });
const upper: Script = (req) =>
  req.request === 'response_body' ? bodyAnswer({ body_mutation: { body: Buffer.from(req.response_body!.body!.toString().toUpperCase()) } }) : cont(req);
const SSE = JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream me' }] });

describe('response headers', () => {
  it.each<[string, CommonResponse, (res: Response) => void]>([
    ['a header is added to the client response', { header_mutation: { set_headers: [header('x-semroute-model', 'a')] } }, (r) => expect(r.headers.get('x-semroute-model')).toBe('a')],
    ['an upstream header is removed', { header_mutation: { remove_headers: ['x-upstream'] } }, (r) => expect(r.headers.get('x-upstream')).toBeNull()],
    ['the status can be changed', { header_mutation: { set_headers: [header(':status', '418')] } }, (r) => expect(r.status).toBe(418)],
    ['x-envoy-* is ignored', { header_mutation: { set_headers: [header('x-envoy-decorator', 'x')] } }, (r) => expect(r.headers.get('x-envoy-decorator')).toBeNull()],
  ])('%s', async (_name, c, check) => {
    const g = await stack.gateway({ processingMode: { response_body_mode: 'NONE' } });
    stack.processor.script = on('response_headers', () => headersAnswer(c));
    const res = await post(g);
    check(res);
    expect(JSON.parse(await res.text()).choices[0].message.content).toBe('[a] m: hi');
  });

  it('a HEAD response has end_of_stream on its headers and no body message', async () => {
    const g = await stack.gateway();
    const res = await fetch(`${g.url}/v1/models`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    const resp = stack.processor.seen.find((m) => m.request === 'response_headers')!;
    expect(resp.response_headers!.end_of_stream).toBe(true);
    expect(kinds(stack.processor.seen)).toEqual(['request_headers', 'response_headers']);
  });

  it('an immediate response to the response headers replaces the upstream answer', async () => {
    const g = await stack.gateway();
    stack.processor.script = on('response_headers', () => ({ immediate_response: { status: { code: 503 }, body: Buffer.from('busy') } }));
    const res = await post(g);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('busy');
    expect(stack.a.requests).toHaveLength(1);
  });

  it('CONTINUE_AND_REPLACE replaces the response body; no body message follows', async () => {
    const g = await stack.gateway();
    stack.processor.script = on('response_headers', () => headersAnswer({ status: 'CONTINUE_AND_REPLACE', body_mutation: { body: Buffer.from('{"replaced":true}') } }));
    const res = await post(g);
    expect(await res.json()).toEqual({ replaced: true });
    expect(kinds(stack.processor.seen)).not.toContain('response_body');
  });
});

describe('mode_override on the response headers answer', () => {
  it('switches an SSE response to STREAMED: every chunk is sent, answered and rewritten in order', async () => {
    const g = await stack.gateway({ processingMode: { response_body_mode: 'NONE' } });
    stack.processor.script = (req) => {
      if (req.request === 'response_headers') {
        return headersAnswer({ header_mutation: { set_headers: [header('x-added', 'yes')] } }, { mode_override: { request_body_mode: 'BUFFERED', response_body_mode: 'STREAMED' } });
      }
      return upper(req, { messages: [], ended: { halfClosed: false, cancelled: false } });
    };
    const res = await post(g, { body: SSE });
    expect(res.headers.get('x-added')).toBe('yes');
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    const bodies = stack.processor.seen.filter((m) => m.request === 'response_body').map((m) => m.response_body!);
    expect(bodies.length).toBeGreaterThan(3);
    expect(bodies.slice(0, -1).every((b) => b.end_of_stream === false && b.body!.length > 0)).toBe(true);
    expect(bodies[bodies.length - 1]).toEqual({ body: Buffer.alloc(0), end_of_stream: true });
    const original = bodies.map((b) => b.body!.toString()).join('');
    expect(original).toContain('data: [DONE]');
    expect(text).toBe(original.toUpperCase());
  });

  it('switches a BUFFERED configuration to NONE: the body passes untouched and unseen', async () => {
    const g = await stack.gateway();
    stack.processor.script = on('response_headers', () => headersAnswer({}, { mode_override: { request_body_mode: 'BUFFERED', response_body_mode: 'NONE' } }));
    const res = await post(g, { body: SSE });
    expect(await res.text()).toContain('data: [DONE]');
    expect(kinds(stack.processor.seen)).toEqual(['request_headers', 'request_body', 'response_headers']);
  });

  it('is ignored when the filter does not allow it', async () => {
    const g = await stack.gateway({ allowModeOverride: false, processingMode: { response_body_mode: 'NONE' } });
    stack.processor.script = on('response_headers', () => headersAnswer({}, { mode_override: { response_body_mode: 'BUFFERED' } }));
    expect((await post(g)).status).toBe(200);
    expect(kinds(stack.processor.seen)).not.toContain('response_body');
  });

  it('is ignored on a body answer', async () => {
    const g = await stack.gateway({ processingMode: { response_body_mode: 'NONE' } });
    stack.processor.script = on('request_body', () => ({ request_body: { response: {} }, mode_override: { response_body_mode: 'BUFFERED' } }));
    expect((await post(g)).status).toBe(200);
    expect(kinds(stack.processor.seen)).not.toContain('response_body');
  });
});

describe('STREAMED response bodies', () => {
  it('content-length is dropped when STREAMED is the configured mode, so rewritten chunks may change length', async () => {
    const g = await stack.gateway({ processingMode: { response_body_mode: 'STREAMED' } });
    stack.processor.script = (req) =>
      req.request === 'response_body' ? bodyAnswer({ body_mutation: { body: Buffer.concat([req.response_body!.body!, Buffer.from('!')]) } }) : cont(req);
    const res = await rawRequest(g.url, { headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify({ model: 'm', prompt: 'p' })] });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.body.endsWith('}!!')).toBe(true);
  });
});

describe('STREAMED response bodies are pipelined, as Envoy pipelines them', () => {
  it('every chunk goes out before the first is answered; the answers, given at the end, are applied in order', async () => {
    const g = await stack.gateway({ processingMode: { response_body_mode: 'STREAMED' } });
    const held: ProcessingRequest[] = [];
    stack.processor.script = (req) => {
      if (req.request !== 'response_body') return cont(req);
      held.push(req);
      if (!req.response_body!.end_of_stream) return 'none'; // a stop-and-wait gateway would stall here
      // Everything arrived unanswered: answer it all now, each chunk upper-cased and numbered.
      return held.map((m, i) => bodyAnswer({ body_mutation: { body: Buffer.from(`${i}:${m.response_body!.body!.toString().toUpperCase()}`) } }));
    };
    const res = await post(g, { body: SSE });
    const text = await res.text();
    expect(held.length).toBeGreaterThan(3);
    const expected = held.map((m, i) => `${i}:${m.response_body!.body!.toString().toUpperCase()}`).join('');
    expect(text).toBe(expected);
    expect(held.map((m) => m.response_body!.body!.toString()).join('')).toContain('data: [DONE]');
  });
});

describe('BUFFERED response bodies', () => {
  const replaced = '{"replaced":"a longer body than before, surely"}';
  it.each<[string, Script, number, string | undefined]>([
    ['the body is sent once with end_of_stream and can be replaced with its exact content-length', on('response_body', () => bodyAnswer({ header_mutation: { set_headers: [header('content-length', String(replaced.length))] }, body_mutation: { body: Buffer.from(replaced) } })), 200, replaced],
    ['a replaced body against a stale content-length: 500', on('response_body', () => bodyAnswer({ body_mutation: { body: Buffer.from(replaced) } })), 500, undefined],
    [
      'content-length removed on the headers answer: any replacement is fine',
      (req) =>
        req.request === 'response_headers'
          ? headersAnswer({ header_mutation: { remove_headers: ['content-length'] } })
          : req.request === 'response_body'
            ? bodyAnswer({ body_mutation: { body: Buffer.from(replaced) } })
            : cont(req),
      200,
      replaced,
    ],
    ['the body answer may still change the held headers', on('response_body', () => bodyAnswer({ header_mutation: { set_headers: [header('x-late', '1'), header(':status', '201')] } })), 201, undefined],
  ])('%s', async (_name, script, status, body) => {
    const g = await stack.gateway();
    stack.processor.script = script;
    const res = await post(g);
    expect(res.status).toBe(status);
    const text = await res.text();
    if (body !== undefined) expect(text).toBe(body);
    if (status === 201) expect(res.headers.get('x-late')).toBe('1');
    const msg = stack.processor.seen.find((m) => m.request === 'response_body');
    expect(msg?.response_body?.end_of_stream).toBe(true);
    expect(JSON.parse(msg!.response_body!.body!.toString()).object).toBe('chat.completion');
  });

  it('response headers SKIP with a BUFFERED body: content-length is dropped, no length check', async () => {
    const g = await stack.gateway({ processingMode: { response_header_mode: 'SKIP' } });
    stack.processor.script = on('response_body', () => bodyAnswer({ body_mutation: { body: Buffer.from(replaced) } }));
    const res = await post(g);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(replaced);
    expect(kinds(stack.processor.seen)).toEqual(['request_headers', 'request_body', 'response_body']);
    expect(headerOf(stack.processor.seen[0]!, ':method')).toBe('POST');
  });

  it('a response over the buffer limit is a 500', async () => {
    const g = await stack.gateway({ maxRequestBytes: 250 });
    const res = await post(g, { body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(100) }] }) });
    expect(res.status).toBe(500);
    expect(kinds(stack.processor.seen)).not.toContain('response_body');
  });
});
