import { describe, expect, test } from '@jest/globals';
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

test('every scenario has a config or says why it is pending', () => {
  for (const s of SCENARIOS) expect(Boolean(s.config) !== Boolean(s.pending)).toBe(true);
  expect(SCENARIOS.filter((s) => s.pending).map((s) => s.name)).toEqual(['cache-hit', 'cache-miss-redis', 'affinity']);
});
