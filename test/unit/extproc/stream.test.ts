import { describe, expect, it } from '@jest/globals';
import { BodyBudget } from '../../../src/extproc/body-budget.js';
import { ExtProcStream } from '../../../src/extproc/stream.js';
import type { ProcessingRequest, ProcessingResponse } from '../../../src/extproc/wire.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { testConfig } from '../../helpers/config.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';
import { chatHeaders, commonOf, kindOf, requestBody, requestHeaders, responseHeaders, setHeaders } from '../../helpers/wire.js';

function harness(snapshot = new RoutingSnapshot(testConfig())) {
  const written: ProcessingResponse[] = [];
  let ended = 0;
  const metrics = new RecordingMetrics();
  const logger = new RecordingLogger();
  const stream = new ExtProcStream({ snapshot, metrics, logger }, { write: (r) => written.push(r), end: () => ended++ });
  const send = async (...msgs: ProcessingRequest[]) => {
    for (const m of msgs) stream.push(m);
    await stream.idle();
  };
  return { stream, written, metrics, logger, send, ended: () => ended };
}

/** A promise the test opens when it is ready: stands in for work that takes a while. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

const chatBody = (text: string, model = 'auto') => JSON.stringify({ model, messages: [{ role: 'user', content: text }] });

describe('ExtProcStream', () => {
  it('answers every phase of a routed request once, with the matching kind', async () => {
    const h = harness();
    await h.send(
      requestHeaders({ ...chatHeaders, 'x-semroute-model': 'small' }),
      requestBody(chatBody('my python function fails')),
      responseHeaders({ ':status': '200', 'content-type': 'application/json' }),
      { request: 'response_body', response_body: { body: Buffer.from('{}'), end_of_stream: true } },
      { request: 'response_trailers', response_trailers: {} },
    );
    expect(h.written.map(kindOf)).toEqual(['request_headers', 'request_body', 'response_headers', 'response_body', 'response_trailers']);

    // Headers: the client's routing header is removed and the route recomputed without it.
    const hdr = commonOf(h.written[0]!)!;
    expect(hdr.header_mutation?.remove_headers).toEqual(['x-semroute-model']);
    expect(hdr.clear_route_cache).toBe(true);

    // Body: routing headers, exact content-length, rewritten model, route recomputed.
    const body = commonOf(h.written[1]!)!;
    const newBody = body.body_mutation!.body!;
    expect(JSON.parse(newBody.toString()).model).toBe('org/large-235b');
    expect(setHeaders(body.header_mutation)).toEqual([
      ['x-semroute-model', 'large'],
      ['x-semroute-decision', 'coding'],
      ['content-length', String(newBody.length)],
    ]);
    expect(body.clear_route_cache).toBe(true);

    // Response headers: explanation headers; the response body streams through (token usage is
    // read from it), both body modes copied.
    const res = h.written[2]!;
    expect(setHeaders(commonOf(res)!.header_mutation)).toEqual([
      ['x-semroute-decision', 'coding'],
      ['x-semroute-model', 'large'],
    ]);
    expect(res.mode_override).toEqual({ request_body_mode: 'BUFFERED', response_body_mode: 'STREAMED' });
    expect(h.metrics.requests).toEqual([{ decision: 'coding', model: 'large', outcome: 'routed' }]);
    expect(h.metrics.latencies).toHaveLength(1);
  });

  it('in routing.mode model sets the GIE model header and never an endpoint or envoy.lb metadata', async () => {
    const h = harness(new RoutingSnapshot(testConfig((d: any) => {
      d.routing = { mode: 'model' };
      d.models[1].endpoints = ['10.0.0.1:8000', '10.0.0.2:8000'];
    })));
    await h.send(requestHeaders(chatHeaders), requestBody(chatBody('debug my python')));
    const body = h.written[1]!;
    expect(body.dynamic_metadata).toBeUndefined();
    const set = setHeaders(commonOf(body)!.header_mutation).map(([k]) => k);
    expect(set).toContain('x-gateway-model-name');
    expect(set).not.toContain('x-gateway-destination-endpoint');
    expect(setHeaders(commonOf(body)!.header_mutation)).toContainEqual(['x-gateway-model-name', 'org/large-235b']);
  });

  it('counts the tokens the answer reports, and reads no response body with telemetry.token_usage off', async () => {
    const on = harness();
    await on.send(requestHeaders(chatHeaders), requestBody(chatBody('debug my python')), responseHeaders({ ':status': '200', 'content-type': 'application/json' }));
    const answer = JSON.stringify({ choices: [{ message: { content: 'ok' } }], usage: { prompt_tokens: 12, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 8 } } });
    await on.send({ request: 'response_body', response_body: { body: Buffer.from(answer.slice(0, 20)), end_of_stream: false } }, { request: 'response_body', response_body: { body: Buffer.from(answer.slice(20)), end_of_stream: true } });
    expect(on.metrics.tokens).toEqual([{ model: 'large', decision: 'coding', input: 12, output: 5, cached: 8 }]);
    // The answer passes unchanged.
    expect(commonOf(on.written[3]!)?.body_mutation).toBeUndefined();

    const off = harness(new RoutingSnapshot(testConfig((d: any) => (d.telemetry = { token_usage: false }))));
    await off.send(requestHeaders(chatHeaders), requestBody(chatBody('debug my python')), responseHeaders({ ':status': '200' }));
    expect(off.written[2]!.mode_override).toEqual({ request_body_mode: 'BUFFERED', response_body_mode: 'NONE' });
  });

  it('sends no header mutation (and so no route-cache clear) when the client sent no routing header', async () => {
    const h = harness();
    await h.send(requestHeaders(chatHeaders));
    expect(commonOf(h.written[0]!)).toEqual({});
  });

  it('ends the stream with an immediate response and ignores what follows', async () => {
    const h = harness();
    await h.send(requestHeaders({ ':method': 'GET', ':path': '/v1/models' }, true), responseHeaders({ ':status': '200' }));
    expect(h.written.map(kindOf)).toEqual(['immediate_response']);
    const imm = h.written[0]!.immediate_response!;
    expect(imm.status.code).toBe(200);
    expect(setHeaders(imm.headers)).toEqual([['content-type', 'application/json']]);
    expect(JSON.parse(imm.body!.toString()).object).toBe('list');
  });

  it.each<[string, ProcessingRequest[], number, string]>([
    ['unknown model', [requestHeaders(chatHeaders), requestBody(chatBody('x', 'gpt-4'))], 404, 'model_not_found'],
    ['malformed JSON', [requestHeaders(chatHeaders), requestBody('{nope')], 400, 'invalid_json'],
    ['wrong content-type', [requestHeaders({ ...chatHeaders, 'content-type': 'text/plain' })], 400, 'unsupported_content_type'],
    ['trailers instead of end_of_stream', [requestHeaders(chatHeaders), requestBody('{"mo', false), { request: 'request_trailers', request_trailers: {} }], 400, 'invalid_request'],
  ])('answers %s with an OpenAI error', async (_name, msgs, status, code) => {
    const h = harness();
    await h.send(...msgs);
    const last = h.written[h.written.length - 1]!;
    expect(kindOf(last)).toBe('immediate_response');
    expect(last.immediate_response!.status.code).toBe(status);
    expect(JSON.parse(last.immediate_response!.body!.toString()).error.code).toBe(code);
    expect(h.metrics.errors).toEqual([{ code, status }]);
  });

  it('accumulates STREAMED chunks, holds them back and sends the whole rewritten body at the end', async () => {
    const h = harness();
    const full = chatBody('please fix this python bug');
    await h.send(requestHeaders(chatHeaders), requestBody(full.slice(0, 10), false), requestBody(full.slice(10, 30), false), requestBody(full.slice(30), true));
    expect(h.written.map(kindOf)).toEqual(['request_headers', 'request_body', 'request_body', 'request_body']);
    expect(commonOf(h.written[1]!)!.body_mutation).toEqual({ clear_body: true });
    expect(commonOf(h.written[2]!)!.body_mutation).toEqual({ clear_body: true });
    const last = commonOf(h.written[3]!)!;
    expect(JSON.parse(last.body_mutation!.body!.toString())).toEqual({ ...JSON.parse(full), model: 'org/large-235b' });
    // Envoy drops content-length in STREAMED mode itself.
    expect(setHeaders(last.header_mutation).map(([k]) => k)).not.toContain('content-length');
  });

  it('re-emits the held-back chunks even when the body needs no rewrite', async () => {
    const h = harness();
    const full = chatBody('hello', 'org/small-8b');
    await h.send(requestHeaders(chatHeaders), requestBody(full.slice(0, 5), false), requestBody(full.slice(5), true));
    expect(commonOf(h.written[2]!)!.body_mutation!.body!.toString()).toBe(full);
  });

  it('answers 413 when streamed chunks exceed the body limit', async () => {
    const snap = new RoutingSnapshot(testConfig((d: any) => (d.security = { max_body_bytes: 100 })));
    const h = harness(snap);
    await h.send(requestHeaders(chatHeaders), requestBody('x'.repeat(60), false), requestBody('x'.repeat(60), false), requestBody('x', true));
    expect(h.written.map(kindOf)).toEqual(['request_headers', 'request_body', 'immediate_response']);
    expect(h.written[2]!.immediate_response!.status.code).toBe(413);
  });

  it('answers 413 for a partial body in BUFFERED_PARTIAL mode (Envoy buffer overflow)', async () => {
    const h = harness();
    const headers = { ...requestHeaders(chatHeaders), protocol_config: { request_body_mode: 'BUFFERED_PARTIAL' as const } };
    await h.send(headers, requestBody('{"model":"auto","messages":[', false));
    expect(h.written[1]!.immediate_response!.status.code).toBe(413);
  });

  // FULL_DUPLEX_STREAMED cannot be overridden: full-duplex.test.ts.
  it.each(['NONE', 'STREAMED'] as const)(
    'asks for a BUFFERED body when Envoy is configured with %s, keeping the response mode',
    async (mode) => {
      const h = harness();
      await h.send({ ...requestHeaders(chatHeaders), protocol_config: { request_body_mode: mode, response_body_mode: 'STREAMED' } });
      expect(h.written[0]!.mode_override).toEqual({ request_body_mode: 'BUFFERED', response_body_mode: 'STREAMED' });
    },
  );

  it.each(['BUFFERED', 'BUFFERED_PARTIAL'] as const)('leaves %s alone', async (mode) => {
    const h = harness();
    await h.send({ ...requestHeaders(chatHeaders), protocol_config: { request_body_mode: mode, response_body_mode: 'NONE' } });
    expect(h.written[0]!.mode_override).toBeUndefined();
  });

  it('lets other paths through without bodies and strips routing headers', async () => {
    const h = harness();
    await h.send(requestHeaders({ ':method': 'GET', ':path': '/health', 'x-gateway-destination-endpoint': '1.2.3.4:80' }, true), responseHeaders({ ':status': '200' }));
    expect(h.written.map(kindOf)).toEqual(['request_headers', 'response_headers']);
    expect(h.written[0]!.mode_override).toEqual({ request_body_mode: 'NONE', response_body_mode: 'NONE' });
    expect(commonOf(h.written[0]!)).toMatchObject({ header_mutation: { remove_headers: ['x-gateway-destination-endpoint'] }, clear_route_cache: true });
    expect(commonOf(h.written[1]!)).toEqual({});
    expect(h.metrics.requests[0]!.outcome).toBe('passthrough');
  });

  it('answers out-of-order messages with their own kind', async () => {
    const h = harness();
    await h.send(requestBody('{}'), { request: 'request_trailers', request_trailers: {} }, requestHeaders(chatHeaders), requestHeaders(chatHeaders));
    expect(h.written.map(kindOf)).toEqual(['request_body', 'request_trailers', 'request_headers', 'request_headers']);
  });

  it('keeps answers in order when response headers arrive while routing is in progress', async () => {
    const snap = new RoutingSnapshot(testConfig());
    const slowDecide = snap.router.decide.bind(snap.router);
    const started = gate();
    const finish = gate();
    snap.router.decide = async (ir) => {
      started.open();
      await finish.opened;
      return slowDecide(ir);
    };
    const h = harness(snap);
    h.stream.push(requestHeaders(chatHeaders));
    h.stream.push(requestBody(chatBody('hi')));
    h.stream.push(responseHeaders({ ':status': '200' }));
    await started.opened;
    // Routing is in progress and the response headers have arrived: nothing overtakes the body.
    expect(h.written.map(kindOf)).toEqual(['request_headers']);
    finish.open();
    await h.stream.idle();
    expect(h.written.map(kindOf)).toEqual(['request_headers', 'request_body', 'response_headers']);
  });

  it('fails open to the default route when routing throws', async () => {
    const snap = new RoutingSnapshot(testConfig());
    snap.router.decide = () => Promise.reject(new Error('model crashed'));
    const h = harness(snap);
    await h.send(requestHeaders(chatHeaders), requestBody(chatBody('python')));
    const body = commonOf(h.written[1]!)!;
    expect(setHeaders(body.header_mutation)).toContainEqual(['x-semroute-model', 'small']);
    expect(JSON.parse(body.body_mutation!.body!.toString()).model).toBe('org/small-8b');
    expect(h.logger.lines.some((l) => l.level === 'error')).toBe(true);
  });

  it('still switches response bodies off when answering response headers fails', async () => {
    const snap = new RoutingSnapshot(testConfig());
    const h = harness(snap);
    await h.send(requestHeaders(chatHeaders), requestBody(chatBody('hi')));
    (h.stream as any).onResponseHeaders = () => {
      throw new Error('bug');
    };
    await h.send(responseHeaders({ ':status': '200' }));
    expect(h.written[2]!.mode_override).toEqual({ request_body_mode: 'BUFFERED', response_body_mode: 'NONE' });
  });

  it('writes nothing after a cancellation, even for work already started', async () => {
    const snap = new RoutingSnapshot(testConfig());
    const started = gate();
    const finish = gate();
    snap.router.decide = async () => {
      started.open();
      await finish.opened;
      throw new Error('unreachable');
    };
    const h = harness(snap);
    h.stream.push(requestHeaders(chatHeaders));
    h.stream.push(requestBody(chatBody('x')));
    await started.opened; // routing the body has started
    h.stream.cancel();
    h.stream.push(responseHeaders({ ':status': '200' }));
    finish.open(); // ...and ends (by failing) only after the cancellation
    await h.stream.idle();
    expect(h.written.map(kindOf)).toEqual(['request_headers']);
  });

  it('closes its side after answering everything when Envoy half-closes', async () => {
    const h = harness();
    h.stream.push(requestHeaders(chatHeaders));
    h.stream.push(requestBody(chatBody('x')));
    await h.stream.end();
    expect(h.written).toHaveLength(2);
    expect(h.ended()).toBe(1);
  });
});

describe('shared body budget', () => {
  it('sheds with 429 when open streams hold too many body bytes, and frees bytes when a stream ends', async () => {
    const snapshot = new RoutingSnapshot(testConfig());
    const budget = new BodyBudget(100);
    const sinks: ProcessingResponse[][] = [[], [], []];
    const make = (i: number) =>
      new ExtProcStream({ snapshot, metrics: new RecordingMetrics(), logger: new RecordingLogger(), bodyBudget: budget }, { write: (r) => sinks[i]!.push(r), end: () => undefined });
    const [s1, s2, s3] = [make(0), make(1), make(2)];

    // Stream 1 holds 80 bytes of an unfinished streamed body.
    s1.push(requestHeaders(chatHeaders));
    s1.push(requestBody('x'.repeat(80), false));
    await s1.idle();
    expect(budget.inUse).toBe(80);

    // Stream 2 needs 40 more: over the budget.
    s2.push(requestHeaders(chatHeaders));
    s2.push(requestBody(chatBody('hi').padEnd(40)));
    await s2.idle();
    expect(sinks[1]![1]!.immediate_response!.status.code).toBe(429);
    expect(JSON.parse(sinks[1]![1]!.immediate_response!.body!.toString()).error.code).toBe('overloaded');

    // Stream 1 is cancelled: its bytes come back and stream 3 fits.
    s1.cancel();
    expect(budget.inUse).toBe(0);
    s3.push(requestHeaders(chatHeaders));
    s3.push(requestBody(chatBody('hi')));
    await s3.idle();
    expect(sinks[2]!.map(kindOf)).toEqual(['request_headers', 'request_body']);
    expect(budget.inUse).toBe(0);
  });

  it('frees the bytes of a stream that Envoy half-closes mid-body', async () => {
    const budget = new BodyBudget(100);
    const s = new ExtProcStream(
      { snapshot: new RoutingSnapshot(testConfig()), metrics: new RecordingMetrics(), logger: new RecordingLogger(), bodyBudget: budget },
      { write: () => undefined, end: () => undefined },
    );
    s.push(requestHeaders(chatHeaders));
    s.push(requestBody('x'.repeat(50), false));
    await s.idle();
    expect(budget.inUse).toBe(50);
    await s.end();
    expect(budget.inUse).toBe(0);
  });
});
