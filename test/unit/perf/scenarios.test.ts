import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseConfig } from '../../../src/config/load.js';
import { SCENARIOS, keywordConfig } from '../../../perf/scenarios.js';

describe('keywordConfig', () => {
  test.each([10, 100])('%s decisions: a valid config with distinct keywords and priorities', (n) => {
    const cfg = parseConfig(parse(keywordConfig(n)), 'generated');
    expect(cfg.decisions).toHaveLength(n + 1);
    const priorities = cfg.decisions.map((d) => d.priority);
    expect(new Set(priorities).size).toBe(n + 1);
    const words = (cfg.signals.keyword ?? []).flatMap((k) => k.any);
    expect(new Set(words).size).toBe(n * 4);
  });
});

test('every scenario config is valid (Redis ones with SEMROUTE_REDIS_URL set)', () => {
  process.env.SEMROUTE_REDIS_URL ??= 'redis://127.0.0.1:6379';
  for (const s of SCENARIOS) {
    const cfg = parseConfig(parse(readFileSync(s.config(), 'utf8')), s.name);
    expect(cfg.state.backend).toBe(s.redis ? 'redis' : 'memory');
    // classify-inline is the demo config with sessions on the event loop; classify keeps the default pool.
    if (s.name.startsWith('classify')) expect(cfg.inference.workers).toBe(s.name === 'classify-inline' ? 0 : undefined);
    // The -no-usage comparisons differ from their scenario only there.
    expect(cfg.telemetry.token_usage).toBe(!s.name.endsWith('-no-usage'));
  }
  expect(SCENARIOS.map((s) => s.name)).toEqual(['keyword', 'keyword-no-usage', 'keyword-10', 'keyword-100', 'classify', 'classify-inline', 'classify-no-usage', 'cache-hit', 'cache-miss-redis', 'affinity']);
});

test('the cache-miss mix is all distinct; the affinity mix carries users', () => {
  const miss = SCENARIOS.find((s) => s.name === 'cache-miss-redis')!.mix();
  expect(new Set(miss.map((m) => m.body.toString())).size).toBe(miss.length);
  const aff = SCENARIOS.find((s) => s.name === 'affinity')!.mix();
  expect(new Set(aff.map((m) => JSON.parse(m.body.toString()).user)).size).toBe(200);
});
