// Every cross-reference check, each with the exact path and message it reports.
import { describe, expect, it } from '@jest/globals';
import { formatIssue } from '../../../src/config/issues.js';
import { ConfigError, parseConfig } from '../../../src/config/load.js';
import { alwaysMatches } from '../../../src/config/references.js';
import { baseConfigDoc } from '../../helpers/config.js';

function problems(change: (doc: any) => void): string[] {
  const doc = baseConfigDoc() as any;
  change(doc);
  try {
    parseConfig(doc);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map(formatIssue);
    throw e;
  }
}

describe('cross-reference checks', () => {
  it.each<[string, (doc: any) => void, string]>([
    ['a duplicate signal across kinds', (d) => (d.signals.regex = [{ name: 'code', patterns: ['x'] }]), 'signals.regex[0].name: duplicate signal name "code" (first at signals.keyword[0].name)'],
    ['a regex that does not compile', (d) => (d.signals.regex = [{ name: 'r', patterns: ['ok', '(unclosed'] }]), 'signals.regex[0].patterns[1]: invalid regular expression'],
    ['an unknown inference model', (d) => (d.signals.domain = [{ name: 'math', labels: ['math'], model: 'mathy' }]), 'signals.domain[0].model: unknown inference model "mathy" (known: domain, embedding, jailbreak)'],
    ['an inference model of the wrong task', (d) => (d.signals.embedding = [{ name: 'e', candidates: ['x'], model: 'domain' }]), 'signals.embedding[0].model: inference model "domain" has task sequence-classification; an embedding signal needs embedding'],
    ['a pii signal without a token classifier', (d) => (d.signals.pii = [{ name: 'p', model: 'jailbreak' }]), 'signals.pii[0].model: inference model "jailbreak" has task sequence-classification'],
    ['a two-letter language without a mapping', (d) => (d.signals.language = [{ name: 'l', languages: ['en', 'xx'] }]), 'signals.language[0].languages[1]: no ISO 639-1 mapping for "xx": use its ISO 639-3 code (e.g. "eng")'],
    ['a headers plugin touching an owned header', (d) => (d.decisions[0].plugins = { headers: { set: { 'x-semroute-model': 'large' } } }), 'decisions[0].plugins.headers.set.x-semroute-model: semroute owns "x-semroute-model"'],
    ['a headers plugin removing a framing header', (d) => (d.decisions[0].plugins = { headers: { remove: ['Content-Length'] } }), 'decisions[0].plugins.headers.remove[0]: "Content-Length" is managed by Envoy and the router'],
    ['a decision without models or block', (d) => (d.decisions[0].models = []), 'decisions[0].models: a decision needs at least one model unless it has a block plugin'],
    ['reasoning on a model without a family', (d) => (d.decisions[0].models = [{ model: 'large', reasoning: 'on' }]), 'decisions[0].models[0].reasoning: model "large" has no reasoning_family'],
    ['cheapest without costs', (d) => (d.decisions[0].strategy = 'cheapest'), 'decisions[0].strategy: cheapest needs cost_per_million_tokens on every candidate (missing: large)'],
    ['pii route without a model', (d) => (d.decisions[0].plugins = { pii: { action: 'route' } }), 'decisions[0].plugins.pii.route_model: action route needs route_model'],
    ['pii route to an unknown model', (d) => (d.decisions[0].plugins = { pii: { action: 'route', route_model: 'local' } }), 'decisions[0].plugins.pii.route_model: unknown model "local"'],
    ['an unknown plugin', (d) => (d.decisions[0].plugins = { cache: {}, rewrite: {} }), 'decisions[0].plugins.rewrite: unknown plugin "rewrite" (known: block, system_prompt, headers, pii, cache)'],
    [
      'a decision shadowed by an unconditional one',
      (d) => d.decisions.push({ name: 'never', priority: -5, rules: { any: ['urgent'] }, models: [{ model: 'small' }] }),
      'decisions[2]: decision "never" is unreachable: "general" (decisions[1], priority 0) always matches and ranks above it',
    ],
    [
      'an equal-priority decision listed after an unconditional one',
      (d) => d.decisions.push({ name: 'tie', priority: 0, rules: { any: ['urgent'] }, models: [{ model: 'small' }] }),
      'decisions[2]: decision "tie" is unreachable',
    ],
    [
      'shadowing through a rule that is always true in disguise',
      (d) => (d.decisions[0].rules = { not: [{ any: [] }] }),
      'decisions[1]: decision "general" is unreachable: "coding"',
    ],
    ['an endpoint with a port out of range', (d) => (d.models[0].endpoints = ['10.0.0.1:65536']), 'models[0].endpoints[0]: expected host:port with a port in 1-65535, got "10.0.0.1:65536"'],
    ['an endpoint with a bad host', (d) => (d.models[0].endpoints = ['bad host:80']), 'models[0].endpoints[0]: expected host:port'],
    ['an IPv6 endpoint without brackets', (d) => (d.models[0].endpoints = ['::1:8000']), 'models[0].endpoints[0]: expected host:port'],
    ['endpoint mode without endpoints', (d) => ((d.routing.mode = 'endpoint'), (d.models[1].endpoints = [])), 'models[1].endpoints: routing.mode endpoint needs at least one endpoint per model'],
    ['dns discovery without the endpoint picker', (d) => (d.models[0].discovery = { type: 'dns', name: 'vllm.svc', port: 8000 }), 'models[0].discovery: discovery dns is read by routing.endpoint_picker only'],
    ['the endpoint picker outside endpoint mode', (d) => (d.routing.endpoint_picker = {}), 'routing.endpoint_picker: read only with routing.mode endpoint'],
    ['an unknown sheddable decision', (d) => ((d.routing.mode = 'endpoint'), (d.routing.endpoint_picker = { sheddable_decisions: ['nope'] })), 'routing.endpoint_picker.sheddable_decisions[0]: no decision is named nope'],
    ['a bad grpc listen address', (d) => (d.listeners = { grpc: { address: 'localhost' } }), 'listeners.grpc.address: expected host:port or unix:/path, got "localhost"'],
    ['a bad admin listen address', (d) => (d.listeners = { admin: { address: 'unix:/x' } }), 'listeners.admin.address: expected host:port or off, got "unix:/x"'],
    ['redis backend without redis', (d) => (d.state = { backend: 'redis' }), 'state.redis: backend redis needs a redis section'],
    ['standalone redis without url', (d) => (d.state = { backend: 'redis', redis: {} }), 'state.redis.url: mode standalone needs url'],
    ['sentinel without sentinels', (d) => (d.state = { backend: 'redis', redis: { mode: 'sentinel' } }), 'state.redis.sentinels: mode sentinel needs sentinels'],
    ['sentinel without master', (d) => (d.state = { backend: 'redis', redis: { mode: 'sentinel', sentinels: ['s:26379'] } }), 'state.redis.master_name: mode sentinel needs master_name'],
    ['cluster without nodes', (d) => (d.state = { backend: 'redis', redis: { mode: 'cluster' } }), 'state.redis.nodes: mode cluster needs nodes'],
    ['a cache without an embedding model', (d) => ((d.cache = { enabled: true, embedding_model: 'nope' }), (d.decisions[0].plugins = { cache: {} })), 'cache.embedding_model: unknown inference model "nope"'],
    ['a repeated admin token', (d) => (d.security = { admin_tokens: [{ token: 'x'.repeat(20) }, { token: 'x'.repeat(20) }] }), 'security.admin_tokens[1]: same token as security.admin_tokens[0]'],
    ['a default decision without models', (d) => ((d.decisions[1].models = []), (d.decisions[1].plugins = { block: {} })), 'routing.default_decision: decision "general" has no models'],
  ])('reports %s', (_name, change, expected) => {
    expect(problems(change).join('\n')).toContain(expected);
  });

  it('reports every problem at once, not only the first', () => {
    const found = problems((d) => {
      d.decisions[0].rules = { any: ['a', 'b'] };
      d.routing.default_model = 'zzz';
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'decisions[0].rules.any[0]: unknown signal "a" (known: code, urgent)',
        'decisions[0].rules.any[1]: unknown signal "b" (known: code, urgent)',
        'routing.default_model: unknown model "zzz"',
      ]),
    );
  });

  it('accepts what it should: IPv6 and DNS endpoints, a block-only decision, a unix listener', () => {
    expect(
      problems((d) => {
        d.models[0].endpoints = ['[::1]:8000', 'vllm-0.vllm.svc.cluster.local:8000'];
        d.decisions.unshift({ name: 'deny', priority: 1000, rules: { any: ['urgent'] }, plugins: { block: {} } });
        d.listeners = { grpc: { address: 'unix:/run/semroute.sock' } };
      }),
    ).toEqual([]);
  });

  it.each<[unknown, boolean]>([
    [{ all: [] }, true],
    [{ any: [] }, false],
    ['code', false],
    [{ not: [{ any: [] }] }, true],
    [{ not: [{ all: [] }] }, false],
    [{ any: ['code', { all: [] }] }, true],
    [{ all: [{ all: [] }, { not: [{ any: [] }] }] }, true],
    [{ all: ['code', { all: [] }] }, false],
  ])('alwaysMatches(%j) is %s', (rule, expected) => {
    expect(alwaysMatches(rule as any)).toBe(expected);
  });
});
