// Two router instances sharing one real redis-server act as one: a conversation pinned through
// one keeps its model through the other, and an answer cached through one is served by the other.
// Then Redis is taken away under continuous traffic: no request fails or hangs, affinity and the
// cache are skipped while it is gone and come back when it returns.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startE2EStack, type E2EStack } from '../../helpers/dev-stack.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

let redis: RedisServer;
let a: E2EStack;
let b: E2EStack;

const withRedis = (url: string) => (d: any) => {
  d.state = { backend: 'redis', redis: { url, op_timeout_ms: 50, breaker: { failures: 3, open_ms: 300 } } };
  d.cache = { enabled: true, similarity: 0.9 };
  d.signals.keyword.push({ name: 'faq', any: ['opening hours', 'refund'] });
  d.decisions.unshift({ name: 'faq', priority: 200, rules: 'faq', models: [{ model: 'small' }], plugins: { cache: { enabled: true } } });
};

beforeAll(async () => {
  redis = await startRedisServer();
  a = await startE2EStack(withRedis(redis.url));
  b = await startE2EStack(withRedis(redis.url));
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.close();
});

async function chat(stack: E2EStack, messages: Array<{ role: string; content: string }>, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const t0 = performance.now();
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'auto', messages, ...extra }),
  });
  return { res, text: await res.text(), ms: performance.now() - t0 };
}

async function metric(stack: E2EStack, pattern: RegExp): Promise<number> {
  const text = await stack.dev.router.metrics.render();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(pattern.source, 'g'))) sum += Number(m[1]);
  return sum;
}

async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('two routers, one Redis', () => {
  it('a conversation pinned through one router keeps its model through the other', async () => {
    const s = { 'x-session-id': 'shared-1' };
    const first = await chat(a, [{ role: 'user', content: 'my python function crashes' }], {}, s);
    expect(first.res.headers.get('x-semroute-model')).toBe('large');
    await eventually(async () => (await metric(a, /semroute_affinity_total\{result="pinned",reason="none"\} (\d+)/)) >= 1);
    // Written in the background: give the SET a moment to land.
    await new Promise((r) => setTimeout(r, 50));
    const second = await chat(b, [{ role: 'user', content: 'and what is the weather like?' }], {}, s);
    expect(second.res.headers.get('x-semroute-decision')).toBe('general');
    expect(second.res.headers.get('x-semroute-model')).toBe('large');
  });

  it('an answer cached through one router is served by the other without an upstream request', async () => {
    const first = await chat(a, [{ role: 'user', content: 'What are your opening hours on Sunday?' }]);
    expect(first.res.headers.get('x-semroute-cache')).toBe('miss');
    await eventually(async () => (await metric(a, /semroute_cache_stores_total\{result="stored"\} (\d+)/)) >= 1);
    const smallBefore = b.small.requests.length;
    const para = await chat(b, [{ role: 'user', content: 'what are your opening hours on sunday' }]);
    expect(para.res.headers.get('x-semroute-cache')).toBe('hit');
    expect(JSON.parse(para.text).choices[0].message.content).toBe(JSON.parse(first.text).choices[0].message.content);
    expect(b.small.requests.length).toBe(smallBefore);
  });
});

describe('Redis goes away under traffic', () => {
  it('no request fails or hangs; affinity and cache resume after Redis returns', async () => {
    let running = true;
    const results: Array<{ status: number; ms: number }> = [];
    const client = async (i: number) => {
      for (let n = 0; running; n++) {
        const r = await chat(a, [{ role: 'user', content: n % 2 ? `refund for order ${i}-${n % 5}` : `hello ${i} ${n}` }], {}, { 'x-session-id': `load-${i}` });
        results.push({ status: r.res.status, ms: r.ms });
      }
    };
    const clients = Array.from({ length: 4 }, (_, i) => client(i));
    await new Promise((r) => setTimeout(r, 300));
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1500));
    const duringOutage = results.length;
    await redis.start();
    // The breaker probes again after open_ms; wait until state is used again.
    await eventually(async () => (await metric(a, /semroute_state_available (\d+)/)) === 1 && a.dev.router.snapshot() !== undefined);
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await Promise.all(clients);

    expect(results.length).toBeGreaterThan(duringOutage);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    // Bounded by the op timeout, never by Redis' reconnect backoff.
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(1000);
    expect(await metric(a, /semroute_state_errors_total\{op="[a-z_]+",reason="[a-z_]+"\} (\d+)/)).toBeGreaterThan(0);
    expect(await metric(a, /semroute_affinity_total\{result="skipped",reason="none"\} (\d+)/)).toBeGreaterThan(0);

    // Both features work again: a new answer is stored and found, a new pin holds across routers.
    const q = [{ role: 'user', content: 'refund for a broken umbrella after the outage?' }];
    await chat(a, q);
    await eventually(async () => (await chat(b, q)).res.headers.get('x-semroute-cache') === 'hit');
    const s = { 'x-session-id': 'after-outage' };
    expect((await chat(a, [{ role: 'user', content: 'python question' }], {}, s)).res.headers.get('x-semroute-model')).toBe('large');
    await new Promise((r) => setTimeout(r, 50));
    expect((await chat(b, [{ role: 'user', content: 'hi' }], {}, s)).res.headers.get('x-semroute-model')).toBe('large');
  }, 30_000);
});
