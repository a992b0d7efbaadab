// The request direction of the local gateway against a scripted ext_proc server over real gRPC:
// what the processor receives, and how its answers change what reaches the upstream, as in Envoy.
import { describe, expect, it } from '@jest/globals';
import type { CommonResponse, ProcessingRequest, ProcessingResponse } from '../../../src/extproc/wire.js';
import { until } from '../../helpers/until.js';
import { CHAT, cont, header, headerOf, kinds, post, rawRequest, useStack, type Script } from './scripted-processor.js';

const stack = useStack();

const on = (kind: string, res: (req: ProcessingRequest) => ProcessingResponse): Script => (req) => (req.request === kind ? res(req) : cont(req));
const bodyAnswer = (c: CommonResponse): ProcessingResponse => ({ request_body: { response: c } });
const headersAnswer = (c: CommonResponse): ProcessingResponse => ({ request_headers: { response: c } });

describe('what the processor receives', () => {
  it('a POST: request headers with pseudo-headers (raw_value only), the whole body once, then response headers', async () => {
    const g = await stack.gateway({ processingMode: { response_body_mode: 'NONE' } });
    const res = await post(g, { headers: { 'x-client': 'c1' } });
    expect(res.status).toBe(200);
    const [hdrs, body, resp] = stack.processor.seen;
    expect(kinds(stack.processor.seen)).toEqual(['request_headers', 'request_body', 'response_headers']);
    const list = hdrs!.request_headers!.headers!.headers!;
    expect(list.every((h) => h.raw_value !== undefined && !h.value)).toBe(true);
    expect(Object.fromEntries(list.map((h) => [h.key, h.raw_value!.toString()]))).toMatchObject({
      ':method': 'POST',
      ':path': '/v1/chat/completions',
      ':authority': `127.0.0.1:${g.port}`,
      ':scheme': 'http',
      'content-type': 'application/json',
      'content-length': String(CHAT.length),
      'x-client': 'c1',
      'x-forwarded-proto': 'http',
    });
    expect(headerOf(hdrs!, 'x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Envoy turns Host into :authority and strips connection-level headers before filters run.
    expect(list.map((h) => h.key)).not.toEqual(expect.arrayContaining(['host']));
    expect(list.map((h) => h.key)).not.toContain('connection');
    expect(hdrs!.request_headers!.end_of_stream).toBe(false);
    expect(hdrs!.protocol_config).toEqual({ request_body_mode: 'BUFFERED', response_body_mode: 'NONE' });
    expect(body!.protocol_config).toBeUndefined();
    expect(body!.request_body).toEqual({ body: Buffer.from(CHAT), end_of_stream: true });
    expect(headerOf(resp!, ':status')).toBe('200');
    expect(headerOf(resp!, 'x-upstream')).toBe('a');
    // The request id reaches the upstream too.
    expect(stack.a.requests[0]!.headers['x-request-id']).toBe(headerOf(hdrs!, 'x-request-id'));
  });

  it('keeps a client-sent x-request-id', async () => {
    const g = await stack.gateway();
    await post(g, { headers: { 'x-request-id': 'rid-1' } });
    expect(headerOf(stack.processor.seen[0]!, 'x-request-id')).toBe('rid-1');
  });

  it('a GET: headers with end_of_stream and no body message', async () => {
    const g = await stack.gateway();
    const res = await fetch(`${g.url}/v1/models`);
    expect(res.status).toBe(200);
    expect(stack.processor.seen[0]!.request_headers!.end_of_stream).toBe(true);
    expect(kinds(stack.processor.seen)).toEqual(['request_headers', 'response_headers', 'response_body']);
  });

  it('request_body_mode NONE: the body is forwarded but never sent to the processor', async () => {
    const g = await stack.gateway({ processingMode: { request_body_mode: 'NONE', response_body_mode: 'NONE' } });
    await post(g);
    expect(kinds(stack.processor.seen)).toEqual(['request_headers', 'response_headers']);
    expect(stack.a.requests[0]!.body).toBe(CHAT);
  });

  it('request headers SKIP: the body message opens the stream, carries protocol_config, and content-length is dropped', async () => {
    const g = await stack.gateway({ processingMode: { request_header_mode: 'SKIP', response_body_mode: 'NONE' } });
    const longer = Buffer.from('{"model":"a-much-longer-model-name","messages":[]}');
    stack.processor.script = on('request_body', () => bodyAnswer({ body_mutation: { body: longer } }));
    const res = await post(g);
    expect(res.status).toBe(200);
    expect(kinds(stack.processor.seen)).toEqual(['request_body', 'response_headers']);
    expect(stack.processor.seen[0]!.protocol_config).toEqual({ request_body_mode: 'BUFFERED', response_body_mode: 'NONE' });
    expect(stack.a.requests[0]!.body).toBe(longer.toString());
  });

  it('with every phase skipped no stream is opened', async () => {
    const g = await stack.gateway({
      processingMode: { request_header_mode: 'SKIP', response_header_mode: 'SKIP', request_body_mode: 'NONE', response_body_mode: 'NONE' },
    });
    expect((await post(g)).status).toBe(200);
    expect(stack.processor.streams).toHaveLength(0);
  });
});

describe('route cache: recomputed only on clear_route_cache with a header mutation', () => {
  const setModel = (v: string): CommonResponse => ({ header_mutation: { set_headers: [header('x-semroute-model', v, false)] } });
  it.each<[string, Script, Record<string, string>, 'a' | 'b']>([
    ['headers answer sets the header and clears the cache', on('request_headers', () => headersAnswer({ ...setModel('b'), clear_route_cache: true })), {}, 'b'],
    ['body answer sets the header and clears the cache', on('request_body', () => bodyAnswer({ ...setModel('b'), clear_route_cache: true })), {}, 'b'],
    ['header set without clear_route_cache: the stale route wins', on('request_body', () => bodyAnswer(setModel('b'))), {}, 'a'],
    [
      'clear_route_cache without a header mutation is ignored',
      (req) =>
        req.request === 'request_headers' ? headersAnswer(setModel('b')) : req.request === 'request_body' ? bodyAnswer({ clear_route_cache: true }) : cont(req),
      {},
      'a',
    ],
    [
      'removing the client header and clearing falls back to the default',
      on('request_headers', () => headersAnswer({ header_mutation: { remove_headers: ['x-semroute-model'] }, clear_route_cache: true })),
      { 'x-semroute-model': 'b' },
      'a',
    ],
    ['the route comes from the client headers when nothing changes', cont, { 'x-semroute-model': 'b' }, 'b'],
  ])('%s', async (_name, script, headers, upstream) => {
    const g = await stack.gateway();
    stack.processor.script = script;
    const res = await post(g, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe(upstream);
    expect(stack[upstream].requests).toHaveLength(1);
    expect(stack[upstream === 'a' ? 'b' : 'a'].requests).toHaveLength(0);
  });

  it('no matching route and no default: 404 with an OpenAI error, still shown to the processor', async () => {
    const g = await stack.gateway({ defaultUpstream: undefined });
    const res = await post(g, { headers: { 'x-semroute-model': 'zzz' } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
    expect(kinds(stack.processor.seen)).toEqual(['request_headers', 'request_body', 'response_headers', 'response_body']);
    expect(headerOf(stack.processor.seen[2]!, ':status')).toBe('404');
  });
});

describe('header mutations reach the upstream as Envoy applies them', () => {
  it.each<[string, CommonResponse, (h: Record<string, string>, path: string) => void]>([
    ['a value-only header becomes empty', { header_mutation: { set_headers: [{ header: { key: 'x-v', value: 'ignored' }, append: { value: false } }] } }, (h) => expect(h['x-v']).toBe('')],
    ['append true adds a value', { header_mutation: { set_headers: [header('x-client', 'two', true)] } }, (h) => expect(h['x-client']).toBe('one, two')],
    ['append false overwrites', { header_mutation: { set_headers: [header('x-client', 'two', false)] } }, (h) => expect(h['x-client']).toBe('two')],
    ['remove_headers removes', { header_mutation: { remove_headers: ['x-client'] } }, (h) => expect(h['x-client']).toBeUndefined()],
    [
      'host, :authority and x-envoy-* are silently ignored',
      { header_mutation: { set_headers: [header('host', 'evil'), header(':authority', 'evil'), header('x-envoy-upstream-alt-stat-name', 'x')] } },
      (h) => {
        expect(h.host).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(h['x-envoy-upstream-alt-stat-name']).toBeUndefined();
      },
    ],
    ['a :path rewrite changes the upstream path', { header_mutation: { set_headers: [header(':path', '/v1/completions?x=1')] } }, (_h, path) => expect(path).toBe('/v1/completions?x=1')],
  ])('%s', async (_name, c, check) => {
    const g = await stack.gateway();
    stack.processor.script = on('request_headers', () => headersAnswer(c));
    expect((await post(g, { headers: { 'x-client': 'one' } })).status).toBe(200);
    check(stack.a.requests[0]!.headers, stack.a.requests[0]!.path);
  });

  it.each<[string, CommonResponse]>([
    ['both value and raw_value set', { header_mutation: { set_headers: [{ header: { key: 'x-v', value: 'a', raw_value: Buffer.from('b') } }] } }],
    ['a value with CR/LF', { header_mutation: { set_headers: [header('x-v', 'a\r\nx-smuggled: 1')] } }],
  ])('%s fails the request with 500 and nothing reaches the upstream', async (_name, c) => {
    const g = await stack.gateway();
    stack.processor.script = on('request_headers', () => headersAnswer(c));
    expect((await post(g)).status).toBe(500);
    expect(stack.a.requests).toHaveLength(0);
  });
});

describe('BUFFERED body mutation and content-length (Envoy: length mismatch is a 500)', () => {
  const longer = '{"model":"longer-model-name","messages":[]}';
  const cl = (n: number | string) => ({ set_headers: [header('content-length', String(n), false)] });
  it.each<[string, Script, number, string | undefined]>([
    ['replaced body, stale content-length: 500', on('request_body', () => bodyAnswer({ body_mutation: { body: Buffer.from(longer) } })), 500, undefined],
    ['replaced body with its exact content-length in the same answer', on('request_body', () => bodyAnswer({ header_mutation: cl(longer.length), body_mutation: { body: Buffer.from(longer) } })), 200, longer],
    ['replaced body with a wrong content-length: 500', on('request_body', () => bodyAnswer({ header_mutation: cl(longer.length + 1), body_mutation: { body: Buffer.from(longer) } })), 500, undefined],
    [
      'content-length removed in the headers answer',
      (req) =>
        req.request === 'request_headers'
          ? headersAnswer({ header_mutation: { remove_headers: ['content-length'] } })
          : req.request === 'request_body'
            ? bodyAnswer({ body_mutation: { body: Buffer.from(longer) } })
            : cont(req),
      200,
      longer,
    ],
    ['content-length removed in the body answer', on('request_body', () => bodyAnswer({ header_mutation: { remove_headers: ['content-length'] }, body_mutation: { body: Buffer.from(longer) } })), 200, longer],
    ['same-length replacement needs no change', on('request_body', () => bodyAnswer({ body_mutation: { body: Buffer.from(CHAT.toUpperCase()) } })), 200, CHAT.toUpperCase()],
    ['clear_body with a content-length: 500', on('request_body', () => bodyAnswer({ body_mutation: { clear_body: true } })), 500, undefined],
    ['clear_body with content-length 0 (the upstream then rejects the empty body)', on('request_body', () => bodyAnswer({ header_mutation: cl(0), body_mutation: { clear_body: true } })), 400, ''],
  ])('%s', async (_name, script, status, upstreamBody) => {
    const g = await stack.gateway({ processingMode: { response_body_mode: 'NONE' } });
    stack.processor.script = script;
    expect((await post(g)).status).toBe(status);
    expect(stack.a.requests.map((r) => r.body)).toEqual(upstreamBody === undefined ? [] : [upstreamBody]);
    if (upstreamBody !== undefined) expect(Number(stack.a.requests[0]!.headers['content-length'])).toBe(Buffer.byteLength(upstreamBody));
  });

  it('CONTINUE_AND_REPLACE on the headers answer replaces the body; no body message follows', async () => {
    const g = await stack.gateway({ processingMode: { response_body_mode: 'NONE' } });
    stack.processor.script = on('request_headers', () => headersAnswer({ status: 'CONTINUE_AND_REPLACE', body_mutation: { body: Buffer.from(longer) } }));
    expect((await post(g)).status).toBe(200);
    expect(kinds(stack.processor.seen)).toEqual(['request_headers', 'response_headers']);
    expect(stack.a.requests[0]!.body).toBe(longer);
  });
});

describe('buffer limit', () => {
  it('BUFFERED: a body over the limit is a 413 from the gateway, which the processor sees as a response', async () => {
    const g = await stack.gateway({ maxRequestBytes: 10 });
    const res = await post(g);
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('Payload Too Large');
    expect(stack.a.requests).toHaveLength(0);
    expect(kinds(stack.processor.seen)).toEqual(['request_headers', 'response_headers', 'response_body']);
    expect(headerOf(stack.processor.seen[1]!, ':status')).toBe('413');
  });

  it.each<[string, number, boolean]>([
    ['BUFFERED_PARTIAL within the limit: the whole body with end_of_stream', 1024, true],
    ['BUFFERED_PARTIAL over the limit: what was buffered, without end_of_stream; the rest follows', 10, false],
  ])('%s', async (_name, limit, eos) => {
    const g = await stack.gateway({ maxRequestBytes: limit, processingMode: { request_body_mode: 'BUFFERED_PARTIAL', response_body_mode: 'NONE' } });
    const chunks = ['{"model":"m",', '"messages":[]}'];
    const res = await rawRequest(g.url, { headers: { 'content-type': 'application/json' }, chunks });
    expect(res.status).toBe(200);
    const bodies = stack.processor.seen.filter((m) => m.request === 'request_body');
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.request_body!.end_of_stream).toBe(eos);
    expect(stack.a.requests[0]!.body).toBe(chunks.join(''));
  });
});

describe('STREAMED request bodies', () => {
  const upper: Script = (req) =>
    req.request === 'request_body' ? bodyAnswer({ body_mutation: { body: Buffer.from(req.request_body!.body!.toString().toUpperCase()) } }) : cont(req);

  it('sends each chunk as it arrives, then an empty end_of_stream; answers rewrite chunks; content-length is dropped', async () => {
    const g = await stack.gateway({ processingMode: { request_body_mode: 'STREAMED', response_body_mode: 'NONE' } });
    stack.processor.script = upper;
    const body = JSON.stringify({ model: 'm', prompt: 'abc' });
    // Each chunk is sent once the processor has the one before: the gateway reads them apart.
    const bodiesSeen = () => stack.processor.seen.filter((m) => m.request === 'request_body').length;
    const afterChunk = (i: number) => until(() => bodiesSeen() > i, 10_000, `chunk ${i} at the processor`);
    const res = await rawRequest(g.url, { path: '/v1/completions', headers: { 'content-type': 'application/json', 'content-length': String(body.length) }, chunks: [body.slice(0, 10), body.slice(10)], afterChunk });
    expect(res.status).toBe(200);
    const bodies = stack.processor.seen.filter((m) => m.request === 'request_body').map((m) => m.request_body!);
    expect(bodies.map((b) => [b.body!.toString(), b.end_of_stream])).toEqual([
      [body.slice(0, 10), false],
      [body.slice(10), false],
      ['', true],
    ]);
    expect(stack.a.requests[0]!.body).toBe(body.toUpperCase());
    expect(stack.a.requests[0]!.headers['content-length']).toBeUndefined();
    expect(stack.a.requests[0]!.headers['transfer-encoding']).toBe('chunked');
  });

  it('body answers cannot change headers or the route (Envoy already forwarded them)', async () => {
    const g = await stack.gateway({ processingMode: { request_body_mode: 'STREAMED', response_body_mode: 'NONE' } });
    stack.processor.script = on('request_body', () => bodyAnswer({ header_mutation: { set_headers: [header('x-semroute-model', 'b')] }, clear_route_cache: true }));
    expect((await post(g)).status).toBe(200);
    expect([stack.a.requests.length, stack.b.requests.length]).toEqual([1, 0]);
    expect(stack.a.requests[0]!.headers['x-semroute-model']).toBeUndefined();
  });

  it('a mode_override to BUFFERED on the headers answer holds the headers until the body answer routes', async () => {
    const g = await stack.gateway({ processingMode: { request_body_mode: 'STREAMED', response_body_mode: 'NONE' } });
    stack.processor.script = (req) => {
      if (req.request === 'request_headers') return { request_headers: { response: {} }, mode_override: { request_body_mode: 'BUFFERED', response_body_mode: 'NONE' } };
      if (req.request === 'request_body') return bodyAnswer({ header_mutation: { set_headers: [header('x-semroute-model', 'b')] }, clear_route_cache: true });
      return cont(req);
    };
    expect((await post(g)).status).toBe(200);
    expect([stack.a.requests.length, stack.b.requests.length]).toEqual([0, 1]);
    expect(stack.processor.seen.filter((m) => m.request === 'request_body')).toHaveLength(1);
  });

  it('a mode_override that leaves out the request body mode means NONE (copy semantics)', async () => {
    const g = await stack.gateway({ processingMode: { response_body_mode: 'NONE' } });
    stack.processor.script = on('request_headers', () => ({ request_headers: { response: {} }, mode_override: { response_body_mode: 'NONE' } }));
    expect((await post(g)).status).toBe(200);
    expect(kinds(stack.processor.seen)).toEqual(['request_headers', 'response_headers']);
    expect(stack.a.requests[0]!.body).toBe(CHAT);
  });
});
