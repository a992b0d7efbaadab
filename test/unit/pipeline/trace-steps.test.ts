// The request path's spans as the pipeline reports them, on a hand-written recording trace: what
// goes into the upstream client span (GenAI attributes, the injected traceparent) and what only
// capture_content lets in; the per-request metrics view that puts step results on their spans.
import { describe, expect, it } from '@jest/globals';
import { onRequestBody } from '../../../src/pipeline/request-body.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { requestTelemetry } from '../../../src/pipeline/trace-steps.js';
import type { ChildOptions, RequestTrace, SpanAttributes, TraceSpan } from '../../../src/telemetry/tracing/types.js';
import { testConfig } from '../../helpers/config.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';

interface Recorded {
  name: string;
  attrs: SpanAttributes;
  parent: Recorded | undefined;
  kind: string;
  ended: boolean;
  error?: string;
}

class RecordingTrace implements RequestTrace {
  readonly recording = true;
  readonly traceId = '0af7651916cd43dd8448eb211c80319c';
  readonly spanId = 'b7ad6b7169203331';
  readonly spans: Recorded[] = [];
  readonly root: Recorded = { name: 'semroute.request', attrs: {}, parent: undefined, kind: 'server', ended: false };
  private readonly bySpan = new Map<TraceSpan, Recorded>();
  constructor(readonly captureContent: boolean) {}
  set(attrs: SpanAttributes): void {
    Object.assign(this.root.attrs, attrs);
  }
  end(): void {
    this.root.ended = true;
  }
  child(name: string, attrs: SpanAttributes = {}, opts: ChildOptions = {}): TraceSpan {
    const rec: Recorded = { name, attrs: { ...attrs }, parent: opts.parent ? this.bySpan.get(opts.parent) : this.root, kind: opts.kind ?? 'internal', ended: false };
    this.spans.push(rec);
    const span: TraceSpan = {
      set: (a) => Object.assign(rec.attrs, a),
      end: (error) => {
        rec.ended = true;
        if (error !== undefined) rec.error = error;
      },
    };
    this.bySpan.set(span, rec);
    return span;
  }
  /** The injected headers name the span: here by its position among the children. */
  inject(span: TraceSpan): Array<readonly [string, string]> {
    const i = this.spans.indexOf(this.bySpan.get(span)!);
    return [['traceparent', `00-${this.traceId}-${i.toString(16).padStart(16, '0')}-01`]];
  }
}

const snapshot = new RoutingSnapshot(testConfig());
const body = (content: string) => Buffer.from(JSON.stringify({ model: 'auto', max_tokens: 100, temperature: 0.5, messages: [{ role: 'user', content }] }));
const headers = new Map([[':path', '/v1/chat/completions'], ['content-type', 'application/json']]);

async function routed(captureContent: boolean) {
  const trace = new RecordingTrace(captureContent);
  const tel = requestTelemetry(trace, new RecordingMetrics(), undefined, { ids: { request_id: 'r1' }, log: new RecordingLogger() });
  const out = await onRequestBody(snapshot, 'openai.chat', body('my python function has a SECRET bug'), headers, undefined, tel);
  return { trace, tel, out };
}

describe('the upstream client span', () => {
  it('carries the GenAI request attributes, and its traceparent goes on the upstream request', async () => {
    const { trace, tel, out } = await routed(false);
    const up = trace.spans.find((s) => s.kind === 'client')!;
    expect(up.name).toBe('chat org/large-235b');
    expect(up.parent).toBe(trace.root);
    expect(up.attrs).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'org/large-235b',
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.request.stream': false,
      'semroute.model': 'large',
      'semroute.decision': 'coding',
    });
    expect(up.ended).toBe(false);
    expect(tel.steps.upstream).toBeDefined();
    expect(out.kind === 'forward' && out.edit.set.find(([k]) => k === 'traceparent')).toEqual(['traceparent', expect.stringMatching(/^00-0af7651916cd43dd8448eb211c80319c-/)]);
  });

  it('has no prompt text unless capture_content allows it', async () => {
    const off = await routed(false);
    expect(JSON.stringify(off.trace.spans)).not.toContain('SECRET');
    const on = await routed(true);
    const up = on.trace.spans.find((s) => s.kind === 'client')!;
    expect(JSON.parse(String(up.attrs['gen_ai.input.messages']))).toEqual([{ role: 'user', content: 'my python function has a SECRET bug' }]);
  });

  it('the parse, decision and signal spans end; the keyword signal has no label', async () => {
    const { trace } = await routed(false);
    const names = trace.spans.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['semroute.parse', 'semroute.decision', 'semroute.signal']));
    for (const s of trace.spans.filter((x) => x.kind !== 'client')) expect([s.name, s.ended]).toEqual([s.name, true]);
    const signal = trace.spans.find((s) => s.name === 'semroute.signal')!;
    expect(signal.parent?.name).toBe('semroute.decision');
    expect(signal.attrs['semroute.signal.label']).toBeUndefined();
  });

  it('a body that does not parse ends the parse span with its error code and starts no upstream span', async () => {
    const trace = new RecordingTrace(false);
    const tel = requestTelemetry(trace, new RecordingMetrics(), undefined, { ids: {}, log: new RecordingLogger() });
    const out = await onRequestBody(snapshot, 'openai.chat', Buffer.from('{"model":'), headers, undefined, tel);
    expect(out.kind).toBe('reply');
    expect(trace.spans.map((s) => [s.name, s.error])).toEqual([['semroute.parse', 'invalid_json']]);
  });
});

describe('the per-request metrics view', () => {
  it('passes every call through and puts tokens on the upstream span', async () => {
    const { tel } = await routed(false);
    const inner = new RecordingMetrics();
    const view = requestTelemetry(tel.trace, inner, undefined, { ids: {}, log: new RecordingLogger() });
    const up = tel.trace.child('chat x', {}, { kind: 'client' });
    view.steps.upstream = up;
    view.metrics.recordTokens({ model: 'large', decision: 'coding' }, { input: 12, output: 34, cached: 5 });
    view.metrics.recordRequest({ decision: 'd', model: 'm', outcome: 'routed' });
    expect(inner.tokens).toEqual([{ model: 'large', decision: 'coding', input: 12, output: 34, cached: 5 }]);
    expect(inner.requests).toHaveLength(1);
    const rec = (tel.trace as RecordingTrace).spans.find((s) => s.name === 'chat x')!;
    expect(rec.attrs).toMatchObject({ 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 34, 'gen_ai.usage.cache_read.input_tokens': 5 });
  });
});
