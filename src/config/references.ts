// Cross-reference checks the schema alone cannot express. Messages carry the exact path.
import { isListenAddress, parseHostPort } from './addresses.js';
import type { ConfigIssue } from './issues.js';
import type { Config, RuleNode } from './schema.js';
import { ISO_639_1, SIGNAL_KINDS } from './schema/signals.js';

type Issues = ConfigIssue[];

/** Headers a plugin must not touch: framing and routing that Envoy and semroute manage. */
const PROTECTED_HEADERS: ReadonlySet<string> = new Set(['content-length', 'content-type', 'content-encoding', 'transfer-encoding', 'host', 'connection', 'te', 'upgrade']);

function checkDuplicates(items: Array<{ name: string; path: string }>, what: string, issues: Issues): void {
  const first = new Map<string, string>();
  for (const it of items) {
    const prev = first.get(it.name);
    if (prev === undefined) first.set(it.name, it.path);
    else issues.push({ path: it.path, message: `duplicate ${what} name "${it.name}" (first at ${prev})` });
  }
}

function ruleRefs(rule: RuleNode, path: string, out: Array<{ name: string; path: string }>): void {
  if (typeof rule === 'string') {
    out.push({ name: rule, path });
    return;
  }
  const [op, children] = Object.entries(rule)[0] as [string, RuleNode[]];
  children.forEach((c, i) => ruleRefs(c, `${path}.${op}[${i}]`, out));
}

/** True when a rule matches whatever the signals say ({ all: [] }, { not: [{ any: [] }] }, ...). */
export function alwaysMatches(rule: RuleNode): boolean {
  if (typeof rule === 'string') return false;
  if ('all' in rule) return rule.all.every(alwaysMatches);
  if ('any' in rule) return rule.any.some(alwaysMatches);
  return neverMatches(rule.not[0]!);
}
function neverMatches(rule: RuleNode): boolean {
  if (typeof rule === 'string') return false;
  if ('all' in rule) return rule.all.some(neverMatches);
  if ('any' in rule) return rule.any.every(neverMatches);
  return alwaysMatches(rule.not[0]!);
}

function allSignals(cfg: Config): Array<{ name: string; path: string; kind: string }> {
  return SIGNAL_KINDS.flatMap((kind) => cfg.signals[kind].map((s, i) => ({ name: s.name, path: `signals.${kind}[${i}].name`, kind })));
}

function checkSignals(cfg: Config, issues: Issues): void {
  checkDuplicates(allSignals(cfg), 'signal', issues);
  cfg.signals.regex.forEach((s, i) =>
    s.patterns.forEach((p, j) => {
      try {
        new RegExp(p, s.case_sensitive ? '' : 'i');
      } catch (e) {
        issues.push({ path: `signals.regex[${i}].patterns[${j}]`, message: `invalid regular expression: ${(e as Error).message}` });
      }
    }),
  );
  cfg.signals.language.forEach((s, i) =>
    s.languages.forEach((l, j) => {
      if (l.length === 2 && ISO_639_1[l] === undefined) {
        issues.push({ path: `signals.language[${i}].languages[${j}]`, message: `no ISO 639-1 mapping for "${l}": use its ISO 639-3 code (e.g. "eng")` });
      }
    }),
  );
  const need = (kind: 'embedding' | 'domain' | 'jailbreak' | 'pii', task: string) =>
    cfg.signals[kind].forEach((s, i) => {
      if (s.model !== undefined) checkInferenceModel(cfg, s.model, task, `signals.${kind}[${i}].model`, `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} signal`, issues);
    });
  need('embedding', 'embedding');
  need('domain', 'sequence-classification');
  need('jailbreak', 'sequence-classification');
  need('pii', 'token-classification');
}

function checkInferenceModel(cfg: Config, name: string, task: string, path: string, user: string, issues: Issues): void {
  const m = cfg.inference.models[name];
  if (!m) {
    const known = Object.keys(cfg.inference.models).sort().join(', ') || 'none';
    issues.push({ path, message: `unknown inference model "${name}" (known: ${known})` });
  } else if (m.task !== task) {
    issues.push({ path, message: `inference model "${name}" has task ${m.task}; ${user} needs ${task}` });
  }
}

function checkDecisions(cfg: Config, issues: Issues): void {
  const models = new Map(cfg.models.map((m) => [m.name, m]));
  const signals = new Set(allSignals(cfg).map((s) => s.name));
  const knownSignals = [...signals].join(', ') || 'none';
  checkDuplicates(cfg.decisions.map((d, i) => ({ name: d.name, path: `decisions[${i}].name` })), 'decision', issues);

  cfg.decisions.forEach((d, di) => {
    const at = `decisions[${di}]`;
    const refs: Array<{ name: string; path: string }> = [];
    ruleRefs(d.rules, `${at}.rules`, refs);
    for (const r of refs) {
      if (!signals.has(r.name)) issues.push({ path: r.path, message: `unknown signal "${r.name}" (known: ${knownSignals})` });
    }
    if (d.models.length === 0 && !d.plugins.block) {
      issues.push({ path: `${at}.models`, message: 'a decision needs at least one model unless it has a block plugin' });
    }
    d.models.forEach((c, ci) => {
      const m = models.get(c.model);
      if (!m) issues.push({ path: `${at}.models[${ci}].model`, message: `unknown model "${c.model}"` });
      else if (c.reasoning === 'on' && m.reasoning_family === 'none') {
        issues.push({ path: `${at}.models[${ci}].reasoning`, message: `model "${c.model}" has no reasoning_family, so thinking cannot be switched on` });
      }
    });
    if (d.strategy === 'cheapest') {
      const missing = d.models.filter((c) => models.get(c.model) && !models.get(c.model)!.cost_per_million_tokens).map((c) => c.model);
      if (missing.length) issues.push({ path: `${at}.strategy`, message: `cheapest needs cost_per_million_tokens on every candidate (missing: ${missing.join(', ')})` });
    }
    const hp = d.plugins.headers;
    if (hp) {
      for (const [name, path] of [
        ...Object.keys(hp.set).map((n) => [n, `${at}.plugins.headers.set.${n}`] as const),
        ...hp.remove.map((n, k) => [n, `${at}.plugins.headers.remove[${k}]`] as const),
      ]) {
        const lower = name.toLowerCase();
        if (lower.startsWith('x-semroute-') || lower === 'x-gateway-destination-endpoint') {
          issues.push({ path, message: `semroute owns "${name}": it sets it on every routed request` });
        } else if (PROTECTED_HEADERS.has(lower)) {
          issues.push({ path, message: `"${name}" is managed by Envoy and the router (framing, routing), not by a plugin` });
        }
      }
    }
    const pii = d.plugins.pii;
    if (pii?.action === 'route') {
      if (pii.route_model === undefined) issues.push({ path: `${at}.plugins.pii.route_model`, message: 'action route needs route_model' });
      else if (!models.has(pii.route_model)) issues.push({ path: `${at}.plugins.pii.route_model`, message: `unknown model "${pii.route_model}"` });
    }
  });
  checkShadowing(cfg, issues);
}

/** Under the priority strategy, a decision ranked after one that always matches never runs. */
function checkShadowing(cfg: Config, issues: Issues): void {
  if (cfg.routing.strategy !== 'priority') return;
  const ranked = cfg.decisions.map((d, i) => ({ d, i })).sort((a, b) => b.d.priority - a.d.priority || a.i - b.i);
  const shadow = ranked.find((x) => alwaysMatches(x.d.rules));
  if (!shadow) return;
  for (const x of ranked.slice(ranked.indexOf(shadow) + 1)) {
    issues.push({
      path: `decisions[${x.i}]`,
      message: `decision "${x.d.name}" is unreachable: "${shadow.d.name}" (decisions[${shadow.i}], priority ${shadow.d.priority}) always matches and ranks above it`,
    });
  }
}

function checkModels(cfg: Config, issues: Issues): void {
  checkDuplicates(cfg.models.map((m, i) => ({ name: m.name, path: `models[${i}].name` })), 'model', issues);
  cfg.models.forEach((m, i) => {
    m.endpoints.forEach((e, j) => checkEndpoint(e, `models[${i}].endpoints[${j}]`, issues));
    if (cfg.routing.mode === 'endpoint' && m.endpoints.length === 0 && m.discovery?.type !== 'dns' && m.discovery?.type !== 'kubernetes') {
      issues.push({ path: `models[${i}].endpoints`, message: 'routing.mode endpoint needs at least one endpoint per model (or discovery: dns or kubernetes)' });
    }
    if ((m.discovery?.type === 'dns' || m.discovery?.type === 'kubernetes') && !cfg.routing.endpoint_picker) {
      issues.push({ path: `models[${i}].discovery`, message: `discovery ${m.discovery.type} is read by routing.endpoint_picker only: configure it (routing.mode endpoint)` });
    }
  });
  const picker = cfg.routing.endpoint_picker;
  if (picker) {
    const decisions = new Set(cfg.decisions.map((d) => d.name));
    picker.sheddable_decisions.forEach((d, i) => {
      if (!decisions.has(d)) issues.push({ path: `routing.endpoint_picker.sheddable_decisions[${i}]`, message: `no decision is named ${d}` });
    });
    if (cfg.routing.mode !== 'endpoint') issues.push({ path: 'routing.endpoint_picker', message: 'read only with routing.mode endpoint' });
  }
}

function checkEndpoint(e: string, path: string, issues: Issues): void {
  if (!parseHostPort(e)) issues.push({ path, message: `expected host:port with a port in 1-65535, got "${e}"` });
}

function checkRouting(cfg: Config, issues: Issues): void {
  const models = new Set(cfg.models.map((m) => m.name));
  const { default_decision, default_model, auto_model_names } = cfg.routing;
  if (default_decision !== undefined) {
    const d = cfg.decisions.find((x) => x.name === default_decision);
    if (!d) issues.push({ path: 'routing.default_decision', message: `unknown decision "${default_decision}"` });
    else if (d.models.length === 0) issues.push({ path: 'routing.default_decision', message: `decision "${default_decision}" has no models` });
  }
  if (default_model !== undefined && !models.has(default_model)) {
    issues.push({ path: 'routing.default_model', message: `unknown model "${default_model}"` });
  }
  auto_model_names.forEach((n, i) => {
    if (models.has(n)) issues.push({ path: `routing.auto_model_names[${i}]`, message: `"${n}" is also a model name` });
  });
}

function checkInfrastructure(cfg: Config, issues: Issues): void {
  if (!isListenAddress(cfg.listeners.grpc.address)) {
    issues.push({ path: 'listeners.grpc.address', message: `expected host:port or unix:/path, got "${cfg.listeners.grpc.address}"` });
  }
  if (cfg.listeners.admin.address !== 'off' && !parseHostPort(cfg.listeners.admin.address, true)) {
    issues.push({ path: 'listeners.admin.address', message: `expected host:port or off, got "${cfg.listeners.admin.address}"` });
  }
  const { backend, redis } = cfg.state;
  if (backend === 'redis' && !redis) issues.push({ path: 'state.redis', message: 'backend redis needs a redis section' });
  if (redis) {
    if (redis.mode === 'standalone' && !redis.url) issues.push({ path: 'state.redis.url', message: 'mode standalone needs url' });
    if (redis.mode === 'sentinel') {
      if (redis.sentinels.length === 0) issues.push({ path: 'state.redis.sentinels', message: 'mode sentinel needs sentinels' });
      if (!redis.master_name) issues.push({ path: 'state.redis.master_name', message: 'mode sentinel needs master_name' });
    }
    if (redis.mode === 'cluster' && redis.nodes.length === 0) issues.push({ path: 'state.redis.nodes', message: 'mode cluster needs nodes' });
    redis.sentinels.forEach((e, i) => checkEndpoint(e, `state.redis.sentinels[${i}]`, issues));
    redis.nodes.forEach((e, i) => checkEndpoint(e, `state.redis.nodes[${i}]`, issues));
  }
  if (usesCache(cfg)) checkInferenceModel(cfg, cfg.cache.embedding_model, 'embedding', 'cache.embedding_model', 'the semantic cache', issues);
  const identity = cfg.security.identity;
  if (identity.trusted_peers.length > 0) {
    if (!identity.trusted) issues.push({ path: 'security.identity.trusted_peers', message: 'trusted_peers needs security.identity.trusted: true (otherwise identity headers are never trusted)' });
    if (!cfg.listeners.grpc.tls?.client_ca_file) issues.push({ path: 'security.identity.trusted_peers', message: 'trusted_peers names client certificates: set listeners.grpc.tls with client_ca_file (mutual TLS)' });
  }
  const tokens = new Map<string, number>();
  cfg.security.admin_tokens.forEach((t, i) => {
    if (t.token === undefined) return;
    const prev = tokens.get(t.token);
    if (prev !== undefined) issues.push({ path: `security.admin_tokens[${i}]`, message: `same token as security.admin_tokens[${prev}]` });
    else tokens.set(t.token, i);
  });
}

export function checkReferences(cfg: Config): ConfigIssue[] {
  const issues: Issues = [];
  checkInfrastructure(cfg, issues);
  checkModels(cfg, issues);
  checkSignals(cfg, issues);
  checkDecisions(cfg, issues);
  checkRouting(cfg, issues);
  return issues;
}

/** Some decision looks answers up in the semantic cache (master switch and plugin both on). */
export function usesCache(cfg: Config): boolean {
  return cfg.cache.enabled && cfg.decisions.some((d) => d.plugins.cache?.enabled);
}
