// The semantic cache and session affinity through the local gateway, on the in-process state
// backend: a repeated or paraphrased question is answered from the cache (JSON and SSE) without an
// upstream request; a conversation keeps its first turn's model.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startE2EStack, type E2EStack } from '../helpers/dev-stack.js';
import { until } from '../helpers/until.js';

let stack: E2EStack;
beforeAll(async () => {
  stack = await startE2EStack((d) => {
    d.cache = { enabled: true, similarity: 0.9 };
    d.security = { debug_headers: true };
    d.signals.keyword.push({ name: 'faq', any: ['opening hours', 'refund'] });
    d.decisions.unshift({ name: 'faq', priority: 200, rules: 'faq', models: [{ model: 'small' }], plugins: { cache: { enabled: true } } });
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => {
  stack.small.requests.length = 0;
  stack.large.requests.length = 0;
});

async function chat(messages: Array<{ role: string; content: string }>, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'auto', messages, ...extra }),
  });
  return { res, text: await res.text() };
}
const ask = (content: string, extra?: Record<string, unknown>, headers?: Record<string, string>) => chat([{ role: 'user', content }], extra, headers);

/** Stores settle in the background: wait until the cache metrics count them. */
async function storedCount(): Promise<number> {
  const text = await stack.dev.router.metrics.render();
  return Number(/semroute_cache_stores_total\{result="stored"\} (\d+)/.exec(text)?.[1] ?? 0);
}
async function waitStored(n: number): Promise<void> {
  await until(async () => (await storedCount()) >= n, 20_000).catch(() => undefined);
  expect(await storedCount()).toBeGreaterThanOrEqual(n);
}

describe('semantic cache', () => {
  it('a repeat is answered from the cache (JSON), with the same content and no upstream request', async () => {
    const first = await ask('What are your opening hours on Sunday?');
    expect(first.res.headers.get('x-semroute-cache')).toBe('miss');
    await waitStored(1);
    const again = await ask('What are your opening hours on Sunday?', {}, { 'x-semroute-debug': 'true' });
    expect(again.res.status).toBe(200);
    expect(again.res.headers.get('x-semroute-cache-detail')).toBe('exact');
    expect(again.res.headers.get('x-semroute-cache')).toBe('hit');
    expect(again.res.headers.get('x-semroute-decision')).toBe('faq');
    expect(JSON.parse(again.text).choices[0].message.content).toBe(JSON.parse(first.text).choices[0].message.content);
    expect(stack.small.requests).toHaveLength(1);
  });

  it('a paraphrase hits semantically; an unrelated question in the same decision does not', async () => {
    await ask('How do I get a refund for my order?');
    await waitStored(2);
    const para = await ask('how do i get a refund for my order', {}, { 'x-semroute-debug': 'true' });
    expect(para.res.headers.get('x-semroute-cache')).toBe('hit');
    // The debug headers say how: semantically, past the cache guard, at this similarity.
    expect(para.res.headers.get('x-semroute-cache-detail')).toMatch(/^semantic:(0|1)\.\d{3}$/);
    const other = await ask('Is a refund possible for gift cards bought abroad last year?');
    expect(other.res.headers.get('x-semroute-cache')).toBe('miss');
  });

  it('a streaming request gets a valid SSE replay', async () => {
    await ask('opening hours for the Paris shop?', { stream: true, stream_options: { include_usage: true } });
    await waitStored(4);
    const { res, text } = await ask('opening hours for the Paris shop?', { stream: true, stream_options: { include_usage: true } });
    expect(res.headers.get('x-semroute-cache')).toBe('hit');
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)));
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toContain('org/small-8b');
    expect(chunks.some((c) => c.usage)).toBe(true);
  });

  it('no-cache skips the lookup but stores; bypass skips both; other decisions are not cached', async () => {
    const before = await storedCount();
    const nc = await ask('What are your opening hours on Sunday?', {}, { 'cache-control': 'no-cache' });
    expect(nc.res.headers.get('x-semroute-cache')).toBe('bypass');
    await waitStored(before + 1);
    const by = await ask('What are your opening hours on Sunday?', {}, { 'x-semroute-cache': 'bypass' });
    expect(by.res.headers.get('x-semroute-cache')).toBe('bypass');
    const general = await ask('Tell me a story');
    expect(general.res.headers.get('x-semroute-cache')).toBeNull();
    expect(stack.small.requests).toHaveLength(3);
    // Stores land in the background, each started when its answer ended. Once the entry of a
    // later answer can be hit, a store the bypass or general answer had started has landed too
    // (the in-process backend stores at once): the count shows whether either stored.
    const later = 'Can I get a refund when the parcel arrives damaged?';
    expect((await ask(later)).res.headers.get('x-semroute-cache')).toBe('miss');
    // no-store: the lookups that wait for it store nothing themselves.
    const hit = async () => (await ask(later, {}, { 'cache-control': 'no-store' })).res.headers.get('x-semroute-cache') === 'hit';
    await until(hit, 20_000, 'the later answer stored');
    expect(await storedCount()).toBe(before + 2);
  });

  it('tenants never share answers', async () => {
    const before = await storedCount();
    await ask('refund policy for shoes?', {}, { authorization: 'Bearer tenant-a' });
    await waitStored(before + 1);
    const b = await ask('refund policy for shoes?', {}, { authorization: 'Bearer tenant-b' });
    expect(b.res.headers.get('x-semroute-cache')).toBe('miss');
    const a = await ask('refund policy for shoes?', {}, { authorization: 'Bearer tenant-a' });
    expect(a.res.headers.get('x-semroute-cache')).toBe('hit');
  });
});

describe('session affinity', () => {
  it('a conversation stays on its first turn\'s model (user + conversation fingerprint)', async () => {
    const turn1 = [{ role: 'user', content: 'Why does my python function crash?' }];
    const r1 = await chat(turn1, { user: 'u-42' });
    expect(r1.res.headers.get('x-semroute-model')).toBe('large');
    const turn2 = [...turn1, { role: 'assistant', content: JSON.parse(r1.text).choices[0].message.content }, { role: 'user', content: 'Thanks, and what about the weather?' }];
    const r2 = await chat(turn2, { user: 'u-42' }, { 'x-semroute-debug': 'true' });
    // Alone this turn would go to the small model (no keyword); the pin keeps it on large.
    expect(r2.res.headers.get('x-semroute-decision')).toBe('general');
    expect(r2.res.headers.get('x-semroute-model')).toBe('large');
    expect(r2.res.headers.get('x-semroute-why')).toContain('session affinity: pinned to large by decision coding');
    // Another user with the same words is not pinned.
    const other = await chat(turn2, { user: 'u-43' });
    expect(other.res.headers.get('x-semroute-model')).toBe('small');
  });

  it('x-session-id pins across turns whatever the messages', async () => {
    const s = { 'x-session-id': 'sess-1' };
    expect((await chat([{ role: 'user', content: 'hello' }], {}, s)).res.headers.get('x-semroute-model')).toBe('small');
    expect((await chat([{ role: 'user', content: 'now some python please' }], {}, s)).res.headers.get('x-semroute-model')).toBe('small');
    expect((await chat([{ role: 'user', content: 'now some python please' }])).res.headers.get('x-semroute-model')).toBe('large');
  });
});
