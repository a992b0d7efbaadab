import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../../../src/extproc/proto.js';
import { ExtProcServer } from '../../../src/extproc/server.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { testConfig } from '../../helpers/config.js';
import { extProcClient, openCall } from '../../helpers/extproc-client.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';
import { until } from '../../helpers/until.js';
import { chatHeaders, commonOf, requestBody, requestHeaders, responseHeaders, setHeaders } from '../../helpers/wire.js';

function newServer(address: string, snapshot = new RoutingSnapshot(testConfig())) {
  const metrics = new RecordingMetrics();
  const logger = new RecordingLogger();
  const server = new ExtProcServer({ address, snapshot: () => snapshot, metrics, logger, maxMessageBytes: 8 * 1024 * 1024 });
  return { server, metrics, logger };
}

describe('ext_proc gRPC server over loopback', () => {
  const { server, metrics } = newServer('127.0.0.1:0');
  let client: ReturnType<typeof extProcClient>;

  beforeAll(async () => {
    await server.start();
    server.health.set('SERVING');
    client = extProcClient(server.address);
  });
  afterAll(async () => {
    client.close();
    await server.shutdown(1000);
  });

  it('routes a request through a real bidirectional stream', async () => {
    const call = openCall(client);
    const h = await call.send(requestHeaders(chatHeaders));
    expect(h.response).toBe('request_headers');
    const body = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'debug my python' }] });
    const b = await call.send(requestBody(body));
    expect(b.response).toBe('request_body');
    expect(setHeaders(commonOf(b)!.header_mutation)).toContainEqual(['x-semroute-model', 'large']);
    const r = await call.send(responseHeaders({ ':status': '200' }));
    expect(r.response).toBe('response_headers');
    // STREAMED: the answer streams through so its token usage is counted (telemetry.token_usage).
    expect(r.mode_override).toMatchObject({ response_body_mode: 'STREAMED', request_body_mode: 'BUFFERED' });
    call.halfClose();
    expect((await call.status).code).toBe(grpc.status.OK);
    await until(() => metrics.streams === 0, 10_000, 'stream released');
  });

  it('answers an immediate response and closes the stream OK', async () => {
    const call = openCall(client);
    const res = await call.send(requestHeaders({ ':method': 'GET', ':path': '/v1/models' }, true));
    expect(res.response).toBe('immediate_response');
    call.halfClose();
    expect((await call.status).code).toBe(grpc.status.OK);
  });

  it('survives a client that cancels mid-stream and counts the stream closed', async () => {
    const call = openCall(client);
    await call.send(requestHeaders(chatHeaders));
    call.cancel();
    expect((await call.status).code).toBe(grpc.status.CANCELLED);
    await until(() => metrics.streams === 0, 10_000, 'stream released');
    // The server still serves new streams.
    const next = openCall(client);
    expect((await next.send(requestHeaders(chatHeaders))).response).toBe('request_headers');
    next.halfClose();
    await next.status;
  });

  it('accepts bodies larger than grpc-js default 4 MiB receive limit', async () => {
    const snap = new RoutingSnapshot(testConfig((d: any) => (d.security = { max_body_bytes: 6 * 1024 * 1024 })));
    const big = newServer('127.0.0.1:0', snap);
    await big.server.start();
    const c = extProcClient(big.server.address);
    try {
      const call = openCall(c);
      await call.send(requestHeaders(chatHeaders));
      const text = 'word '.repeat(1024 * 1024);
      const res = await call.send(requestBody(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: text }] })));
      expect(res.response).toBe('request_body');
      call.halfClose();
      await call.status;
    } finally {
      c.close();
      await big.server.shutdown(500);
    }
  });

  it('reports health through grpc.health.v1 Check', async () => {
    const { HealthClient } = loadProtos();
    const health = new HealthClient(server.address, grpc.credentials.createInsecure()) as any;
    const check = (service: string) =>
      new Promise<any>((resolve) => health.Check({ service }, (err: any, res: any) => resolve(err ? { code: err.code } : res)));
    try {
      expect(await check('')).toEqual({ status: 'SERVING' });
      expect(await check('envoy.service.ext_proc.v3.ExternalProcessor')).toEqual({ status: 'SERVING' });
      expect(await check('nope')).toEqual({ code: grpc.status.NOT_FOUND });
    } finally {
      health.close();
    }
  });
});

describe('ext_proc server lifecycle', () => {
  it('listens on a Unix socket', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'semroute-uds-'));
    const { server } = newServer(`unix:${path.join(dir, 'extproc.sock')}`);
    try {
      await server.start();
      const client = extProcClient(server.address);
      const call = openCall(client);
      expect((await call.send(requestHeaders(chatHeaders))).response).toBe('request_headers');
      call.halfClose();
      await call.status;
      client.close();
    } finally {
      await server.shutdown(500);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets an open stream finish during graceful shutdown and refuses new ones', async () => {
    const { server } = newServer('127.0.0.1:0');
    await server.start();
    server.health.set('SERVING');
    const client = extProcClient(server.address);
    const call = openCall(client);
    await call.send(requestHeaders(chatHeaders));
    const stopped = server.shutdown(5000);
    expect(server.health.current).toBe('NOT_SERVING');
    // The in-flight request still gets its answers.
    const body = await call.send(requestBody(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'x' }] })));
    expect(body.response).toBe('request_body');
    // A new stream is refused.
    const refused = openCall(client);
    await expect(refused.send(requestHeaders(chatHeaders))).rejects.toThrow();
    call.halfClose();
    expect((await call.status).code).toBe(grpc.status.OK);
    await stopped;
    client.close();
  });

  it('cuts streams still open when the grace period ends', async () => {
    const { server, logger } = newServer('127.0.0.1:0');
    await server.start();
    const client = extProcClient(server.address);
    const call = openCall(client);
    await call.send(requestHeaders(chatHeaders));
    // The client never finishes this stream and nothing else would end it (no connection age, a
    // 10-minute idle timeout): shutdown() resolving at all shows that the grace period cut it, and
    // the server says so.
    await server.shutdown(100);
    expect(logger.lines).toContainEqual({ level: 'warn', msg: 'grace period over; closing open ext_proc streams', fields: { open: 1 } });
    expect((await call.status).code).not.toBe(grpc.status.OK);
    client.close();
  });
});
