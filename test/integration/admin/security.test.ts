// The admin API's security review, against a running router: it binds to loopback by default; the
// route inventory in docs/admin-api.md is exactly what the listener serves; every protected route
// refuses a missing or unknown token and a token of the wrong role; every protected request, refused
// or not, writes one audit line (who, what, result) that never carries the token; over HTTPS with a
// client CA, a client without a certificate from it never gets an HTTP answer.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { startRouter, type RunningRouter } from '../../../src/cli/router.js';
import { listenHostPort } from '../../../src/config/addresses.js';
import { parseConfig } from '../../../src/config/load.js';
import { baseConfigDoc, testConfig } from '../../helpers/config.js';
import { CertDir, createCa, type Pem, type TestCa } from '../../helpers/certs.js';
import { RecordingLogger } from '../../helpers/fakes.js';
import { until } from '../../helpers/until.js';

const VIEWER = 'viewer-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef0';
const BODY = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] });

interface InventoryRow {
  method: string;
  path: string;
  access: 'public' | 'viewer' | 'admin';
}

/** The route table of docs/admin-api.md. */
function inventory(): InventoryRow[] {
  const doc = readFileSync('docs/admin-api.md', 'utf8');
  const section = doc.slice(doc.indexOf('## Route inventory'), doc.indexOf('## Tokens and roles'));
  return section
    .split('\n')
    .filter((l) => /^\| (GET|POST) \|/.test(l))
    .map((l) => {
      const [method, path, access] = l.split('|').slice(1, 4).map((c) => c.trim().replace(/`/g, ''));
      return { method: method!, path: path!, access: access as InventoryRow['access'] };
    });
}

async function send(base: string, row: { method: string; path: string }, token?: string) {
  const res = await fetch(base + row.path, {
    method: row.method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(row.method === 'POST' ? { body: BODY } : {}),
  });
  return { status: res.status, text: await res.text(), authenticate: res.headers.get('www-authenticate') };
}

describe('admin API access control', () => {
  const logger = new RecordingLogger();
  let router: RunningRouter;
  let base: string;
  const rows = inventory();
  const protectedRows = rows.filter((r) => r.access !== 'public');

  beforeAll(async () => {
    const config = testConfig((doc: any) => {
      doc.security = { admin_tokens: [{ token: VIEWER, role: 'viewer', name: 'dashboards' }, { token: ADMIN, role: 'admin' }] };
    });
    router = await startRouter({ config, grpcListen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logger, shutdownGraceMs: 100 });
    base = router.adminUrl!;
  });
  afterAll(() => router.close());

  it('binds the admin listener to loopback unless told otherwise', () => {
    const address = testConfig().listeners.admin.address;
    expect(listenHostPort(address).host).toBe('127.0.0.1');
  });

  it('docs/admin-api.md lists exactly the routes the listener serves, with their access', () => {
    const served = router.adminRoutes.map((r) => `${r.method} ${r.path} ${r.public ? 'public' : r.method === 'GET' ? 'viewer' : 'admin'}`).sort();
    expect(rows.map((r) => `${r.method} ${r.path} ${r.access}`).sort()).toEqual(served);
    expect(protectedRows.length).toBeGreaterThanOrEqual(3);
  });

  it.each(rows.filter((r) => r.access === 'public'))('$method $path is public', async (row) => {
    expect((await send(base, row)).status).toBeLessThan(400);
  });

  describe.each(protectedRows)('$method $path ($access)', (row) => {
    it('refuses a request without a token: 401 with www-authenticate, OpenAI-shaped', async () => {
      const r = await send(base, row);
      expect(r.status).toBe(401);
      expect(r.authenticate).toBe('Bearer');
      expect(JSON.parse(r.text)).toEqual({ error: { message: 'a bearer token is required', type: 'authentication_error', code: 'unauthorized' } });
    });

    it('refuses an unknown token, a malformed header, and the request id as a token', async () => {
      expect((await send(base, row, 'not-a-configured-token-at-all')).status).toBe(401);
      const res = await fetch(base + row.path, { method: row.method, headers: { authorization: ADMIN, 'x-request-id': ADMIN } });
      expect(res.status).toBe(401);
    });

    it(row.access === 'admin' ? 'refuses a viewer token (403)' : 'accepts a viewer token', async () => {
      const r = await send(base, row, VIEWER);
      if (row.access === 'admin') expect(r.status).toBe(403);
      else expect([401, 403]).not.toContain(r.status);
    });

    it('lets an admin token through', async () => {
      expect([401, 403]).not.toContain((await send(base, row, ADMIN)).status);
    });
  });

  it('writes one audit line per protected request: who, what, result; never a token', async () => {
    const before = logger.lines.length;
    await send(base, { method: 'POST', path: '/v1/explain' }, VIEWER);
    await send(base, { method: 'POST', path: '/v1/explain' }, ADMIN);
    await send(base, { method: 'GET', path: '/v1/config' });
    await send(base, { method: 'GET', path: '/metrics' });
    // The audit line is written when the response closes, which can be just after fetch returns.
    const audited = () => logger.lines.slice(before).filter((l) => l.fields?.audit === true);
    await until(() => audited().length >= 3, 10_000, 'three audit lines');
    const audit = audited();
    expect(audit.map((l) => [l.level, l.fields!.who, l.fields!.action, l.fields!.status, l.fields!.result])).toEqual([
      ['warn', 'dashboards', 'POST /v1/explain', 403, 'denied'],
      ['info', expect.stringMatching(/^token:[0-9a-f]{8}$/), 'POST /v1/explain', 200, 'ok'],
      ['warn', 'anonymous', 'GET /v1/config', 401, 'denied'],
    ]);
    expect(audit[0]!.fields!.remote).toMatch(/127\.0\.0\.1/);
    const all = JSON.stringify(logger.lines);
    expect(all).not.toContain(VIEWER);
    expect(all).not.toContain(ADMIN);
  });

  it('with no tokens configured, every protected route is off (403)', async () => {
    const off = await startRouter({ config: testConfig(), grpcListen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logger: new RecordingLogger(), shutdownGraceMs: 100 });
    try {
      for (const row of protectedRows) expect((await send(off.adminUrl!, row, ADMIN)).status).toBe(403);
    } finally {
      await off.close();
    }
  });
});

describe('admin API over HTTPS with client certificates', () => {
  const dir = new CertDir();
  let ca: TestCa;
  let client: Pem;
  let router: RunningRouter;
  let port: number;

  const get = (path: string, id?: Pem) =>
    new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path, ca: ca.cert, servername: 'semroute-admin', ...(id ? { cert: id.cert, key: id.key } : {}), agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    ca = await createCa();
    const server = await ca.issue({ cn: 'semroute-admin', usage: 'server', dns: ['semroute-admin'] });
    client = await ca.issue({ cn: 'prometheus', usage: 'client' });
    const doc = baseConfigDoc() as any;
    doc.listeners = { admin: { tls: { cert_file: dir.write('a.crt', server.cert), key_file: dir.write('a.key', server.key), client_ca_file: dir.write('ca.crt', ca.cert) } } };
    router = await startRouter({ config: parseConfig(doc), grpcListen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logger: new RecordingLogger(), shutdownGraceMs: 100 });
    expect(router.adminUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    port = Number(router.adminUrl!.split(':').pop());
  });
  afterAll(async () => {
    await router.close();
    dir.remove();
  });

  it('serves a client with a certificate from the CA', async () => {
    expect(await get('/healthz', client)).toBe(200);
  });

  it('/readyz names the certificate in use and its expiry', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path: '/readyz', ca: ca.cert, servername: 'semroute-admin', cert: client.cert, key: client.key, agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    const tls = (JSON.parse(body) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks.find((c) => c.name === 'tls');
    expect(tls).toMatchObject({ ok: true, detail: expect.stringMatching(/^admin: CN=semroute-admin until \d{4}-\d\d-\d\dT/) });
  });

  it('exports the certificate expiry for alerts (semroute_tls_certificate_expiry_timestamp_seconds)', async () => {
    const notAfter = Math.floor(router.tls.admin!.current.notAfter.getTime() / 1000);
    expect(notAfter).toBeGreaterThan(Date.now() / 1000);
    const text = await router.metrics.render();
    expect(text).toContain(`semroute_tls_certificate_expiry_timestamp_seconds{listener="admin"} ${notAfter}`);
    expect(text).not.toContain('listener="grpc"'); // no TLS there
  });

  it('rotates its certificate without a restart: a new connection is shown the new one', async () => {
    const peerCn = () =>
      new Promise<string>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port, path: '/healthz', ca: ca.cert, servername: 'semroute-admin', cert: client.cert, key: client.key, agent: false }, (res) => {
          resolve(String((res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject.CN));
          res.resume();
        });
        req.on('error', reject);
        req.end();
      });
    expect(await peerCn()).toBe('semroute-admin');
    const next = await ca.issue({ cn: 'semroute-admin-2', usage: 'server', dns: ['semroute-admin'] });
    dir.write('a.key', next.key);
    dir.write('a.crt', next.cert);
    // A poll already reading when the files changed may report the old state: read until rotated.
    await until(async () => (await router.tls.admin!.check(), router.tls.admin!.current.subject === 'CN=semroute-admin-2'), 10_000, 'the new certificate in use');
    expect(await peerCn()).toBe('semroute-admin-2');
  });

  it('gives a client without a certificate no HTTP answer at all', async () => {
    await expect(get('/healthz')).rejects.toThrow(/certificate required|socket hang up|ECONNRESET|alert/i);
  });
});
