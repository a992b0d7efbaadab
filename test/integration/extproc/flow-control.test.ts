// The ext_proc listener grants Envoy windows that fit a whole request body: with Node's 64 KiB
// defaults a 4 MiB body needs 64 window round trips through semroute's event loop.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CONNECTION_WINDOW_BYTES, STREAM_WINDOW_BYTES } from '../../../src/extproc/flow-control.js';
import { ExtProcServer } from '../../../src/extproc/server.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { testConfig } from '../../helpers/config.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';
import { RawExtProcConnection } from '../../helpers/raw-extproc.js';

describe('HTTP/2 flow-control windows of the ext_proc listener', () => {
  const snapshot = new RoutingSnapshot(testConfig());
  const logger = new RecordingLogger();
  const server = new ExtProcServer({ address: '127.0.0.1:0', snapshot: () => snapshot, metrics: new RecordingMetrics(), logger, maxMessageBytes: 1 << 20 });

  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.shutdown(1000);
  });

  it('advertise a stream window that holds the largest body, and a wider connection window', async () => {
    const conn = new RawExtProcConnection(server.address);
    await conn.streamWindowIs(STREAM_WINDOW_BYTES);
    expect(STREAM_WINDOW_BYTES).toBeGreaterThan(snapshot.config.security.max_body_bytes);
    // The connection window is raised with a WINDOW_UPDATE on stream 0, seen as the client's send window.
    await conn.connectionWindowAtLeast(CONNECTION_WINDOW_BYTES);
    conn.close();
    expect(logger.lines.some((l) => l.msg.includes('cannot widen'))).toBe(false);
  });
});
