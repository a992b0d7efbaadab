// The explain trace's cache section: semantic or exact-only matching and why, and, with shared
// state, what a lookup finds now, including the guard rule that turned a near hit down.
import { describe, expect, it } from '@jest/globals';
import { formatExplain } from '../../../src/cli/explain-format.js';
import { explainRequest } from '../../../src/pipeline/explain.js';
import { onRequestBody } from '../../../src/pipeline/request-body.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { MemoryStateStore } from '../../../src/state/memory.js';
import { bagEmbedder } from '../../helpers/bag-embedder.js';
import { testConfig } from '../../helpers/config.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';

const snap = new RoutingSnapshot(
  testConfig((d: any) => {
    d.cache = { enabled: true };
    d.decisions[1].plugins = { cache: { enabled: true, similarity: 0.8 } };
  }),
  { cacheEmbedder: bagEmbedder(16) },
);
const body = (content: string) => Buffer.from(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }] }));

async function storeAnswer(ctx: { store: MemoryStateStore }, content: string): Promise<void> {
  const out = await onRequestBody(snap, 'openai.chat', body(content), new Map(), { ...ctx, metrics: new RecordingMetrics(), log: new RecordingLogger() });
  if (out.kind !== 'forward' || !out.cacheWrite) throw new Error('expected a cache miss to store');
  await ctx.store.store({ ...out.cacheWrite.write, answer: { content: 'stored', finishReason: 'stop', model: 'm', storedAtMs: 1 } });
}

describe('explain: the cache', () => {
  it('says a text is matched semantically, with the similarity and the guard', async () => {
    const trace = await explainRequest(snap, 'openai.chat', body('Give me 3 tips for sleeping'));
    expect(trace.cache).toEqual({ match: 'semantic', tokens: 8, window: 16, similarity: 0.8, guard: true });
  });

  it('says why a text that fills the embedding window is matched exactly only', async () => {
    const trace = await explainRequest(snap, 'openai.chat', body(Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ')));
    expect(trace.cache).toMatchObject({ match: 'exact_only', tokens: 16, window: 16 });
    expect(trace.cache?.why).toMatch(/fills the embedding window/);
    expect(formatExplain(trace)).toContain('cache: exact only (the text fills the embedding window');
  });

  it('with shared state, names the guard rule that turned a near hit down', async () => {
    const store = new MemoryStateStore({ maxEntries: 100 });
    await storeAnswer({ store }, 'Give me 3 tips for sleeping');
    const ctx = { store, metrics: new RecordingMetrics(), log: new RecordingLogger() };
    const near = await explainRequest(snap, 'openai.chat', body('Give me 10 tips for sleeping'), new Map(), ctx);
    expect(near.cache?.lookup).toEqual({ result: 'miss', rejected: [{ similarity: expect.any(Number), rule: 'numbers', detail: 'numbers differ: 10 / 3' }] });
    expect(formatExplain(near)).toMatch(/cache lookup: miss\n {2}rejected 1\.000 guard:numbers \(numbers differ: 10 \/ 3\)/);
    const para = await explainRequest(snap, 'openai.chat', body('give me 3 tips for sleeping'), new Map(), ctx);
    expect(para.cache?.lookup).toMatchObject({ result: 'hit_semantic', rejected: [] });
    const exact = await explainRequest(snap, 'openai.chat', body('Give me 3 tips for sleeping'), new Map(), ctx);
    expect(exact.cache?.lookup).toMatchObject({ result: 'hit_exact' });
    // Explaining counts and stores nothing.
    expect(ctx.metrics.state).toEqual([]);
    expect(store.size).toBe(1);
  });

  it('has no cache section for a decision that does not cache', async () => {
    expect((await explainRequest(snap, 'openai.chat', body('fix my python function'))).cache).toBeUndefined();
  });
});
