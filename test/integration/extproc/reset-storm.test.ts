// Envoy (without ext_proc_graceful_grpc_close) ends every ext_proc stream with a half-close and
// then a reset. Node's HTTP/2 server rate-limits incoming RST_STREAM frames (nghttp2: a burst of
// 1000 per connection, then 33/s) and answers a sustained stream of them with GOAWAY
// INTERNAL_ERROR, which fails every stream open on the connection. semroute rotates a connection
// after listeners.grpc.max_connection_streams streams, before it can spend that budget, and after
// max_connection_age_ms, each time with a two-phase GOAWAY that refuses no stream the client opened
// while the connection was being rotated.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { ExtProcServer } from '../../../src/extproc/server.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { testConfig } from '../../helpers/config.js';
import { extProcClient, openCall } from '../../helpers/extproc-client.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';
import { chatHeaders, requestBody, requestHeaders, responseHeaders } from '../../helpers/wire.js';
import { until } from '../../helpers/until.js';

const STREAMS = 2500;
const CONCURRENCY = 24;

/** Ends a stream as Envoy's closeStream() does without ext_proc_graceful_grpc_close, or not. */
type StreamEnd = 'half-close then reset' | 'graceful';

/** Drives `count` requests as Envoy does, `concurrency` at a time; returns the failures. */
async function drive(client: ReturnType<typeof extProcClient>, count: number, concurrency: number, end: StreamEnd): Promise<string[]> {
  async function oneRequest(i: number): Promise<string | undefined> {
    const call = openCall(client);
    let serverClosed = false;
    void call.status.then(() => (serverClosed = true));
    try {
      await call.send(requestHeaders(chatHeaders));
      await call.send(requestBody(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: `debug my python ${i}` }] })));
      await call.send(responseHeaders({ ':status': '200', 'content-type': 'application/json' }));
    } catch (e) {
      return (e as Error).message;
    }
    if (!serverClosed) {
      call.halfClose();
      // Envoy's ExternalProcessorStreamImpl::close(): closeStream() (half-close) then
      // resetStream(), back to back.
      if (end === 'half-close then reset') call.cancel();
    }
    const status = await call.status;
    return status.code === grpc.status.OK || status.code === grpc.status.CANCELLED ? undefined : `status ${status.code}: ${status.details}`;
  }
  let next = 0;
  const failures: string[] = [];
  const worker = async () => {
    while (next < count) {
      const failure = await oneRequest(next++);
      if (failure) failures.push(failure);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failures;
}

describe('a storm of Envoy-style stream ends on one connection', () => {
  const metrics = new RecordingMetrics();
  const snapshot = new RoutingSnapshot(testConfig());
  const server = new ExtProcServer({ address: '127.0.0.1:0', snapshot: () => snapshot, metrics, logger: new RecordingLogger(), maxMessageBytes: 1 << 20,
    // The shipped defaults, as `semroute serve` passes them.
    maxConnectionAgeMs: snapshot.config.listeners.grpc.max_connection_age_ms,
    maxConnectionStreams: snapshot.config.listeners.grpc.max_connection_streams,
  });
  let client: ReturnType<typeof extProcClient>;

  beforeAll(async () => {
    await server.start();
    client = extProcClient(server.address);
  });
  afterAll(async () => {
    client.close();
    await server.shutdown(1000);
  });

  it(`fails none of ${STREAMS} requests ended by half-close then reset, and leaks no stream`, async () => {
    const failures = await drive(client, STREAMS, CONCURRENCY, 'half-close then reset');
    expect(failures.slice(0, 3)).toEqual([]);
    expect(failures.length).toBe(0);
    // By stream count (the age is a minute): 2500 streams over connections of 800.
    expect(metrics.rotations).toBeGreaterThanOrEqual(3);
    await until(() => metrics.streams === 0, 10_000, 'every stream released');
  }, 120_000);
});

describe('connection rotation under a steady stream of requests', () => {
  // grpc-js's own max_connection_age sent the final GOAWAY in the same tick as the notice, which
  // refused every stream the client opened meanwhile ("14: Stream refused by server"): 804 of
  // 100,000 fuzz sequences. Rotating every ~25 ms makes dozens of rotations meet open streams here.
  const metrics = new RecordingMetrics();
  const snapshot = new RoutingSnapshot(testConfig());
  const server = new ExtProcServer({ address: '127.0.0.1:0', snapshot: () => snapshot, metrics, logger: new RecordingLogger(), maxMessageBytes: 1 << 20, maxConnectionAgeMs: 25 });
  let client: ReturnType<typeof extProcClient>;

  beforeAll(async () => {
    await server.start();
    client = extProcClient(server.address);
  });
  afterAll(async () => {
    client.close();
    await server.shutdown(1000);
  });

  it.each<StreamEnd>(['graceful', 'half-close then reset'])('refuses no stream (%s ends)', async (end) => {
    const before = metrics.rotations;
    const failures = await drive(client, 1500, CONCURRENCY, end);
    expect(failures.slice(0, 3)).toEqual([]);
    expect(failures.length).toBe(0);
    // The rotations did happen while requests ran.
    expect(metrics.rotations - before).toBeGreaterThanOrEqual(3);
    await until(() => metrics.streams === 0, 10_000, 'every stream released');
  }, 120_000);
});
