// Envoy (without ext_proc_graceful_grpc_close) ends every ext_proc stream with a half-close and
// then a reset. Node's HTTP/2 server rate-limits incoming RST_STREAM frames (nghttp2: a burst of
// 1000 per connection, then 33/s) and answers a sustained stream of them with GOAWAY
// INTERNAL_ERROR, which fails every stream open on the connection. semroute rotates connections
// (listeners.grpc.max_connection_age_ms) before one can spend that budget.
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

describe('a storm of Envoy-style stream ends on one connection', () => {
  const metrics = new RecordingMetrics();
  const snapshot = new RoutingSnapshot(testConfig());
  const server = new ExtProcServer({ address: '127.0.0.1:0', snapshot: () => snapshot, metrics, logger: new RecordingLogger(), maxMessageBytes: 1 << 20,
    // The shipped default, as `semroute serve` passes it.
    maxConnectionAgeMs: snapshot.config.listeners.grpc.max_connection_age_ms,
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

  /** One request as Envoy drives it, ended as Envoy's closeStream() ends it. Resolves to a failure or undefined. */
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
    // Envoy's ExternalProcessorStreamImpl::close() without ext_proc_graceful_grpc_close:
    // closeStream() (half-close) then resetStream(), back to back.
    if (!serverClosed) {
      call.halfClose();
      call.cancel();
    }
    const status = await call.status;
    return status.code === grpc.status.OK || status.code === grpc.status.CANCELLED ? undefined : `status ${status.code}: ${status.details}`;
  }

  it(`fails none of ${STREAMS} requests ended by half-close then reset, and leaks no stream`, async () => {
    let next = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (next < STREAMS) {
        const failure = await oneRequest(next++);
        if (failure) failures.push(failure);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(failures.slice(0, 3)).toEqual([]);
    expect(failures.length).toBe(0);
    await until(() => metrics.streams === 0, 10_000, 'every stream released');
  }, 120_000);
});
