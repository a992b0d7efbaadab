// A stream must be released on every way its call can end. Two orders that grpc-js's events miss:
// - HEADERS, a message and RST_STREAM read in one tick (Envoy cancelling as the stream opens);
// - grpc-js's own client cancelling a call in the same tick as its first write: the server gets the
//   message and then nothing, ever (no reset, no half-close; grpc-node #2583), so only the idle
//   reaper can release it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http2 from 'node:http2';
import { ExtProcServer } from '../../../src/extproc/server.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { testConfig } from '../../helpers/config.js';
import { extProcClient, openCall } from '../../helpers/extproc-client.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';
import { RawExtProcConnection, grpcFrame } from '../../helpers/raw-extproc.js';
import { until } from '../../helpers/until.js';
import { chatHeaders, requestHeaders } from '../../helpers/wire.js';

const N = 200;

describe('streams cancelled in the same tick as their first message', () => {
  const metrics = new RecordingMetrics();
  const snapshot = new RoutingSnapshot(testConfig());
  const server = new ExtProcServer({
    address: '127.0.0.1:0',
    snapshot: () => snapshot,
    metrics,
    logger: new RecordingLogger(),
    maxMessageBytes: 1 << 20,
    streamIdleTimeoutMs: 300,
  });

  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.shutdown(1000);
  });

  it('are released when the reset arrives with the first message', async () => {
    const conn = new RawExtProcConnection(server.address);
    await conn.ready();
    const frame = grpcFrame(requestHeaders(chatHeaders));
    const closed: Array<Promise<unknown>> = [];
    for (let i = 0; i < N; i++) {
      const stream = conn.open();
      closed.push(new Promise((resolve) => stream.on('close', resolve)));
      stream.write(frame, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    }
    await Promise.all(closed);
    conn.close();
    await until(() => metrics.streams === 0, 10_000, 'every stream released');
    expect(metrics.reaped).toBe(0);
  });

  it('are reaped when the client never tells the server (grpc-js cancel racing the first write)', async () => {
    const client = extProcClient(server.address);
    // A live connection, so that the racing calls reach the server.
    const warm = openCall(client);
    await warm.send(requestHeaders(chatHeaders));
    warm.halfClose();
    await warm.status;
    const openedBefore = metrics.opened;
    const statuses: Array<Promise<unknown>> = [];
    for (let i = 0; i < N; i++) {
      const call = client.Process();
      call.on('error', () => undefined);
      statuses.push(new Promise((resolve) => call.on('status', resolve)));
      call.write(requestHeaders(chatHeaders));
      call.cancel();
    }
    await Promise.all(statuses);
    await until(() => metrics.opened > openedBefore && metrics.streams === 0, 10_000, 'every stream released');
    // The ones the server saw and was never told about were reaped, and counted.
    expect(metrics.reaped).toBeGreaterThan(0);
    expect(metrics.reaped).toBeLessThanOrEqual(metrics.opened - openedBefore);
    expect(server.openStreams).toBe(0);
    client.close();
  });
});
