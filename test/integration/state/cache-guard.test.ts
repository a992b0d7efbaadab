// The cache guard on the request path, on a real redis-server (and on the memory backend, the same
// cases): a near miss from each category is never served from the cache although its embedding is
// above the similarity (a bag-of-words embedder puts most of them at cosine 1), a paraphrase is
// served, the next candidate is tried when the best is rejected, and a prompt that fills the
// embedding window never hits semantically and is stored without a vector.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { redisSchema } from '../../../src/config/schema/state.js';
import { onRequestBody } from '../../../src/pipeline/request-body.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import type { StateContext } from '../../../src/pipeline/state-context.js';
import { MemoryStateStore } from '../../../src/state/memory.js';
import { RedisStateStore } from '../../../src/state/redis.js';
import type { StateStore } from '../../../src/state/types.js';
import { bagEmbed, bagEmbedder, cosine } from '../../helpers/bag-embedder.js';
import { testConfig } from '../../helpers/config.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

const SIMILARITY = 0.7;
const WINDOW = 64;

const snap = new RoutingSnapshot(
  testConfig((d: any) => {
    d.cache = { enabled: true };
    d.security = { debug_headers: true };
    d.decisions = [{ name: 'general', priority: 0, rules: { all: [] }, models: [{ model: 'small' }], plugins: { cache: { enabled: true, similarity: SIMILARITY } } }];
  }),
  { cacheEmbedder: bagEmbedder(WINDOW) },
);

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
}, 20_000);
afterAll(async () => {
  await redis?.close();
});

const backends: Array<[string, () => StateStore]> = [
  ['redis', () => new RedisStateStore(redisSchema.parse({ url: redis.url, op_timeout_ms: 1000 }))],
  ['memory', () => new MemoryStateStore({ maxEntries: 1000 })],
];

describe.each(backends)('the cache guard on the %s backend', (_, open) => {
  let ctx: StateContext & { metrics: RecordingMetrics };
  let tenants = 0;
  let tenant = '';
  beforeAll(() => {
    ctx = { store: open(), metrics: new RecordingMetrics(), log: new RecordingLogger() };
  });
  afterAll(async () => {
    await ctx.store.close();
  });

  const headers = () => new Map([['x-semroute-debug', 'true'], ['authorization', `Bearer ${tenant}`]]);
  const body = (content: string) => Buffer.from(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }] }));

  /** Asks once; a miss is answered by the "upstream" with `answer` and stored, as the response path does. */
  async function ask(content: string, answer = `answer to: ${content}`) {
    const out = await onRequestBody(snap, 'openai.chat', body(content), headers(), ctx);
    if (out.kind === 'reply') {
      const h = new Map(out.headers);
      return { cache: h.get('x-semroute-cache'), detail: h.get('x-semroute-cache-detail'), content: JSON.parse(out.body.toString()).choices[0].message.content as string };
    }
    if (out.kind !== 'forward') throw new Error('unexpected outcome');
    const h = new Map(out.responseHeaders);
    const pending = out.cacheWrite;
    // The store the response path would make, awaited here instead of in the background.
    if (pending) await ctx.store.store({ ...pending.write, answer: { content: answer, finishReason: 'stop', model: 'org/small-8b', storedAtMs: 1 } });
    return { cache: h.get('x-semroute-cache'), detail: h.get('x-semroute-cache-detail'), content: undefined, stored: pending?.write };
  }

  beforeEach(() => {
    // Each case in its own tenant, so entries of one never meet another.
    tenant = `tenant-${++tenants}`;
  });

  it.each([
    ['numbers', 'Convert 10 km to miles', 'Convert 10 miles to km'],
    ['numbers', 'Give me 3 tips for sleeping better', 'Give me 10 tips for sleeping better'],
    ['numbers', 'What is 5% of 200?', 'What is 7% of 200?'],
    ['order', 'What is 10 divided by 2?', 'What is 2 divided by 10?'],
    ['negation', 'Is chocolate safe for dogs?', 'Is chocolate not safe for dogs?'],
    ['direction', 'How do I transfer $100 to my savings account?', 'How do I transfer $100 from my savings account?'],
    ['quotes', 'Translate "good morning" to German', 'Translate "good night" to German'],
    ['identifiers', 'What does `os.path.join` do in Python?', 'What does `os.path.split` do in Python?'],
    ['entities', 'What is the population of Lyon?', 'What is the population of Marseille?'],
    ['language', 'What is the capital of France?', 'Quelle est la capitale de la France ?'],
  ])('never serves a near miss (%s): %s / %s', async (rule, stored, asked) => {
    expect((await ask(stored)).cache).toBe('miss');
    // The embedding alone would serve it: the candidate is above the similarity.
    expect(cosine(bagEmbed(stored), bagEmbed(asked))).toBeGreaterThanOrEqual(SIMILARITY);
    const before = ctx.metrics.state.filter((s) => s === `guard:${rule}`).length;
    const near = await ask(asked);
    expect(near).toMatchObject({ cache: 'miss', detail: `guard:${rule}` });
    expect(ctx.metrics.state.filter((s) => s === `guard:${rule}`).length).toBe(before + 1);
    // Its own answer is stored: the next time it is an exact hit with the right answer.
    expect(await ask(asked)).toMatchObject({ cache: 'hit', detail: 'exact', content: `answer to: ${asked}` });
  });

  it('serves a paraphrase above the similarity', async () => {
    await ask('What are your opening hours on Sunday?');
    const para = await ask('what are your opening hours on sunday');
    expect(para).toMatchObject({ cache: 'hit', content: 'answer to: What are your opening hours on Sunday?' });
    expect(para.detail).toMatch(/^semantic:(0|1)\.\d{3}$/);
  });

  it('tries the next candidate when the best one is rejected', async () => {
    const plan = 'for the training plan of my running club this winter season';
    const wrong = `Convert 10 miles to km ${plan}`;
    const right = `Convert ten km to miles ${plan}, please`;
    const asked = `Convert 10 km to miles ${plan}`;
    await ask(wrong);
    await ask(right);
    // Both are above the similarity, and the wrong answer is the nearer one.
    expect(cosine(bagEmbed(asked), bagEmbed(wrong))).toBeCloseTo(1, 6);
    expect(cosine(bagEmbed(asked), bagEmbed(right))).toBeGreaterThan(0.95);
    const before = ctx.metrics.state.filter((s) => s === 'guard:numbers').length;
    expect(await ask(asked)).toMatchObject({ cache: 'hit', content: `answer to: ${right}` });
    expect(ctx.metrics.state.filter((s) => s === 'guard:numbers').length).toBe(before + 1);
  });

  it('never matches a prompt that fills the embedding window semantically, and stores it for exact hits only', async () => {
    const shared = Array.from({ length: WINDOW }, (_, i) => `word${i}`).join(' ');
    const first = `${shared} so what is the answer for Alice?`;
    const second = `${shared} so what is the answer for Bob?`;
    // Both embed alike: their windows are the same words.
    expect(cosine(bagEmbed(first, 256, WINDOW), bagEmbed(second, 256, WINDOW))).toBeCloseTo(1, 6);
    const skips = () => ctx.metrics.state.filter((s) => s === 'semantic_skip:over_window').length;
    const before = skips();
    const stored = await ask(first);
    expect(stored).toMatchObject({ cache: 'miss', detail: 'over_window' });
    expect(stored.stored?.vector).toBeUndefined();
    expect(stored.stored?.text).toBeUndefined();
    expect(await ask(second)).toMatchObject({ cache: 'miss', detail: 'over_window' });
    expect(await ask(first)).toMatchObject({ cache: 'hit', detail: 'exact', content: `answer to: ${first}` });
    expect(skips()).toBe(before + 3);
  });
});
