// Logs through the local gateway with the real JSON logger at debug: one line per request with
// its ids, decision, model, cache, latency and status; request and trace ids on every line written
// about a request; and secrets (API keys, cookies, a Redis password, prompts, PII, a tenant name,
// a query string) fed through every path never appear in any line.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { startE2EStack, type E2EStack } from '../../helpers/dev-stack.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../helpers/otlp-receiver.js';
import { until } from '../../helpers/until.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { createLogger } from '../../../src/telemetry/logger.js';

const SECRETS = {
  bearer: 'sk-live-BEARERSECRET0123456789',
  apiKey: 'sk-ant-APIKEYSECRET0123456789',
  cookie: 'session=COOKIESECRET0123',
  redisPassword: 'REDISPASSWORDSECRET',
  prompt: 'PROMPTSECRET-the-launch-codes',
  email: 'jane.secret@example.org',
  ssn: '078-05-1120',
  card: '4111 1111 1111 1111',
  tenant: 'TENANTSECRET-acme',
  query: 'QUERYSECRET42',
  session: 'SESSIONSECRET-77',
};

let stack: E2EStack;
let otlp: OtlpReceiver;
let redis: RedisServer;
const lines: string[] = [];
const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  redis = await startRedisServer();
  const logger = createLogger({ level: 'debug', stream: { write: (s: string) => lines.push(...s.split('\n').filter((l) => l !== '')) } });
  stack = await startE2EStack(
    (d) => {
      d.telemetry = { logging: { level: 'debug', requests: 'info' }, tracing: { otlp_endpoint: otlp.url, sample_ratio: 1, headers: { authorization: `Bearer ${SECRETS.bearer}` } } };
      d.security = { identity: { trusted: true } };
      // A real Redis behind a password, stopped below: affinity's state operations fail and are logged (rate-limited).
      d.state = { backend: 'redis', redis: { url: `redis://:${SECRETS.redisPassword}@127.0.0.1:${redis.port}/0` } };
      d.affinity = { enabled: true };
      d.signals.keyword.push({ name: 'forbidden', any: ['forbidden topic'] });
      d.decisions.unshift({ name: 'refuse', priority: 500, rules: 'forbidden', plugins: { block: { status: 403 } } });
    },
    undefined,
    { large: ['chat', 'completions', 'messages'] },
    { logger },
  );
  // Redis goes away before any request. (Closing the router then, ioredis keeps a 2 s timer while it drops the connection it is still trying to make.)
  await redis.stop();
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await otlp?.close();
  await redis?.close();
});

const headers = {
  'content-type': 'application/json',
  authorization: `Bearer ${SECRETS.bearer}`,
  'x-api-key': SECRETS.apiKey,
  cookie: SECRETS.cookie,
  'x-tenant-id': SECRETS.tenant,
  'x-session-id': SECRETS.session,
};
const content = `My email is ${SECRETS.email}, SSN ${SECRETS.ssn}, card ${SECRETS.card}. ${SECRETS.prompt}`;
const post = (path: string, body: unknown, extra: Record<string, string> = {}) =>
  fetch(`${stack.url}${path}`, { method: 'POST', headers: { ...headers, ...extra }, body: typeof body === 'string' ? body : JSON.stringify(body) }).then(async (r) => ({ status: r.status, text: await r.text() }));

/** Every path a request can take, each with secrets in it; the expected status of each. */
const CASES: Array<[string, () => Promise<{ status: number; text: string }>, number]> = [
  ['routed JSON', () => post(`/v1/chat/completions?api_key=${SECRETS.query}`, { model: 'auto', messages: [{ role: 'user', content: `python function ${content}` }] }), 200],
  ['routed SSE', () => post('/v1/chat/completions', { model: 'auto', stream: true, messages: [{ role: 'user', content }] }), 200],
  ['blocked', () => post('/v1/chat/completions', { model: 'auto', messages: [{ role: 'user', content: `forbidden topic ${content}` }] }), 403],
  ['invalid JSON', () => post('/v1/chat/completions', `{"model":"auto","messages":[{"role":"user","content":"${SECRETS.prompt}"`), 400],
  ['schema violation', () => post('/v1/chat/completions', { model: 'auto', messages: [{ role: 'wizard', content: SECRETS.prompt }] }), 400],
  ['unknown model', () => post('/v1/chat/completions', { model: SECRETS.prompt, messages: [{ role: 'user', content }] }), 404],
  ['anthropic native', () => post('/v1/messages', { model: 'large', max_tokens: 32, messages: [{ role: 'user', content }] }, { 'anthropic-version': '2023-06-01' }), 200],
  ['anthropic translated', () => post('/v1/messages', { model: 'small', max_tokens: 32, system: SECRETS.prompt, messages: [{ role: 'user', content }] }, { 'anthropic-version': '2023-06-01' }), 200],
  ['completions', () => post('/v1/completions', { model: 'auto', prompt: content }), 200],
];

describe('logs', () => {
  const results: Array<{ name: string; status: number }> = [];
  beforeAll(async () => {
    for (const [name, run, expected] of CASES) {
      const r = await run();
      expect([name, r.status]).toEqual([name, expected]);
      results.push({ name, status: r.status });
    }
    // Request lines are written when each ext_proc stream ends, just after the client's answer.
    await until(() => records().filter((r) => r.msg === 'request').length >= CASES.length, 20_000, 'request lines');
  });

  it('never carry a secret, a prompt, PII or an identity', () => {
    const all = lines.join('\n');
    for (const [what, secret] of Object.entries(SECRETS)) {
      expect([what, all.includes(secret)]).toEqual([what, false]);
    }
    // Fragments too: a redacted value must not leave half of itself behind.
    expect(all).not.toContain('BEARERSECRET');
    expect(all).not.toContain('launch-codes');
    expect(all).not.toContain('jane.secret');
  });

  it('write one line per request with its ids, decision, model, cache, latency and status', () => {
    const requests = records().filter((r) => r.msg === 'request');
    expect(requests).toHaveLength(CASES.length);
    for (const r of requests) {
      expect(r.level).toBe('info');
      expect(r.request_id).toEqual(expect.any(String));
      expect(r.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(r.latency_ms).toEqual(expect.any(Number));
      expect(r.status).toEqual(expect.any(Number));
    }
    const routed = requests.find((r) => r.path === '/v1/chat/completions' && r.decision === 'coding')!;
    expect(routed).toMatchObject({ outcome: 'routed', model: 'large', status: 200, method: 'POST', protocol: 'openai.chat' });
    expect(routed.routing_ms).toEqual(expect.any(Number));
    expect(requests.find((r) => r.outcome === 'blocked')).toMatchObject({ decision: 'refuse', status: 403 });
    expect(requests.filter((r) => r.status === 400).map((r) => r.error).sort()).toEqual(['invalid_json', 'invalid_request']);
    expect(requests.find((r) => r.status === 404)).toMatchObject({ error: 'model_not_found' });
  });

  it('the request id is Envoy\'s x-request-id when it sends one', async () => {
    const id = `req-${randomBytes(6).toString('hex')}`;
    const r = await post('/v1/chat/completions', { model: 'auto', messages: [{ role: 'user', content: 'hi' }] }, { 'x-request-id': id });
    expect(r.status).toBe(200);
    await until(() => records().some((l) => l.request_id === id && l.msg === 'request'), 20_000, 'the request line');
  });

  it('put the request and trace ids on every line written about a request', () => {
    // The state backend is down: its fault lines (rate-limited) are written during requests.
    const stateLines = records().filter((r) => typeof r.msg === 'string' && r.msg.startsWith('state operation skipped'));
    expect(stateLines.length).toBeGreaterThan(0);
    for (const r of stateLines) {
      expect(r.request_id).toEqual(expect.any(String));
      expect(r.trace_id).toMatch(/^[0-9a-f]{32}$/);
    }
    // Every line with a request id has its trace id (tracing is on here), and it is that request's trace.
    const traceOf = new Map(records().filter((r) => r.msg === 'request').map((r) => [r.request_id, r.trace_id]));
    for (const r of records().filter((x) => x.request_id !== undefined)) {
      expect(r.trace_id).toBe(traceOf.get(r.request_id));
    }
  });
});
