// Mutual TLS end to end: the local gateway dials semroute's ext_proc listener the way Envoy's
// cluster with an UpstreamTlsContext does (envoy/envoy-mtls.yaml: trusted CA, client certificate,
// SNI). With the right client certificate requests route; without one, or with one from another
// CA, the ext_proc stream never opens and the gateway fails the request closed (Envoy's
// failure_mode_allow: false gives 500) before anything reaches a model. Certificates and the
// client CA rotate on disk without a restart.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startDev, devRoutes, type DevStack } from '../../src/cli/dev.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { startFakeUpstream, type FakeUpstream } from '../../src/dev/fake-upstream.js';
import { startGateway, type ExtProcTls, type Gateway } from '../../src/dev/gateway.js';
import { baseConfigDoc } from '../helpers/config.js';
import { CertDir, createCa, type Pem, type TestCa } from '../helpers/certs.js';
import { RecordingLogger } from '../helpers/fakes.js';

// The name Envoy sends as SNI and checks as the server certificate's DNS SAN, from the shipped file.
const UPSTREAM_TLS = parse(readFileSync('envoy/envoy-mtls.yaml', 'utf8')).static_resources.clusters.find((c: any) => c.name === 'semroute').transport_socket.typed_config;
const SERVER_NAME: string = UPSTREAM_TLS.sni;
const ENVOY_ID = 'spiffe://cluster.local/ns/ai-gateway/sa/envoy';

describe('mTLS between the gateway (Envoy) and semroute', () => {
  const dir = new CertDir();
  const logger = new RecordingLogger();
  const gateways: Gateway[] = [];
  let ca: TestCa;
  let envoy: Pem;
  let small: FakeUpstream;
  let large: FakeUpstream;
  let config: Config;
  let dev: DevStack;

  const tlsFor = (cert: Pem | undefined, trust = ca.cert): ExtProcTls => ({
    ca: Buffer.from(trust),
    ...(cert ? { cert: Buffer.from(cert.cert), key: Buffer.from(cert.key) } : {}),
    serverName: SERVER_NAME,
  });

  /** Another gateway (another Envoy) in front of the same semroute. */
  const gateway = async (tls: ExtProcTls): Promise<Gateway> => {
    const { routes, defaultUpstream } = devRoutes(config);
    const g = await startGateway({ listen: { host: '127.0.0.1', port: 0 }, extProcTarget: dev.router.grpcAddress, routes, ...(defaultUpstream ? { defaultUpstream } : {}), messageTimeoutMs: 2000, extProcTls: tls });
    gateways.push(g);
    return g;
  };

  const ask = async (url: string, headers: Record<string, string> = {}, content = 'Why does my python function crash?') => {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }] }),
    });
    return { status: res.status, model: res.headers.get('x-semroute-model'), text: await res.text() };
  };

  beforeAll(async () => {
    expect(UPSTREAM_TLS.common_tls_context.combined_validation_context.default_validation_context.match_typed_subject_alt_names[0].matcher.exact).toBe(SERVER_NAME);
    ca = await createCa('mesh CA');
    const serverPem = await ca.issue({ cn: 'semroute', usage: 'server', dns: [SERVER_NAME] });
    envoy = await ca.issue({ cn: 'envoy', usage: 'client', uris: [ENVOY_ID] });
    small = await startFakeUpstream({ name: 'small', host: '127.0.0.1', port: 0, models: ['org/small-8b'] });
    large = await startFakeUpstream({ name: 'large', host: '127.0.0.1', port: 0, models: ['org/large-235b'] });
    const doc = baseConfigDoc() as any;
    doc.models[0].endpoints = [`127.0.0.1:${small.port}`];
    doc.models[1].endpoints = [`127.0.0.1:${large.port}`];
    doc.listeners = {
      grpc: {
        address: '127.0.0.1:0',
        tls: { cert_file: dir.write('tls.crt', serverPem.cert), key_file: dir.write('tls.key', serverPem.key), client_ca_file: dir.write('ca.crt', ca.cert), reload_interval_ms: 100 },
      },
    };
    // The trusted hop is the Envoy whose certificate carries this SPIFFE id (it runs the auth
    // filter that sets x-user-tier); identity headers from any other connection are stripped.
    doc.security = { identity: { trusted: true, headers: ['x-user-tier'], trusted_peers: [ENVOY_ID] } };
    doc.signals.header = [{ name: 'premium', header: 'x-user-tier', values: ['premium'] }];
    doc.decisions.unshift({ name: 'premium_users', priority: 500, rules: { any: ['premium'] }, models: [{ model: 'large' }] });
    config = parseConfig(doc, 'mtls test');
    dev = await startDev({ config, listen: { host: '127.0.0.1', port: 0 }, fakeUpstreams: false, adminListen: 'off', logger, extProcTls: tlsFor(envoy) });
  });

  afterAll(async () => {
    for (const g of gateways) await g.close();
    await dev?.close();
    await small?.close();
    await large?.close();
    dir.remove();
  });

  it('semroute dev refuses a TLS listener it has no client certificate for, saying why', async () => {
    await expect(startDev({ config, listen: { host: '127.0.0.1', port: 0 }, fakeUpstreams: false, adminListen: 'off', logger })).rejects.toThrow(/listeners\.grpc\.tls is set: the local gateway needs a CA and a client certificate/);
  });

  it('routes through the gateway holding the Envoy client certificate', async () => {
    const r = await ask(dev.gateway.url);
    expect(r.status).toBe(200);
    expect(r.model).toBe('large');
    expect(large.requests).toHaveLength(1);
  });

  it.each([
    ['without a client certificate', () => undefined],
    ['with a client certificate from another CA', async () => (await createCa('rogue CA')).issue({ cn: 'envoy', usage: 'client' })],
  ])('refuses a gateway %s: the request fails closed, nothing reaches a model', async (_name, cert) => {
    const before = small.requests.length + large.requests.length;
    const g = await gateway(tlsFor(await cert()));
    const r = await ask(g.url);
    expect(r.status).toBe(500);
    expect(r.model).toBeNull();
    expect(small.requests.length + large.requests.length).toBe(before);
  });

  it('trusts identity headers only on the connection of the configured trusted hop (trusted_peers)', async () => {
    const tier = { 'x-user-tier': 'premium' };
    const plain = 'What is the capital of France?';
    large.requests.length = 0;
    small.requests.length = 0;
    // The trusted Envoy: the tier routes, and reaches the model.
    expect((await ask(dev.gateway.url, tier, plain)).model).toBe('large');
    expect(large.requests.at(-1)!.headers['x-user-tier']).toBe('premium');
    // Another Envoy with a valid certificate from the same CA, but not the trusted hop.
    const batch = await gateway(tlsFor(await ca.issue({ cn: 'batch-envoy', usage: 'client', uris: ['spiffe://cluster.local/ns/batch/sa/envoy'] })));
    const r = await ask(batch.url, tier, plain);
    expect(r).toMatchObject({ status: 200, model: 'small' });
    expect(small.requests.at(-1)!.headers['x-user-tier']).toBeUndefined();
  });

  it('rotates the server certificate and the client CA without a restart', async () => {
    const watcher = dev.router.tls.grpc!;
    const first = watcher.current.fingerprint256;
    // A new CA joins the bundle (CA rotation: old and new trusted together) and the server moves
    // to a certificate from the new CA.
    const nextCa = await createCa('mesh CA 2');
    const nextServer = await nextCa.issue({ cn: 'semroute-2', usage: 'server', dns: [SERVER_NAME] });
    const nextEnvoy = await nextCa.issue({ cn: 'envoy-2', usage: 'client' });
    const rotated = new Promise<void>((resolve) => {
      const off = watcher.onChange((set) => {
        if (set.fingerprint256 === first) return;
        off();
        resolve();
      });
    });
    // Glued with no newline between, as `cat` of files without a final newline makes them.
    dir.write('ca.crt', ca.cert.trimEnd() + nextCa.cert);
    dir.write('tls.key', nextServer.key);
    dir.write('tls.crt', nextServer.cert);
    // Each poll reads the set whole; a poll that caught it half written refused it, a later one takes it.
    await rotated;
    expect(watcher.status().subject).toBe('CN=semroute-2');

    // The running gateway's connection was made before the swap and keeps working.
    expect((await ask(dev.gateway.url)).status).toBe(200);
    // A new Envoy with the new CA's client certificate, trusting only the new CA: its handshake
    // sees the new server certificate, and its client certificate is accepted.
    const g = await gateway(tlsFor(nextEnvoy, nextCa.cert));
    const r = await ask(g.url);
    expect(r.status).toBe(200);
    expect(r.model).toBe('large');
    // A new Envoy that trusts only the old CA now refuses the server.
    const stale = await gateway(tlsFor(envoy, ca.cert));
    expect((await ask(stale.url)).status).toBe(500);
  });
});
