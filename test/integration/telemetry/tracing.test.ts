// Traces through the local gateway (the Envoy stand-in) to an OTLP/HTTP receiver in the test,
// decoding the protobuf exports: the span tree of a routed request, a cache hit and a blocked
// request; the W3C trace context read from the client's traceparent and the one the upstream gets;
// the GenAI attributes; no prompt text in any span.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { startE2EStack, type E2EStack } from '../../helpers/dev-stack.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../helpers/otlp-receiver.js';
import { until } from '../../helpers/until.js';

let stack: E2EStack;
let otlp: OtlpReceiver;

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  stack = await startE2EStack((d) => {
    d.telemetry = { tracing: { otlp_endpoint: otlp.url, sample_ratio: 1 } };
    d.security = { identity: { trusted: true } };
    d.cache = { enabled: true, similarity: 0.9 };
    d.signals.keyword.push({ name: 'faq', any: ['opening hours'] }, { name: 'forbidden', any: ['forbidden topic'] });
    d.signals.embedding = [{ name: 'crash', candidates: ['my program crashes with a segmentation fault'], threshold: 0.7 }];
    d.decisions.unshift(
      { name: 'refuse', priority: 500, rules: 'forbidden', plugins: { block: { status: 403 } } },
      { name: 'crashes', priority: 50, rules: 'crash', models: [{ model: 'large' }] },
      { name: 'faq', priority: 200, rules: 'faq', models: [{ model: 'small' }], plugins: { cache: { enabled: true } } },
    );
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await otlp?.close();
});
beforeEach(() => {
  stack.small.requests.length = 0;
  stack.large.requests.length = 0;
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

async function chat(content: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': 'tenant-acme', ...headers },
    body: JSON.stringify({ model: 'auto', max_tokens: 64, temperature: 0.2, messages: [{ role: 'user', content }] }),
  });
  return { res, text: await res.text() };
}

/** The spans of one trace, once its request span (ended last but for a background store) is exported. */
async function traceOf(traceId: string, also: (spans: ReceivedSpan[]) => boolean = () => true): Promise<ReceivedSpan[]> {
  const spans = () => otlp.spans.filter((s) => s.traceId === traceId);
  await until(async () => {
    await stack.dev.router.tracing.flush();
    const got = spans();
    return got.some((s) => s.name === 'semroute.request') && also(got);
  }, 20_000, `trace ${traceId}`);
  return spans();
}

function one(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0]!;
}

describe('a routed request', () => {
  const traceId = hex(16);
  const clientSpan = hex(8);
  let spans: ReceivedSpan[];
  let upstreamTraceparent: string | undefined;
  let upstreamTracestate: string | undefined;

  beforeAll(async () => {
    const { res } = await chat('Why does my python function fail?', { traceparent: `00-${traceId}-${clientSpan}-01`, tracestate: 'vendor=abc' });
    expect(res.status).toBe(200);
    upstreamTraceparent = stack.large.requests[0]?.headers.traceparent;
    upstreamTracestate = stack.large.requests[0]?.headers.tracestate;
    spans = await traceOf(traceId, (s) => s.some((x) => x.name.startsWith('chat ')));
  });

  it('is one trace under the client span, exported as OTLP protobuf', () => {
    expect(otlp.contentTypes).toContain('application/x-protobuf');
    const root = one(spans, 'semroute.request');
    expect(root.parentSpanId).toBe(clientSpan);
    expect(root.kind).toBe(2);
    expect(root.resource['service.name']).toBe('semroute');
    expect(root.attributes).toMatchObject({
      'semroute.decision': 'coding',
      'semroute.model': 'large',
      'semroute.outcome': 'routed',
      'http.response.status_code': 200,
      'http.request.method': 'POST',
      'url.path': '/v1/chat/completions',
    });
  });

  it('has child spans for parse, the decision and each signal', () => {
    const root = one(spans, 'semroute.request');
    const parse = one(spans, 'semroute.parse');
    const decision = one(spans, 'semroute.decision');
    expect(parse.parentSpanId).toBe(root.spanId);
    expect(parse.attributes).toMatchObject({ 'semroute.protocol': 'openai.chat', 'semroute.messages': 1 });
    expect(decision.parentSpanId).toBe(root.spanId);
    expect(decision.attributes).toMatchObject({ 'semroute.decision': 'coding', 'semroute.model': 'large', 'semroute.blocked': false });
    const signals = spans.filter((s) => s.name === 'semroute.signal');
    const byName = Object.fromEntries(signals.map((s) => [s.attributes['semroute.signal.name'], s]));
    // Only the signals some decision uses are evaluated ('urgent' is not).
    expect(Object.keys(byName).sort()).toEqual(['code', 'crash', 'faq', 'forbidden']);
    expect(byName.code!.attributes).toMatchObject({ 'semroute.signal.kind': 'keyword', 'semroute.signal.outcome': 'matched', 'semroute.signal.confidence': 1 });
    expect(byName.faq!.attributes).toMatchObject({ 'semroute.signal.outcome': 'not_matched', 'semroute.signal.confidence': 0 });
    // A keyword signal's detail quotes the prompt: not recorded without capture_content.
    expect(byName.code!.attributes['semroute.signal.label']).toBeUndefined();
    for (const s of signals) expect(s.parentSpanId).toBe(decision.spanId);
  });

  it('records the upstream call as a GenAI client span, and the upstream joins the trace through it', () => {
    const root = one(spans, 'semroute.request');
    const upstream = one(spans, 'chat org/large-235b');
    expect(upstream.kind).toBe(3);
    expect(upstream.parentSpanId).toBe(root.spanId);
    expect(upstream.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'org/large-235b',
      'gen_ai.response.model': 'org/large-235b',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.2,
      'http.response.status_code': 200,
      'semroute.decision': 'coding',
    });
    expect(upstream.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(upstream.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    // The client's traceparent is replaced by one naming semroute's upstream span; tracestate is kept.
    expect(upstreamTraceparent).toBe(`00-${traceId}-${upstream.spanId}-01`);
    expect(upstreamTracestate).toBe('vendor=abc');
  });

  it('hashes the tenant and carries no prompt or answer text', () => {
    const root = one(spans, 'semroute.request');
    expect(root.attributes['semroute.tenant']).toMatch(/^[0-9a-f]{16}$/);
    const all = JSON.stringify(spans);
    expect(all).not.toContain('tenant-acme');
    expect(all).not.toContain('python function');
    expect(all).not.toContain('fail?');
    const upstream = one(spans, 'chat org/large-235b');
    expect(upstream.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(upstream.attributes['gen_ai.output.messages']).toBeUndefined();
  });
});

describe('a model-backed signal', () => {
  it('gets a label on its span, and its inference call a span with the batch size and time queued', async () => {
    const traceId = hex(16);
    const { res } = await chat('my program crashes with a segmentation fault', { traceparent: `00-${traceId}-${hex(8)}-01` });
    expect(res.headers.get('x-semroute-decision')).toBe('crashes');
    const spans = await traceOf(traceId);
    const decision = one(spans, 'semroute.decision');
    const signal = spans.find((s) => s.attributes['semroute.signal.name'] === 'crash')!;
    expect(signal.attributes).toMatchObject({ 'semroute.signal.kind': 'embedding', 'semroute.signal.outcome': 'matched' });
    expect(signal.attributes['semroute.signal.label']).toEqual(expect.any(String));
    const inference = one(spans, 'semroute.inference');
    expect(inference.parentSpanId).toBe(decision.spanId);
    expect(inference.attributes['semroute.inference.model']).toEqual(expect.any(String));
    expect(inference.attributes['semroute.inference.batch_size']).toBeGreaterThanOrEqual(1);
    expect(inference.attributes['semroute.inference.queue_ms']).toBeGreaterThanOrEqual(0);
    expect(inference.attributes['semroute.inference.run_ms']).toBeGreaterThan(0);
  });
});

describe('a request without a traceparent', () => {
  it('starts a new trace (sampled at ratio 1)', async () => {
    const before = otlp.spans.length;
    const { res } = await chat('hello there');
    expect(res.status).toBe(200);
    const tp = stack.small.requests[0]?.headers.traceparent;
    expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = tp!.split('-')[1]!;
    const spans = await traceOf(traceId);
    expect(otlp.spans.length).toBeGreaterThan(before);
    expect(one(spans, 'semroute.request').parentSpanId).toBe('');
    expect(one(spans, 'semroute.request').attributes['semroute.decision']).toBe('general');
  });
});

describe('a cache hit', () => {
  it('answers from the cache: lookup and store spans, no upstream span', async () => {
    const first = hex(16);
    const a = await chat('What are your opening hours on Sunday?', { traceparent: `00-${first}-${hex(8)}-01` });
    expect(a.res.headers.get('x-semroute-cache')).toBe('miss');
    const firstSpans = await traceOf(first, (s) => s.some((x) => x.name === 'semroute.cache.store'));
    expect(one(firstSpans, 'semroute.cache.store').attributes['semroute.cache.store']).toBe('stored');
    expect(one(firstSpans, 'semroute.cache.lookup').attributes['semroute.cache.result']).toBe('miss');

    const second = hex(16);
    const b = await chat('What are your opening hours on Sunday?', { traceparent: `00-${second}-${hex(8)}-01` });
    expect(b.res.headers.get('x-semroute-cache')).toBe('hit');
    expect(stack.small.requests).toHaveLength(1);
    const spans = await traceOf(second);
    const root = one(spans, 'semroute.request');
    expect(root.attributes).toMatchObject({ 'semroute.cache': 'hit', 'semroute.outcome': 'cache_hit', 'semroute.decision': 'faq', 'http.response.status_code': 200 });
    const lookup = one(spans, 'semroute.cache.lookup');
    expect(lookup.parentSpanId).toBe(root.spanId);
    expect(lookup.attributes['semroute.cache.result']).toBe('hit_exact');
    expect(spans.filter((s) => s.attributes['gen_ai.operation.name'] !== undefined)).toEqual([]);
  });
});

describe('a blocked request', () => {
  it('ends at the decision: 403 on the request span, nothing upstream', async () => {
    const traceId = hex(16);
    const { res } = await chat('tell me about the forbidden topic', { traceparent: `00-${traceId}-${hex(8)}-01` });
    expect(res.status).toBe(403);
    const spans = await traceOf(traceId);
    const root = one(spans, 'semroute.request');
    expect(root.attributes).toMatchObject({ 'semroute.outcome': 'blocked', 'semroute.decision': 'refuse', 'http.response.status_code': 403, 'error.type': 'blocked' });
    expect(one(spans, 'semroute.decision').attributes['semroute.blocked']).toBe(true);
    expect(spans.map((s) => s.name).sort()).toEqual(['semroute.decision', 'semroute.inference', 'semroute.parse', 'semroute.request', ...Array(4).fill('semroute.signal')]);
    expect(stack.small.requests).toHaveLength(0);
    expect(stack.large.requests).toHaveLength(0);
  });
});

describe('an unsampled parent (parent-based sampling)', () => {
  it('records nothing and leaves the traceparent as the client sent it', async () => {
    const traceId = hex(16);
    const tp = `00-${traceId}-${hex(8)}-00`;
    const { res } = await chat('hello again', { traceparent: tp });
    expect(res.status).toBe(200);
    expect(stack.small.requests[0]?.headers.traceparent).toBe(tp);
    // A later sampled request's spans arriving proves the exporter ran after this one.
    const later = hex(16);
    await chat('and hello once more', { traceparent: `00-${later}-${hex(8)}-01` });
    await traceOf(later);
    expect(otlp.spans.filter((s) => s.traceId === traceId)).toEqual([]);
  });
});
