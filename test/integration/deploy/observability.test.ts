// deploy/observability/: the Grafana dashboard and the Prometheus alert rules. Every query parses
// as PromQL (the Prometheus project's own lezer grammar), and every metric and label it reads is
// one that a running semroute exports: the stack below is driven through every path that makes a
// series appear (routed JSON and SSE, a model-backed signal, cache miss/store/hit, affinity,
// blocked, a client error, Redis going away, span exports) and then scraped.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import { startE2EStack, type E2EStack } from '../../helpers/dev-stack.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../helpers/otlp-receiver.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { until } from '../../helpers/until.js';
import { parseExposition, type Exposition } from '../../unit/telemetry/prom.js';

const DASHBOARD = 'deploy/observability/semroute-dashboard.json';
const RULES = 'deploy/observability/semroute-alerts.yaml';
/** Labels Prometheus adds to every scraped series (target labels), and histograms' bucket label. */
const TARGET_LABELS = ['job', 'instance'];

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid: string };
  targets?: Array<{ refId: string; expr: string; datasource?: { uid: string } }>;
  panels?: Panel[];
}
interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description?: string };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: Array<{ name: string; type: string; query: unknown }> } };
const rules = (parseYaml(readFileSync(RULES, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);

/** Grafana's variables, as Prometheus would see them once Grafana substituted them. */
const grafanaToPromql = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m').replaceAll('$job', '.*');

interface Query {
  where: string;
  expr: string;
  /** Metric names, each with the label names its matchers use. */
  selectors: Array<{ metric: string; labels: string[] }>;
  /** Labels of by/without/on/ignoring clauses. */
  grouping: string[];
  errors: string[];
}

function analyse(where: string, raw: string): Query {
  const expr = grafanaToPromql(raw);
  const q: Query = { where, expr, selectors: [], grouping: [], errors: [] };
  const tree = parser.parse(expr);
  const cursor = tree.cursor();
  do {
    const text = expr.slice(cursor.from, cursor.to);
    if (cursor.type.isError) q.errors.push(`syntax error at ${cursor.from}: "${expr.slice(cursor.from, cursor.from + 20)}"`);
    if (cursor.name === 'VectorSelector') {
      const node = cursor.node;
      const metric = node.getChild('Identifier');
      const labels = node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher').map((m) => expr.slice(m.getChild('LabelName')!.from, m.getChild('LabelName')!.to)) ?? [];
      if (!metric) q.errors.push(`selector without a metric name: ${text}`);
      else q.selectors.push({ metric: expr.slice(metric.from, metric.to), labels });
    }
    if (cursor.name === 'GroupingLabels') {
      for (const l of cursor.node.getChildren('LabelName')) q.grouping.push(expr.slice(l.from, l.to));
    }
  } while (cursor.next());
  return q;
}

const queries: Query[] = [
  ...panels.flatMap((p) => (p.targets ?? []).map((t) => analyse(`panel "${p.title}" ${t.refId}`, t.expr))),
  ...rules.map((r) => analyse(`rule ${r.alert}`, r.expr)),
];

describe('the files', () => {
  it('have queries to check', () => {
    expect(panels.filter((p) => p.type !== 'row').length).toBeGreaterThanOrEqual(20);
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['SemrouteInferenceFailOpenHigh', 'SemrouteRedisUnavailable', 'SemrouteConfigReloadRejected', 'SemrouteErrorRateHigh']));
  });

  it.each(queries.map((q) => [q.where, q] as [string, Query]))('%s parses as PromQL', (_where, q) => {
    expect(q.errors).toEqual([]);
    expect(q.selectors.length).toBeGreaterThan(0);
  });

  it('the dashboard is well formed: unique ids, every panel on the 24-column grid, every query on the datasource variable', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'job']);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect([p.title, p.datasource?.uid]).toEqual([p.title, '${datasource}']);
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe('${datasource}');
    }
  });

  it('the rules are well formed: unique names, a severity, a summary, durations Prometheus reads', () => {
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) {
      expect([r.alert, ['critical', 'warning', 'info'].includes(r.labels.severity)]).toEqual([r.alert, true]);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
    }
  });
});

describe('against a running semroute', () => {
  let stack: E2EStack;
  let otlp: OtlpReceiver;
  let redis: RedisServer;
  let exp: Exposition;

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) }).then(async (r) => ({ status: r.status, text: await r.text() }));
  const ask = (content: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => post({ model: 'auto', messages: [{ role: 'user', content }], ...extra }, headers);
  const scrape = async () => parseExposition(await (await fetch(`${stack.dev.router.adminUrl}/metrics`)).text());
  const has = (e: Exposition, name: string) => e.samples.some((s) => s.name === name);

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    redis = await startRedisServer();
    stack = await startE2EStack((d) => {
      d.telemetry = { tracing: { otlp_endpoint: otlp.url, sample_ratio: 1 } };
      d.security = { identity: { trusted: true } };
      d.state = { backend: 'redis', redis: { url: redis.url } };
      d.affinity = { enabled: true };
      d.cache = { enabled: true, similarity: 0.9 };
      d.models[0].cost_per_million_tokens = { input: 0.2, output: 0.6 };
      d.signals.keyword.push({ name: 'faq', any: ['opening hours'] }, { name: 'forbidden', any: ['forbidden topic'] });
      d.signals.embedding = [{ name: 'code_help', candidates: ['fix this bug in my code', 'why does my function crash'], threshold: 0.6 }];
      d.decisions.unshift(
        { name: 'refuse', priority: 500, rules: 'forbidden', plugins: { block: { status: 403 } } },
        { name: 'faq', priority: 200, rules: 'faq', models: [{ model: 'small' }], plugins: { cache: { enabled: true } } },
        { name: 'code_help', priority: 150, rules: 'code_help', models: [{ model: 'large' }] },
      );
    });
    expect((await ask('why does my function crash on startup')).status).toBe(200);
    expect((await ask('tell me a story', { stream: true }, { 'x-tenant-id': 'acme', 'x-session-id': 's1' })).status).toBe(200);
    expect((await ask('What are your opening hours?')).status).toBe(200);
    await until(async () => has(await scrape(), 'semroute_cache_stores_total'), 20_000, 'the cache store');
    expect((await ask('What are your opening hours?')).status).toBe(200);
    expect((await ask('the forbidden topic')).status).toBe(403);
    expect((await post('{"model":')).status).toBe(400);
    await stack.dev.router.tracing.flush();
    // Redis goes away: the next request's state operations fail (and are counted).
    await redis.stop();
    expect((await ask('tell me another story', {}, { 'x-session-id': 's1' })).status).toBe(200);
    await until(async () => has(await scrape(), 'semroute_state_errors_total'), 20_000, 'a state error');
    await stack.dev.router.tracing.flush();
    exp = await scrape();
  }, 90_000);
  afterAll(async () => {
    await stack?.close();
    await otlp?.close();
    await redis?.close();
  });

  it.each(queries.map((q) => [q.where, q] as [string, Query]))('%s reads only metrics and labels semroute exports', (_where, q) => {
    const labelsOf = (metric: string) => new Set(exp.samples.filter((s) => s.name === metric).flatMap((s) => Object.keys(s.labels)));
    const known = new Set<string>(TARGET_LABELS);
    for (const { metric, labels } of q.selectors) {
      const exported = labelsOf(metric);
      expect([metric, exported.size > 0 || has(exp, metric)]).toEqual([metric, true]);
      for (const l of exported) known.add(l);
      for (const l of labels) expect([metric, l, exported.has(l) || TARGET_LABELS.includes(l)]).toEqual([metric, l, true]);
    }
    for (const l of q.grouping) expect([q.where, l, known.has(l)]).toEqual([q.where, l, true]);
  });

  it('the job variable reads a metric semroute exports', () => {
    const job = dashboard.templating.list.find((v) => v.name === 'job')!;
    const metric = /label_values\((\w+),\s*job\)/.exec(JSON.stringify(job.query))?.[1];
    expect(metric).toBeDefined();
    expect(has(exp, metric!)).toBe(true);
  });
});
