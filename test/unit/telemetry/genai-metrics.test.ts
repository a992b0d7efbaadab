// The GenAI metrics' bounds: tenant label values are capped, bad numbers are not recorded.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createMetrics, type RouterMetrics } from '../../../src/telemetry/metrics.js';
import { find, parseExposition } from './prom.js';

let metrics: RouterMetrics | undefined;
afterEach(async () => {
  await metrics?.shutdown();
  metrics = undefined;
});

const obs = (tenant: string, extra: Record<string, number> = {}) => ({
  operation: 'chat',
  model: 'm',
  servedModel: 'org/m',
  decision: 'd',
  tenant,
  usage: { input: 10, output: 5, cached: 0 },
  ...extra,
});

describe('GenAI metrics', () => {
  it('gives the first max_tenant_labels tenants their own label and counts the rest as other', async () => {
    metrics = createMetrics({ processMetrics: false, maxTenantLabels: 2 });
    for (const t of ['a', 'b', 'c', 'd', 'a', 'none']) metrics.recordGenAi(obs(t));
    const exp = parseExposition(await metrics.render());
    const counts = Object.fromEntries(
      find(exp, 'gen_ai_client_token_usage_count', { gen_ai_token_type: 'input' }).map((s) => [s.labels.tenant, s.value]),
    );
    expect(counts).toEqual({ a: 2, b: 1, other: 2, none: 1 });
  });

  it('with max_tenant_labels 0 has no tenant values at all', async () => {
    metrics = createMetrics({ processMetrics: false, maxTenantLabels: 0 });
    metrics.recordGenAi(obs('a'));
    const exp = parseExposition(await metrics.render());
    expect(find(exp, 'gen_ai_client_token_usage_count').map((s) => s.labels.tenant)).toEqual(['none', 'none']);
  });

  it('skips negative or non-finite times and costs', async () => {
    metrics = createMetrics({ processMetrics: false });
    metrics.recordGenAi(obs('a', { ttftSeconds: -1, tpotSeconds: NaN, durationSeconds: Infinity, cost: -0.5 }));
    const exp = parseExposition(await metrics.render());
    for (const name of ['gen_ai_server_time_to_first_token_seconds_count', 'gen_ai_server_time_per_output_token_seconds_count', 'gen_ai_server_request_duration_seconds_count', 'semroute_request_cost_count']) {
      expect(find(exp, name)).toEqual([]);
    }
    expect(find(exp, 'gen_ai_client_token_usage_count')).toHaveLength(2);
  });
});
