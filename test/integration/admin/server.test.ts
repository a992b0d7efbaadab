import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { startAdminServer, type AdminRequest, type AdminServer } from '../../../src/admin/server.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { createMetrics, type RouterMetrics } from '../../../src/telemetry/metrics.js';
import { parseExposition, value } from '../../unit/telemetry/prom.js';
import { buildInfo } from '../../../src/telemetry/build-info.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP exchange on a fresh connection (no pooling), optionally streaming the body in chunks. */
function call(
  base: string,
  method: string,
  path: string,
  opts: { body?: Buffer | Buffer[]; headers?: Record<string, string>; agent?: Agent } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      { method, headers: opts.headers, agent: opts.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (Array.isArray(opts.body)) {
      for (const c of opts.body) req.write(c);
      req.end();
    } else {
      req.end(opts.body);
    }
  });
}

const notFound = { error: { message: 'not found', type: 'invalid_request_error', code: 'not_found' } };

describe('admin server over HTTP', () => {
  let metrics: RouterMetrics;
  let server: AdminServer;
  let base: string;
  let redisOk = false;
  const logLines: string[] = [];
  const seen: AdminRequest[] = [];

  beforeAll(async () => {
    metrics = createMetrics();
    server = await startAdminServer({
      host: '127.0.0.1',
      port: 0,
      metrics,
      logger: createLogger({ level: 'debug', stream: { write: (s: string) => logLines.push(s) } }),
      readiness: [
        { name: 'config', check: () => ({ ok: true, detail: '3 models' }) },
        { name: 'redis', check: () => (redisOk ? { ok: true } : { ok: false, detail: 'connection refused' }) },
      ],
      routes: [
        {
          method: 'POST',
          path: '/echo',
          handle: (req) => {
            seen.push(req);
            return Promise.resolve({
              status: 201,
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ bytes: req.body.length, q: req.query.get('q') }),
            });
          },
        },
        {
          method: 'GET',
          path: '/plain',
          handle: () => Promise.resolve({ status: 200, body: 'plain text' }),
        },
        {
          method: 'GET',
          path: '/boom',
          handle: () => Promise.reject(new Error('secret internal detail')),
        },
      ],
    });
    base = server.url;
  });

  afterAll(async () => {
    await server.close();
    await metrics.shutdown();
  });

  afterEach(() => {
    seen.length = 0;
  });

  it('binds an ephemeral port and reports its URL', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('GET /healthz is 200 {"status":"ok"} regardless of readiness', async () => {
    redisOk = false;
    const r = await call(base, 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(r.body)).toEqual({ status: 'ok' });
  });

  it('HEAD /healthz answers headers only', async () => {
    const r = await call(base, 'HEAD', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
  });

  it('GET /readyz flips from 503 to 200 when the failing check becomes ok', async () => {
    redisOk = false;
    const before = await call(base, 'GET', '/readyz');
    expect(before.status).toBe(503);
    expect(JSON.parse(before.body)).toEqual({
      status: 'not_ready',
      version: buildInfo(),
      checks: [
        { name: 'config', ok: true, detail: '3 models' },
        { name: 'redis', ok: false, detail: 'connection refused' },
      ],
    });

    redisOk = true;
    const after = await call(base, 'GET', '/readyz?verbose');
    expect(after.status).toBe(200);
    expect(JSON.parse(after.body)).toEqual({
      status: 'ready',
      version: buildInfo(),
      checks: [
        { name: 'config', ok: true, detail: '3 models' },
        { name: 'redis', ok: true },
      ],
    });
  });

  it('GET /metrics serves the Prometheus exposition', async () => {
    metrics.recordRequest({ decision: 'code', model: 'qwen-coder', outcome: 'routed' });
    metrics.recordError({ code: 'model_not_found', status: 404 });
    const r = await call(base, 'GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const exp = parseExposition(r.body);
    expect(value(exp, 'semroute_requests_total', { decision: 'code', model: 'qwen-coder', outcome: 'routed' })).toBe(1);
    expect(value(exp, 'semroute_errors_total', { code: 'model_not_found', status: '404' })).toBe(1);
    expect(value(exp, 'semroute_extproc_streams_active')).toBe(0);
  });

  it.each<[string, string, number, unknown, string | undefined]>([
    ['GET', '/nope', 404, notFound, undefined],
    ['GET', '/healthz/', 404, notFound, undefined],
    ['POST', '/healthz', 405, { error: { message: 'method not allowed', type: 'invalid_request_error', code: 'method_not_allowed' } }, 'GET, HEAD'],
    ['DELETE', '/metrics', 405, { error: { message: 'method not allowed', type: 'invalid_request_error', code: 'method_not_allowed' } }, 'GET, HEAD'],
    ['GET', '/echo', 405, { error: { message: 'method not allowed', type: 'invalid_request_error', code: 'method_not_allowed' } }, 'POST'],
  ])('%s %s → %d', async (method, path, status, body, allow) => {
    const r = await call(base, method, path);
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(r.body)).toEqual(body);
    expect(r.headers.allow).toBe(allow);
  });

  it('passes body, headers and query to a registered route', async () => {
    const r = await call(base, 'POST', '/echo?q=hello', {
      body: Buffer.from('{"x":1}'),
      headers: { 'content-type': 'application/json', 'x-test': 'yes' },
    });
    expect(r.status).toBe(201);
    expect(JSON.parse(r.body)).toEqual({ bytes: 7, q: 'hello' });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.body.toString()).toBe('{"x":1}');
    expect(seen[0]!.headers['x-test']).toBe('yes');
    expect(seen[0]!.method).toBe('POST');
  });

  it('defaults the content type of a string body to text/plain', async () => {
    const r = await call(base, 'GET', '/plain');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.body).toBe('plain text');
  });

  const tooLarge = {
    error: { message: 'request body exceeds 1048576 bytes', type: 'invalid_request_error', code: 'request_too_large' },
  };
  it.each<[string, () => Buffer | Buffer[]]>([
    ['with content-length', () => Buffer.alloc(1024 * 1024 + 1, 0x61)],
    ['chunked', () => Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 0x61))],
  ])('rejects a body over 1 MiB (%s) with 413 and never calls the route', async (_how, body) => {
    const r = await call(base, 'POST', '/echo', { body: body() });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toEqual(tooLarge);
    expect(seen).toHaveLength(0);
  });

  it('accepts a body of exactly 1 MiB', async () => {
    const r = await call(base, 'POST', '/echo', { body: Buffer.alloc(1024 * 1024, 0x61) });
    expect(r.status).toBe(201);
    expect(JSON.parse(r.body)).toEqual({ bytes: 1024 * 1024, q: null });
  });

  it('turns a throwing route into a 500 without the error or a stack, and logs it', async () => {
    logLines.length = 0;
    const r = await call(base, 'GET', '/boom');
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body)).toEqual({
      error: { message: 'internal error', type: 'server_error', code: 'internal_error' },
    });
    expect(r.body).not.toMatch(/secret internal detail|\bat\b|\.ts:\d+/);
    const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 'error');
    expect(logged).toMatchObject({ msg: 'admin handler failed', component: 'admin', path: '/boom' });
    expect(JSON.stringify(logged)).toContain('secret internal detail');
  });

  it('serves several requests on one keep-alive connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const a = await call(base, 'GET', '/healthz', { agent });
      const b = await call(base, 'GET', '/metrics', { agent });
      expect([a.status, b.status]).toEqual([200, 200]);
    } finally {
      agent.destroy();
    }
  });
});

describe('admin server lifecycle', () => {
  const metrics = createMetrics({ processMetrics: false });
  afterAll(() => metrics.shutdown());

  it('close() resolves promptly while a keep-alive connection sits idle', async () => {
    // Neither the keep-alive timeout nor the grace period can end the idle connection within the
    // test's timeout: close() resolves only because it closes idle connections at once.
    const server = await startAdminServer({ host: '127.0.0.1', port: 0, metrics, readiness: [], keepAliveTimeoutMs: 600_000, closeGraceMs: 600_000 });
    const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
    try {
      const r = await call(server.url, 'GET', '/readyz', { agent });
      expect(r.status).toBe(200); // no checks: ready
      expect(JSON.parse(r.body)).toEqual({ status: 'ready', version: buildInfo(), checks: [] });
      await server.close();
      await server.close(); // idempotent
    } finally {
      agent.destroy();
    }
  });

  it('close() cuts a request that never finishes after the grace period', async () => {
    let arrived!: () => void;
    const handling = new Promise<void>((r) => (arrived = r));
    const server = await startAdminServer({
      host: '127.0.0.1',
      port: 0,
      metrics,
      readiness: [],
      closeGraceMs: 200,
      routes: [{ method: 'GET', path: '/hang', handle: () => (arrived(), new Promise(() => {})) }],
    });
    const pending = call(server.url, 'GET', '/hang').catch((e: Error) => e);
    await handling;
    // The handler never answers and no other timeout applies to a received request: close()
    // resolving at all shows the grace period cut it.
    await server.close();
    // Node's core errors come from another realm than jest's Error: check the shape, not the class.
    expect(await pending).toMatchObject({ code: 'ECONNRESET' });
  });

  it('times out a client that never finishes its headers', async () => {
    const server = await startAdminServer({
      host: '127.0.0.1',
      port: 0,
      metrics,
      readiness: [],
      headersTimeoutMs: 300,
      requestTimeoutMs: 500,
    });
    try {
      // Only the headers timeout can end this connection (the client never does): it closing with
      // a 408 is the timeout at work.
      const received = await new Promise<string>((resolve, reject) => {
        const sock = connect(server.port, '127.0.0.1', () => sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'));
        let data = '';
        sock.on('data', (d: Buffer) => (data += d.toString()));
        sock.on('close', () => resolve(data));
        sock.on('error', reject);
      });
      expect(received).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await server.close();
    }
  });

  it('rejects when the port is taken', async () => {
    const first = await startAdminServer({ host: '127.0.0.1', port: 0, metrics, readiness: [] });
    try {
      await expect(startAdminServer({ host: '127.0.0.1', port: first.port, metrics, readiness: [] })).rejects.toThrow(
        /EADDRINUSE/,
      );
    } finally {
      await first.close();
    }
  });

  it('asks authorize for non-public routes only', async () => {
    const calls: string[] = [];
    const server = await startAdminServer({
      host: '127.0.0.1',
      port: 0,
      metrics,
      readiness: [],
      routes: [{ method: 'GET', path: '/private', handle: () => Promise.resolve({ status: 200, body: 'secret' }) }],
      authorize: (req) => {
        calls.push(req.path);
        if (req.headers.authorization === 'Bearer good') return { ok: true };
        if (req.headers.authorization === undefined) return { ok: false, status: 401 };
        return { ok: false, status: 403, message: 'viewer role cannot do that' };
      },
    });
    try {
      expect((await call(server.url, 'GET', '/healthz')).status).toBe(200);
      expect((await call(server.url, 'GET', '/readyz')).status).toBe(200);
      expect((await call(server.url, 'GET', '/metrics')).status).toBe(200);
      const anon = await call(server.url, 'GET', '/private');
      expect(anon.status).toBe(401);
      expect(anon.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.parse(anon.body)).toEqual({
        error: { message: 'unauthorized', type: 'authentication_error', code: 'unauthorized' },
      });
      const wrong = await call(server.url, 'GET', '/private', { headers: { authorization: 'Bearer bad' } });
      expect(wrong.status).toBe(403);
      expect(JSON.parse(wrong.body)).toEqual({
        error: { message: 'viewer role cannot do that', type: 'permission_error', code: 'forbidden' },
      });
      const good = await call(server.url, 'GET', '/private', { headers: { authorization: 'Bearer good' } });
      expect(good.status).toBe(200);
      expect(calls).toEqual(['/private', '/private', '/private']);
    } finally {
      await server.close();
    }
  });
});
