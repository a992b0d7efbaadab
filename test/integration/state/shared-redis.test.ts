// Two router instances sharing one real redis-server act as one: a conversation pinned through
// one keeps its model through the other, and an answer cached through one is served by the other.
// Then Redis is taken away under continuous traffic: no request fails or hangs, affinity and the
// cache are skipped while it is gone and come back when it returns.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startE2EStack, type E2EStack } from '../../helpers/dev-stack.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { until } from '../../helpers/until.js';

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
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'auto', messages, ...extra }),
  });
  return { res, text: await res.text() };
}

async function metric(stack: E2EStack, pattern: RegExp): Promise<number> {
  const text = await stack.dev.router.metrics.render();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(pattern.source, 'g'))) sum += Number(m[1]);
  return sum;
}

const eventually = (check: () => Promise<boolean>) => until(check, 20_000);

/** Pins are written in the background: waits until Redis holds one for `decision`. */
async function pinLanded(decision: string): Promise<void> {
  const admin = new Redis(redis.url);
  try {
    await until(
      async () => {
        for (const key of await admin.keys('semroute:p:*')) {
          const json = await admin.get(key);
          if (json && (JSON.parse(json) as { decision?: string }).decision === decision) return true;
        }
        return false;
      },
      20_000,
      `a pin for decision ${decision} in Redis`,
    );
  } finally {
    admin.disconnect();
  }
}

describe('two routers, one Redis', () => {
  it('a conversation pinned through one router keeps its model through the other', async () => {
    const s = { 'x-session-id': 'shared-1' };
    const first = await chat(a, [{ role: 'user', content: 'my python function crashes' }], {}, s);
    expect(first.res.headers.get('x-semroute-model')).toBe('large');
    await eventually(async () => (await metric(a, /semroute_affinity_total\{result="pinned",reason="none"\} (\d+)/)) >= 1);
    // Written in the background: wait for it in Redis (the only pin so far).
    await pinLanded('coding');
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
    const results: number[] = [];
    const client = async (i: number) => {
      for (let n = 0; running; n++) {
        const r = await chat(a, [{ role: 'user', content: n % 2 ? `refund for order ${i}-${n % 5}` : `hello ${i} ${n}` }], {}, { 'x-session-id': `load-${i}` });
        results.push(r.res.status);
      }
    };
    const clients = Array.from({ length: 4 }, (_, i) => client(i));
    /** Waits until `n` more requests have been answered. */
    const answered = async (n: number) => {
      const from = results.length;
      await until(() => results.length >= from + n, 20_000, `${n} more answers`);
    };
    // The router logs each breaker change: open when Redis fails, closed once a probe succeeds.
    const logged = (msg: string) => a.logger.lines.filter((l) => l.msg.startsWith(msg)).length;
    const breakerChange = async (msg: string, fault: () => unknown) => {
      const before = logged(msg);
      await fault();
      await until(() => logged(msg) > before, 20_000, msg);
    };
    await answered(8);

    // Frozen (SIGSTOP): its connections stay open and nothing answers. Only the op timeout and the
    // breaker keep requests going; one that waited on Redis would wait for ever and stop its client.
    await breakerChange('state backend unavailable', () => redis.pause());
    await answered(8);
    await breakerChange('state backend recovered', () => redis.resume());

    // Gone (stopped), then back empty on the same port.
    await breakerChange('state backend unavailable', () => redis.stop());
    await answered(8);
    await breakerChange('state backend recovered', () => redis.start());
    await answered(8);
    running = false;
    await Promise.all(clients);

    expect(results.filter((status) => status !== 200)).toEqual([]);
    expect(await metric(a, /semroute_state_errors_total\{op="[a-z_]+",reason="[a-z_]+"\} (\d+)/)).toBeGreaterThan(0);
    expect(await metric(a, /semroute_affinity_total\{result="skipped",reason="none"\} (\d+)/)).toBeGreaterThan(0);

    // Both features work again: a new answer is stored and found, a new pin holds across routers.
    const q = [{ role: 'user', content: 'refund for a broken umbrella after the outage?' }];
    await chat(a, q);
    await eventually(async () => (await chat(b, q)).res.headers.get('x-semroute-cache') === 'hit');
    const s = { 'x-session-id': 'after-outage' };
    expect((await chat(a, [{ role: 'user', content: 'python question' }], {}, s)).res.headers.get('x-semroute-model')).toBe('large');
    // Written in the background: wait for it in Redis (since the restart, the load only pinned
    // faq and general).
    await pinLanded('coding');
    expect((await chat(b, [{ role: 'user', content: 'hi' }], {}, s)).res.headers.get('x-semroute-model')).toBe('large');
  }, 30_000);
});
