// The GIE endpoint-picker protocol at the ext_proc stream: the subset hint read from
// metadata_context, the ordered list in the header and in envoy.lb metadata (equal), 503 when
// nothing is eligible, and x-gateway-destination-endpoint-served read back. The endpoints are
// closed loopback ports: every scrape fails, so all are unknown and the pick still happens.
import { afterEach, describe, expect, it } from '@jest/globals';
import { ExtProcStream } from '../../../src/extproc/stream.js';
import type { ProcessingRequest, ProcessingResponse } from '../../../src/extproc/wire.js';
import { promptText, subsetHint } from '../../../src/pipeline/endpoint-step.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { testConfig } from '../../helpers/config.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';
import { chatHeaders, commonOf, requestBody, requestHeaders, responseHeaders, setHeaders } from '../../helpers/wire.js';

const EPS = ['127.0.0.1:9', '127.0.0.1:11', '127.0.0.1:13'];
const snapshots: RoutingSnapshot[] = [];
afterEach(() => snapshots.splice(0).forEach((s) => s.release()));

function snapshot(fallbacks = 2): RoutingSnapshot {
  const s = new RoutingSnapshot(testConfig((d: any) => {
    d.routing.mode = 'endpoint';
    d.routing.endpoint_picker = { fallbacks, scorers: [{ type: 'prefix', weight: 1 }, { type: 'inflight', weight: 1 }] };
    for (const m of d.models) m.endpoints = EPS;
  }));
  snapshots.push(s);
  return s;
}

function harness(snap: RoutingSnapshot) {
  const written: ProcessingResponse[] = [];
  const stream = new ExtProcStream({ snapshot: snap, metrics: new RecordingMetrics(), logger: new RecordingLogger() }, { write: (r) => written.push(r), end: () => undefined });
  const send = async (...msgs: ProcessingRequest[]) => {
    for (const m of msgs) stream.push(m);
    await stream.idle();
  };
  return { written, send };
}

/** metadata_context as protobufjs decodes it: filter_metadata keyed by namespace, Struct fields camelCase. */
function subsetMeta(list: string[]): unknown {
  return { filter_metadata: { 'envoy.lb.subset_hint': { fields: { 'x-gateway-destination-endpoint-subset': { listValue: { values: list.map((s) => ({ stringValue: s })) } } } } } };
}

const body = (text: string) => requestBody(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: text }] }));
const header = (r: ProcessingResponse) => new Map(setHeaders(commonOf(r)!.header_mutation)).get('x-gateway-destination-endpoint');
const metadata = (r: ProcessingResponse) => (r.dynamic_metadata as any)?.fields['envoy.lb'].structValue.fields['x-gateway-destination-endpoint'].stringValue;

describe('endpoint-picker protocol', () => {
  it('answers an ordered fallback list, the same in the header and in envoy.lb metadata', async () => {
    const h = harness(snapshot());
    await h.send(requestHeaders(chatHeaders), body('hello'));
    const list = header(h.written[1]!)!.split(',');
    expect([...list].sort()).toEqual([...EPS].sort());
    expect(metadata(h.written[1]!)).toBe(list.join(','));
  });

  it('fallbacks 0: a single address, for a plain ORIGINAL_DST cluster', async () => {
    const h = harness(snapshot(0));
    await h.send(requestHeaders(chatHeaders), body('hello'));
    expect(EPS).toContain(header(h.written[1]!));
    expect(metadata(h.written[1]!)).toBe(header(h.written[1]!));
  });

  it('honours the subset hint from metadata_context', async () => {
    const h = harness(snapshot());
    await h.send({ ...requestHeaders(chatHeaders), metadata_context: subsetMeta(['127.0.0.1:11', '10.9.9.9:80']) }, body('hello'));
    expect(header(h.written[1]!)).toBe('127.0.0.1:11');
    expect(metadata(h.written[1]!)).toBe('127.0.0.1:11');
  });

  it('503 in the client\'s protocol when no endpoint of the subset is known, or the subset is empty', async () => {
    for (const list of [['10.9.9.9:80'], []]) {
      const h = harness(snapshot());
      await h.send({ ...requestHeaders(chatHeaders), metadata_context: subsetMeta(list) }, body('hello'));
      const imm = h.written[1]!.immediate_response!;
      expect(imm.status).toEqual({ code: 503 });
      expect(JSON.parse(Buffer.from(imm.body as Uint8Array).toString())).toMatchObject({ error: { type: 'service_unavailable', code: 'no_backend' } });
    }
  });

  it('reads x-gateway-destination-endpoint-served: the prefix then points at the endpoint that served', async () => {
    const snap = snapshot();
    const text = 'a long shared document. '.repeat(40);
    const h = harness(snap);
    await h.send(requestHeaders(chatHeaders), body(text));
    const [picked, fallback] = header(h.written[1]!)!.split(',');
    // Envoy's retry went to the first fallback.
    await h.send(responseHeaders({ ':status': '200', 'content-type': 'application/json', 'x-gateway-destination-endpoint-served': fallback! }));
    const index = snap.live!.of('small')!.prefix;
    expect(index.size(fallback!)).toBeGreaterThan(0);
    expect(index.size(fallback!)).toBe(index.size(picked!));
  });
});

describe('helpers', () => {
  it('subsetHint: absent, a list, comma-joined entries, an empty list', () => {
    expect(subsetHint(undefined)).toBeUndefined();
    expect(subsetHint({ filter_metadata: {} })).toBeUndefined();
    expect(subsetHint(subsetMeta(['a:1', 'b:2,c:3']))).toEqual(['a:1', 'b:2', 'c:3']);
    expect(subsetHint(subsetMeta([]))).toEqual([]);
  });
  it('promptText: tools first, then the messages in order, cut at the bound', () => {
    const ir = { tools: [{ name: 'search', description: 'web' }], messages: [{ role: 'system' as const, text: 'be brief', toolCalls: 0 }, { role: 'user' as const, text: 'hi', toolCalls: 0 }] };
    expect(promptText(ir, 1000)).toBe('search:web\n<system>be brief\n<user>hi\n');
    expect(promptText(ir, 5)).toBe('searc');
  });
});
