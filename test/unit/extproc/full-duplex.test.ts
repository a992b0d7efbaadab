// FULL_DUPLEX_STREAMED message sequences, as Envoy sends them in that mode (the headers and every
// body chunk without waiting): semroute holds the headers' answer until the body is routed, hands
// the whole body back in one streamed_response, never sends an empty per-chunk answer, and
// never a mode_override (Envoy cannot switch into or out of this mode).
import { describe, expect, it } from '@jest/globals';
import { ExtProcStream } from '../../../src/extproc/stream.js';
import type { ProcessingRequest, ProcessingResponse } from '../../../src/extproc/wire.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { testConfig } from '../../helpers/config.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';
import { chatHeaders, commonOf, kindOf, requestBody, requestHeaders, responseHeaders, setHeaders } from '../../helpers/wire.js';

const DUPLEX = { request_body_mode: 'FULL_DUPLEX_STREAMED', response_body_mode: 'FULL_DUPLEX_STREAMED' } as const;

function harness(snapshot = new RoutingSnapshot(testConfig())) {
  const written: ProcessingResponse[] = [];
  const metrics = new RecordingMetrics();
  const stream = new ExtProcStream({ snapshot, metrics, logger: new RecordingLogger() }, { write: (r) => written.push(r), end: () => undefined });
  const send = async (...msgs: ProcessingRequest[]) => {
    for (const m of msgs) stream.push(m);
    await stream.idle();
  };
  return { stream, written, metrics, send };
}

const body = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'debug my python function' }] });
const streamed = (r: ProcessingResponse, kind: 'request_body' | 'response_body') => r[kind]?.response?.body_mutation?.streamed_response;

describe('FULL_DUPLEX_STREAMED', () => {
  it('holds the headers answer until the chunked body is routed, then sends it with the whole rewritten body', async () => {
    const h = harness();
    await h.send({ ...requestHeaders({ ...chatHeaders, 'x-semroute-model': 'evil' }), protocol_config: DUPLEX });
    expect(h.written).toEqual([]);
    await h.send(requestBody(body.slice(0, 10), false), requestBody(body.slice(10, 40), false));
    // No empty per-chunk answers: Envoy would forward them as (empty) body.
    expect(h.written).toEqual([]);
    await h.send(requestBody(body.slice(40), true));
    expect(h.written.map(kindOf)).toEqual(['request_headers', 'request_body']);
    const hdr = commonOf(h.written[0]!)!;
    expect(hdr.clear_route_cache).toBe(true);
    expect(hdr.header_mutation?.remove_headers).toEqual(['x-semroute-model']);
    expect(setHeaders(hdr.header_mutation)).toEqual([
      ['x-semroute-model', 'large'],
      ['x-semroute-decision', 'coding'],
    ]);
    expect(h.written[0]!.mode_override).toBeUndefined();
    const sr = streamed(h.written[1]!, 'request_body')!;
    expect(sr.end_of_stream).toBe(true);
    expect(JSON.parse(sr.body!.toString()).model).toBe('org/large-235b');
  });

  it('hands response chunks back as they come (unchanged), the last with end_of_stream, without mode_override', async () => {
    const h = harness(new RoutingSnapshot(testConfig((d: any) => (d.telemetry = { token_usage: false }))));
    await h.send({ ...requestHeaders(chatHeaders), protocol_config: DUPLEX }, requestBody(body, true), responseHeaders({ ':status': '200', 'content-type': 'text/event-stream' }));
    expect(h.written[2]!.mode_override).toBeUndefined();
    await h.send(
      { request: 'response_body', response_body: { body: Buffer.from('data: {"a":1}\n\n'), end_of_stream: false } },
      { request: 'response_body', response_body: { body: Buffer.alloc(0), end_of_stream: true } },
    );
    expect(h.written.slice(3).map((r) => streamed(r, 'response_body'))).toEqual([
      { body: Buffer.from('data: {"a":1}\n\n'), end_of_stream: false },
      { body: Buffer.alloc(0), end_of_stream: true },
    ]);
  });

  it('echoes the body of a request it does not route (the mode cannot be switched off)', async () => {
    const h = harness();
    await h.send({ ...requestHeaders({ ...chatHeaders, ':path': '/healthz', ':method': 'POST' }), protocol_config: DUPLEX });
    expect(h.written.map(kindOf)).toEqual(['request_headers']);
    expect(h.written[0]!.mode_override).toBeUndefined();
    await h.send(requestBody('abc', false), requestBody('def', true));
    expect(h.written.slice(1).map((r) => streamed(r, 'request_body'))).toEqual([
      { body: Buffer.from('abc'), end_of_stream: false },
      { body: Buffer.from('def'), end_of_stream: true },
    ]);
  });

  it('answers trailers that end the body instead of end_of_stream with an error reply', async () => {
    const h = harness();
    await h.send({ ...requestHeaders(chatHeaders), protocol_config: DUPLEX }, requestBody(body, false), { request: 'request_trailers', request_trailers: {} });
    expect(h.written.map(kindOf)).toEqual(['immediate_response']);
    expect(h.written[0]!.immediate_response!.status.code).toBe(400);
  });

  it('answers a body over the limit with 413 as soon as it crosses it', async () => {
    const h = harness(new RoutingSnapshot(testConfig((d: any) => (d.security = { max_body_bytes: 50 }))));
    await h.send({ ...requestHeaders(chatHeaders), protocol_config: DUPLEX }, requestBody('x'.repeat(40), false));
    expect(h.written).toEqual([]);
    await h.send(requestBody('x'.repeat(40), false));
    expect(h.written.map(kindOf)).toEqual(['immediate_response']);
    expect(h.written[0]!.immediate_response!.status.code).toBe(413);
  });

  it('writes nothing after a cancellation mid-body and releases the stream', async () => {
    const h = harness();
    await h.send({ ...requestHeaders(chatHeaders), protocol_config: DUPLEX }, requestBody(body.slice(0, 20), false));
    h.stream.cancel();
    await h.send(requestBody(body.slice(20), true));
    expect(h.written).toEqual([]);
  });
});
