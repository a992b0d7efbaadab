import { afterEach, describe, expect, it } from '@jest/globals';
import {
  createMetrics,
  LATENCY_BUCKETS_SECONDS,
  type RouterMetrics,
} from '../../../src/telemetry/metrics.js';
import { find, parseExposition, value } from './prom.js';

describe('router metrics', () => {
  const made: RouterMetrics[] = [];
  const make = (...args: Parameters<typeof createMetrics>): RouterMetrics => {
    const m = createMetrics(...args);
    made.push(m);
    return m;
  };
  afterEach(async () => {
    await Promise.all(made.splice(0).map((m) => m.shutdown()));
  });

  it('starts with the gauges and zeroed reload counters, no scope labels or target_info', async () => {
    const exp = parseExposition(await make().render());
    expect(value(exp, 'semroute_extproc_streams_active')).toBe(0);
    expect(value(exp, 'semroute_config_reloads_total', { result: 'success' })).toBe(0);
    expect(value(exp, 'semroute_config_reloads_total', { result: 'rejected' })).toBe(0);
    expect(find(exp, 'semroute_requests_total')).toEqual([]);
    expect(find(exp, 'target_info')).toEqual([]);
    expect(exp.samples.filter((s) => Object.keys(s.labels).some((k) => k.startsWith('otel_')))).toEqual([]);
    expect(exp.types.get('semroute_extproc_streams_active')).toBe('gauge');
    expect(exp.types.get('semroute_config_reloads_total')).toBe('counter');
  });

  it('counts requests per decision, model and outcome', async () => {
    const m = make();
    const calls = [
      { decision: 'code', model: 'qwen-coder', outcome: 'routed' },
      { decision: 'code', model: 'qwen-coder', outcome: 'routed' },
      { decision: 'code', model: 'qwen-coder', outcome: 'cache_hit' },
      { decision: 'math', model: 'deepseek-r1', outcome: 'routed' },
      { decision: 'none', model: 'none', outcome: 'models_list' },
      { decision: '', model: '', outcome: 'passthrough' },
    ] as const;
    for (const c of calls) m.recordRequest(c);
    const exp = parseExposition(await m.render());
    const table: [Record<string, string>, number][] = [
      [{ decision: 'code', model: 'qwen-coder', outcome: 'routed' }, 2],
      [{ decision: 'code', model: 'qwen-coder', outcome: 'cache_hit' }, 1],
      [{ decision: 'math', model: 'deepseek-r1', outcome: 'routed' }, 1],
      [{ decision: 'none', model: 'none', outcome: 'models_list' }, 1],
      // empty label values would read as "label absent" in Prometheus: they become "none"
      [{ decision: 'none', model: 'none', outcome: 'passthrough' }, 1],
    ];
    for (const [labels, n] of table) expect(value(exp, 'semroute_requests_total', labels)).toBe(n);
    expect(find(exp, 'semroute_requests_total')).toHaveLength(table.length);
    expect(exp.types.get('semroute_requests_total')).toBe('counter');
  });

  it('builds a cumulative latency histogram with the configured buckets', async () => {
    const m = make();
    const labels = { decision: 'code', model: 'qwen-coder' };
    // 0.001 sits exactly on a boundary: Prometheus buckets are upper-inclusive (le).
    const observations = [0.00005, 0.0003, 0.001, 0.004, 0.2, 3, 42];
    for (const s of observations) m.recordRoutingLatency(s, labels);
    m.recordRoutingLatency(-1, labels); // dropped
    m.recordRoutingLatency(Number.NaN, labels); // dropped
    m.recordRoutingLatency(0.002, { decision: 'math', model: 'deepseek-r1' });

    const exp = parseExposition(await m.render());
    const name = 'semroute_routing_latency_seconds';
    expect(exp.types.get(name)).toBe('histogram');
    expect(value(exp, `${name}_count`, labels)).toBe(observations.length);
    expect(value(exp, `${name}_sum`, labels)).toBeCloseTo(observations.reduce((a, b) => a + b, 0), 9);

    const buckets = find(exp, `${name}_bucket`, labels);
    const les = buckets.map((b) => b.labels.le);
    expect(les).toEqual([...LATENCY_BUCKETS_SECONDS.map(String), '+Inf']);
    for (const b of buckets) {
      const le = b.labels.le === '+Inf' ? Infinity : Number(b.labels.le);
      expect([b.labels.le, b.value]).toEqual([b.labels.le, observations.filter((o) => o <= le).length]);
    }
    expect(value(exp, `${name}_bucket`, { ...labels, le: '0.001' })).toBe(3);
    expect(value(exp, `${name}_count`, { decision: 'math', model: 'deepseek-r1' })).toBe(1);
  });

  it('counts errors by code and status, and reloads by result', async () => {
    const m = make();
    m.recordError({ code: 'invalid_request_error', status: 400 });
    m.recordError({ code: 'invalid_request_error', status: 400 });
    m.recordError({ code: 'model_not_found', status: 404 });
    m.recordError({ code: 'weird', status: 1234 });
    m.recordReload('success');
    m.recordReload('rejected');
    m.recordReload('rejected');
    const exp = parseExposition(await m.render());
    expect(value(exp, 'semroute_errors_total', { code: 'invalid_request_error', status: '400' })).toBe(2);
    expect(value(exp, 'semroute_errors_total', { code: 'model_not_found', status: '404' })).toBe(1);
    expect(value(exp, 'semroute_errors_total', { code: 'weird', status: 'invalid' })).toBe(1);
    expect(value(exp, 'semroute_config_reloads_total', { result: 'success' })).toBe(1);
    expect(value(exp, 'semroute_config_reloads_total', { result: 'rejected' })).toBe(2);
  });

  it('counts cache guard rejections by rule and semantic skips by reason', async () => {
    const m = make();
    m.recordCacheGuardRejection('numbers');
    m.recordCacheGuardRejection('numbers');
    m.recordCacheGuardRejection('no_text');
    m.recordCacheSemanticSkip('over_window');
    const exp = parseExposition(await m.render());
    expect(value(exp, 'semroute_cache_guard_rejections_total', { rule: 'numbers' })).toBe(2);
    expect(value(exp, 'semroute_cache_guard_rejections_total', { rule: 'no_text' })).toBe(1);
    expect(value(exp, 'semroute_cache_semantic_skips_total', { reason: 'over_window' })).toBe(1);
    expect(exp.types.get('semroute_cache_guard_rejections_total')).toBe('counter');
  });

  it('tracks open ext_proc streams and never goes below zero', async () => {
    const m = make();
    m.streamOpened();
    m.streamOpened();
    m.streamOpened();
    m.streamClosed();
    expect(value(parseExposition(await m.render()), 'semroute_extproc_streams_active')).toBe(2);
    m.streamClosed();
    m.streamClosed();
    m.streamClosed();
    expect(value(parseExposition(await m.render()), 'semroute_extproc_streams_active')).toBe(0);
  });

  it('exposes process basics and event-loop delay', async () => {
    const exp = parseExposition(await make().render());
    expect(value(exp, 'process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
    const start = value(exp, 'process_start_time_seconds');
    expect(start).toBeGreaterThan(Date.now() / 1000 - process.uptime() - 5);
    expect(start).toBeLessThanOrEqual(Date.now() / 1000);
    expect(value(exp, 'semroute_event_loop_delay_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('keeps instances independent and honours prefix and processMetrics', async () => {
    const a = make();
    const b = make({ prefix: 'edge_', processMetrics: false });
    a.recordRequest({ decision: 'd', model: 'm', outcome: 'routed' });
    b.recordRequest({ decision: 'd', model: 'm', outcome: 'blocked' });
    const ea = parseExposition(await a.render());
    const eb = parseExposition(await b.render());
    expect(value(ea, 'semroute_requests_total', { decision: 'd', model: 'm', outcome: 'routed' })).toBe(1);
    expect(find(ea, 'semroute_requests_total', { outcome: 'blocked' })).toEqual([]);
    expect(value(eb, 'edge_requests_total', { decision: 'd', model: 'm', outcome: 'blocked' })).toBe(1);
    expect(find(eb, 'semroute_requests_total')).toEqual([]);
    expect(find(eb, 'process_resident_memory_bytes')).toEqual([]);
    expect(find(eb, 'edge_event_loop_delay_seconds')).toEqual([]);
  });

  it.each(['_x', '9abc', 'semroute-', 'a b'])('rejects the invalid prefix %j', (prefix) => {
    expect(() => createMetrics({ prefix })).toThrow(/invalid metrics prefix/);
  });

  it('escapes label values and truncates long ones', async () => {
    const m = make();
    m.recordRequest({ decision: 'quote"back\\slash', model: 'x'.repeat(500), outcome: 'routed' });
    const exp = parseExposition(await m.render());
    const [s] = find(exp, 'semroute_requests_total');
    expect(s?.labels.decision).toBe('quote"back\\slash');
    expect(s?.labels.model).toBe('x'.repeat(128));
  });

  it('shuts down idempotently; render afterwards rejects', async () => {
    const m = createMetrics();
    await m.shutdown();
    await m.shutdown();
    await expect(m.render()).rejects.toThrow();
  });
});
