// Request ids through the local gateway (which, like Envoy, adds x-request-id when the client
// sends none): a usable id reaches the model unchanged, an unusable one is replaced by one semroute
// makes, and the id is never an identity: the same id from another credential does not read the
// first one's cached answer, and different ids from the same credential do.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startE2EStack, type E2EStack } from '../helpers/dev-stack.js';
import { until } from '../helpers/until.js';

let stack: E2EStack;
beforeAll(async () => {
  stack = await startE2EStack((d) => {
    d.cache = { enabled: true, similarity: 0.9 };
    d.signals.keyword.push({ name: 'faq', any: ['opening hours'] });
    d.decisions.unshift({ name: 'faq', priority: 200, rules: 'faq', models: [{ model: 'small' }], plugins: { cache: { enabled: true } } });
  });
}, 60_000);
afterAll(() => stack?.close());

async function ask(content: string, headers: Record<string, string>) {
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }] }),
  });
  await res.arrayBuffer();
  return { status: res.status, cache: res.headers.get('x-semroute-cache') };
}

const stored = async () => Number(/semroute_cache_stores_total\{result="stored"\} (\d+)/.exec(await stack.dev.router.metrics.render())?.[1] ?? 0);

describe('request ids', () => {
  it('passes a usable id through and replaces an unusable one', async () => {
    await ask('hello there', { 'x-request-id': 'req-42' });
    expect(stack.small.requests.at(-1)!.headers['x-request-id']).toBe('req-42');
    await ask('hello again', { 'x-request-id': 'x'.repeat(300) });
    expect(stack.small.requests.at(-1)!.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is never an identity: a cached answer does not follow the id to another credential', async () => {
    const q = 'What are your opening hours on Sunday?';
    expect((await ask(q, { authorization: 'Bearer alice', 'x-request-id': 'shared-id' })).cache).toBe('miss');
    await until(async () => (await stored()) >= 1, 20_000, 'the answer stored');
    // Another tenant (the Authorization hash, security.identity.trusted false) with the same id: a miss.
    expect((await ask(q, { authorization: 'Bearer mallory', 'x-request-id': 'shared-id' })).cache).toBe('miss');
    // The same tenant with another id: a hit (the id is no part of the key either).
    expect((await ask(q, { authorization: 'Bearer alice', 'x-request-id': 'other-id' })).cache).toBe('hit');
  });
});
