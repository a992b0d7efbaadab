// A decision's cache plugin without its own similarity takes cache.similarity (the calibrated
// default, see models/README.md); one that sets it keeps its own.
import { describe, expect, it } from '@jest/globals';
import { parseRequestBody } from '../../../src/protocol/parse.js';
import { Router } from '../../../src/routing/router.js';
import type { SignalResult } from '../../../src/signals/types.js';
import { cacheSchema } from '../../../src/config/schema/state.js';
import { testConfig } from '../../helpers/config.js';

const LIMITS = { maxBodyBytes: 1 << 20, maxJsonDepth: 64, maxMessages: 100 };
const ir = parseRequestBody('openai.chat', Buffer.from(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'python help' }] })), LIMITS).ir;
const results = new Map<string, SignalResult>([['code', { matched: true, confidence: 1 }]]);

async function similarities(cache: Record<string, unknown> | undefined, plugin: Record<string, unknown>): Promise<number | undefined> {
  const router = new Router(
    testConfig((d: any) => {
      if (cache) d.cache = cache;
      d.decisions[0].plugins = { cache: plugin };
    }),
  );
  return (await router.plan(router.choose(results), ir)).cache?.similarity;
}

describe('cache similarity of a decision', () => {
  it('defaults to cache.similarity, whose own default is the calibrated one', async () => {
    expect(await similarities(undefined, { enabled: true })).toBe(cacheSchema.parse({}).similarity);
    expect(await similarities({ similarity: 0.9 }, { enabled: true })).toBe(0.9);
  });

  it("keeps the decision's own similarity", async () => {
    expect(await similarities({ similarity: 0.9 }, { enabled: true, similarity: 0.8 })).toBe(0.8);
  });
});
