// The OTLP transports other than the default http/protobuf (tracing.test.ts): http/json to the
// HTTP receiver, gRPC to a TraceService/Export server in the test (with the configured headers as
// metadata), and a collector that is down: the export fails and is counted, nothing else happens.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { decodeTraceRequest, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../helpers/otlp-receiver.js';
import { freePort } from '../../helpers/redis-server.js';
import { testConfig } from '../../helpers/config.js';
import { startE2EStack } from '../../helpers/dev-stack.js';
import { until } from '../../helpers/until.js';
import { createTracing } from '../../../src/telemetry/tracing/index.js';
import type { Config } from '../../../src/config/schema.js';

function tracingConfig(tracing: Record<string, unknown>): Config['telemetry']['tracing'] {
  return testConfig((d) => (d.telemetry = { tracing: { sample_ratio: 1, ...tracing } })).telemetry.tracing;
}

/** One request span with a child, as a stream would make them, under a given parent. */
function oneTrace(tracing: ReturnType<typeof createTracing>): { traceId: string; parent: string } {
  const traceId = randomBytes(16).toString('hex');
  const parent = randomBytes(8).toString('hex');
  const trace = tracing.start(new Map([['traceparent', `00-${traceId}-${parent}-01`]]), { 'url.path': '/v1/chat/completions' });
  trace.child('semroute.parse', { 'semroute.protocol': 'openai.chat' }).end();
  trace.end();
  return { traceId, parent };
}

function checkTree(spans: ReceivedSpan[], { traceId, parent }: { traceId: string; parent: string }): void {
  const mine = spans.filter((s) => s.traceId === traceId);
  const root = mine.find((s) => s.name === 'semroute.request')!;
  expect(root.parentSpanId).toBe(parent);
  expect(root.attributes['url.path']).toBe('/v1/chat/completions');
  expect(mine.find((s) => s.name === 'semroute.parse')?.parentSpanId).toBe(root.spanId);
}

describe('http/json', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => (receiver = await startOtlpReceiver()));
  afterAll(() => receiver.close());

  it('exports OTLP/JSON to /v1/traces', async () => {
    const exports: string[] = [];
    const tracing = createTracing(tracingConfig({ otlp_endpoint: receiver.url, protocol: 'http/json' }), { onExport: (r) => exports.push(r) });
    const ids = oneTrace(tracing);
    await tracing.flush();
    await tracing.shutdown();
    expect(receiver.contentTypes).toEqual(['application/json']);
    checkTree(receiver.spans, ids);
    expect(exports).toEqual(['ok']);
  });
});

describe('grpc', () => {
  let server: grpc.Server;
  let port: number;
  const received: ReceivedSpan[] = [];
  const tokens: string[] = [];
  beforeAll(async () => {
    server = new grpc.Server();
    const identity = (b: Buffer) => b;
    server.addService(
      {
        Export: {
          path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          // ExportTraceServiceResponse with no partial_success: zero bytes.
          responseSerialize: () => Buffer.alloc(0),
          responseDeserialize: identity,
        },
      },
      {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
          tokens.push(String(call.metadata.get('x-collector-token')[0] ?? ''));
          received.push(...decodeTraceRequest(call.request));
          done(null, Buffer.alloc(0));
        },
      },
    );
    port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  });
  afterAll(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));

  it('exports to TraceService/Export with the configured headers as metadata', async () => {
    const exports: string[] = [];
    const tracing = createTracing(tracingConfig({ otlp_endpoint: `http://127.0.0.1:${port}`, protocol: 'grpc', headers: { 'x-collector-token': 'tok-123' } }), { onExport: (r) => exports.push(r) });
    const ids = oneTrace(tracing);
    await tracing.flush();
    await tracing.shutdown();
    checkTree(received, ids);
    expect(tokens).toEqual(['tok-123']);
    expect(exports).toEqual(['ok']);
  });
});

describe('a collector that is down', () => {
  it('fails the export and counts it; starting and ending spans never throws', async () => {
    const port = await freePort();
    const exports: Array<[string, number]> = [];
    const tracing = createTracing(tracingConfig({ otlp_endpoint: `http://127.0.0.1:${port}`, export_timeout_ms: 2000 }), { onExport: (r, n) => exports.push([r, n]) });
    expect(() => oneTrace(tracing)).not.toThrow();
    await tracing.flush();
    await tracing.shutdown();
    expect(exports).toEqual([['failed', 2]]);
  });
});

describe('a collector that is down, through the local gateway', () => {
  it('never fails a request: the answer comes, the failed export is counted on /metrics', async () => {
    const port = await freePort();
    const stack = await startE2EStack((d) => (d.telemetry = { tracing: { otlp_endpoint: `http://127.0.0.1:${port}`, sample_ratio: 1, export_timeout_ms: 1000 } }));
    try {
      const res = await fetch(`${stack.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hello' }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
      await until(async () => {
        await stack.dev.router.tracing.flush();
        return /semroute_trace_exports_total\{result="failed"\} [1-9]/.test(await stack.dev.router.metrics.render());
      }, 20_000, 'a failed export counted');
      expect(stack.logger.lines.filter((l) => l.msg.startsWith('span export to the OTLP collector failed')).length).toBeGreaterThan(0);
    } finally {
      await stack.close();
    }
  });
});

describe('tracing off', () => {
  it('is the no-op: nothing recorded, no ids, no headers to inject', () => {
    const tracing = createTracing(tracingConfig({ otlp_endpoint: '' }));
    expect(tracing.enabled).toBe(false);
    const trace = tracing.start(new Map([['traceparent', `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`]]));
    expect(trace.recording).toBe(false);
    expect(trace.inject(trace.child('x'))).toEqual([]);
  });

  it('a request not sampled keeps the incoming trace id for its log lines', async () => {
    const receiver = await startOtlpReceiver();
    const tracing = createTracing(tracingConfig({ otlp_endpoint: receiver.url, sample_ratio: 0 }));
    const traceId = randomBytes(16).toString('hex');
    const unsampledParent = tracing.start(new Map([['traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-00`]]));
    expect(unsampledParent.recording).toBe(false);
    expect(unsampledParent.traceId).toBe(traceId);
    // No parent and ratio 0: not recorded, and no id to log.
    expect(tracing.start(new Map()).traceId).toBe('');
    await tracing.shutdown();
    await receiver.close();
    expect(receiver.spans).toEqual([]);
  });
});
