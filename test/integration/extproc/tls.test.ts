// TLS and mutual TLS on the ext_proc listener with real certificates made in the test: a client
// certificate from the configured CA is accepted, no certificate, one from another CA or plaintext
// are refused in the handshake (no stream ever opens), and the server certificate rotates without
// a restart: new connections get the new one, a stream open across the swap finishes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { ExtProcServer } from '../../../src/extproc/server.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { CertWatcher } from '../../../src/tls/cert-watcher.js';
import { CertDir, createCa, type Pem, type TestCa } from '../../helpers/certs.js';
import { testConfig } from '../../helpers/config.js';
import { extProcClient, openCall } from '../../helpers/extproc-client.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';
import { until } from '../../helpers/until.js';
import { chatHeaders, commonOf, requestBody, requestHeaders, setHeaders } from '../../helpers/wire.js';

const SERVER_NAME = 'semroute.semroute.svc';

describe('ext_proc listener with mutual TLS', () => {
  const dir = new CertDir();
  const metrics = new RecordingMetrics();
  const logger = new RecordingLogger();
  let ca: TestCa;
  let envoy: Pem;
  let stranger: Pem;
  let watcher: CertWatcher;
  let server: ExtProcServer;
  let port: number;
  const clients: grpc.Client[] = [];

  const client = (id: { ca?: string; cert?: Pem } = {}) => {
    const c = extProcClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createSsl(Buffer.from(id.ca ?? ca.cert), id.cert ? Buffer.from(id.cert.key) : null, id.cert ? Buffer.from(id.cert.cert) : null),
      { 'grpc.ssl_target_name_override': SERVER_NAME, 'grpc.default_authority': SERVER_NAME },
    );
    clients.push(c);
    return c;
  };

  /** One routed request on a stream: headers answered, then the body routed. */
  const route = async (c: ReturnType<typeof extProcClient>) => {
    const call = openCall(c);
    expect((await call.send(requestHeaders(chatHeaders))).response).toBe('request_headers');
    const b = await call.send(requestBody(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'debug my python' }] })));
    expect(setHeaders(commonOf(b)!.header_mutation)).toContainEqual(['x-semroute-model', 'large']);
    call.halfClose();
    expect((await call.status).code).toBe(grpc.status.OK);
  };

  /** The server certificate a fresh TLS connection is shown. */
  const presented = () =>
    new Promise<PeerCertificate>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca: ca.cert, cert: envoy.cert, key: envoy.key, servername: SERVER_NAME, ALPNProtocols: ['h2'] }, () => {
        resolve(socket.getPeerCertificate());
        socket.end();
      });
      socket.once('error', reject);
    });

  beforeAll(async () => {
    ca = await createCa('mesh CA');
    const other = await createCa('another CA');
    const serverPem = await ca.issue({ cn: 'semroute', usage: 'server', dns: [SERVER_NAME], ips: ['127.0.0.1'] });
    envoy = await ca.issue({ cn: 'envoy', usage: 'client', uris: ['spiffe://cluster.local/ns/ai/sa/envoy'] });
    stranger = await other.issue({ cn: 'envoy', usage: 'client' });
    const paths = { cert_file: dir.write('tls.crt', serverPem.cert), key_file: dir.write('tls.key', serverPem.key), client_ca_file: dir.write('ca.crt', ca.cert) };
    watcher = new CertWatcher('grpc', paths, 100, logger);
    watcher.start();
    const snapshot = new RoutingSnapshot(testConfig());
    server = new ExtProcServer({ address: '127.0.0.1:0', snapshot: () => snapshot, metrics, logger, maxMessageBytes: 8 * 1024 * 1024, tls: { watcher, minVersion: 'TLSv1.2' }, maxConnectionStreams: 4 });
    port = Number((await server.start()).split(':').pop());
    server.health.set('SERVING');
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    watcher.close();
    await server.shutdown(1000);
    dir.remove();
  });

  it('accepts a client certificate from the configured CA', async () => {
    await route(client({ cert: envoy }));
  });

  it.each([
    ['no client certificate', () => client()],
    ['a client certificate from another CA', () => client({ cert: stranger })],
    ['plaintext', () => { const c = extProcClient(`127.0.0.1:${port}`); clients.push(c); return c; }],
  ])('refuses %s before any stream opens', async (_name, make) => {
    const opened = metrics.opened;
    const call = openCall(make());
    call.send(requestHeaders(chatHeaders)).catch(() => undefined);
    const status = await call.status;
    expect(status.code).toBe(grpc.status.UNAVAILABLE);
    expect(metrics.opened).toBe(opened);
  });

  it('widens the HTTP/2 windows and rotates connections (max_connection_streams) over TLS too', async () => {
    expect(logger.lines.some((l) => l.msg.startsWith('cannot reach grpc-js HTTP/2 sessions'))).toBe(false);
    const before = metrics.rotations;
    const c = client({ cert: envoy });
    // 10 requests on one client: the connection is rotated after every 4 streams, each new one a
    // fresh TLS handshake, and no request fails.
    for (let i = 0; i < 10; i++) await route(c);
    expect(metrics.rotations - before).toBeGreaterThanOrEqual(2);
  });

  it('rotates the server certificate without a restart; a stream open across the swap finishes', async () => {
    const before = await presented();
    // A stream on the old connection, mid-request.
    const c = client({ cert: envoy });
    const call = openCall(c);
    expect((await call.send(requestHeaders(chatHeaders))).response).toBe('request_headers');

    const next = await ca.issue({ cn: 'semroute-rotated', usage: 'server', dns: [SERVER_NAME], ips: ['127.0.0.1'] });
    const rotated = new Promise((resolve) => watcher.onChange(resolve));
    // Key first, then the certificate: in between the set does not match and is refused, not used.
    dir.write('tls.key', next.key);
    // (A poll that was already reading may still say 'unchanged'; any read after the write refuses.)
    await until(async () => (await watcher.check()) === 'rejected', 10_000, 'the half-written set refused');
    expect((await presented()).fingerprint256).toBe(before.fingerprint256);
    dir.write('tls.crt', next.cert);
    await rotated; // the 100 ms poll picked it up
    const after = await presented();
    expect(after.subject.CN).toBe('semroute-rotated');
    expect(after.fingerprint256).not.toBe(before.fingerprint256);

    // The old stream carries on over its connection…
    const b = await call.send(requestBody(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'debug my python' }] })));
    expect(setHeaders(commonOf(b)!.header_mutation)).toContainEqual(['x-semroute-model', 'large']);
    call.halfClose();
    expect((await call.status).code).toBe(grpc.status.OK);
    // …and a new client routes over a connection with the new certificate.
    await route(client({ cert: envoy }));
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'TLS certificate reloaded' }));
    expect(watcher.status().subject).toBe('CN=semroute-rotated');
  });
});
