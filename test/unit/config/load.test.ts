import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfigFile, parseConfig } from '../../../src/config/load.js';
import { formatIssue } from '../../../src/config/issues.js';
import { baseConfigDoc, testConfig } from '../../helpers/config.js';

function problems(change: (doc: any) => void): string[] {
  const doc = baseConfigDoc();
  change(doc);
  try {
    parseConfig(doc);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map(formatIssue);
    throw e;
  }
  return [];
}

describe('config', () => {
  it('fills safe defaults', () => {
    const cfg = testConfig();
    expect(cfg.listeners.grpc.address).toBe('0.0.0.0:50051');
    expect(cfg.listeners.admin.address).toBe('127.0.0.1:9190');
    expect(cfg.security.max_body_bytes).toBe(4 * 1024 * 1024);
    expect(cfg.signals.keyword[0]!.whole_words).toBe(true);
  });

  it.each<[string, (doc: any) => void, string]>([
    ['wrong version', (d) => (d.version = 'v2'), 'version:'],
    ['unknown top-level key', (d) => (d.modles = []), 'modles: unknown key'],
    ['unknown nested key', (d) => (d.models[1].servedname = 'x'), 'models[1].servedname: unknown key'],
    ['no models', (d) => (d.models = []), 'models:'],
    ['bad endpoint', (d) => (d.models[0].endpoints = ['nohost']), 'models[0].endpoints[0]: expected host:port with a port in 1-65535, got "nohost"'],
    ['keyword without words', (d) => (d.signals.keyword[0] = { name: 'x' }), 'signals.keyword[0]'],
    [
      'unknown signal in a nested rule',
      (d) => (d.decisions[0].rules = { all: ['code', { not: ['mathy'] }] }),
      'decisions[0].rules.all[1].not[0]: unknown signal "mathy" (known: code, urgent)',
    ],
    ['unknown model in a decision', (d) => (d.decisions[1].models = [{ model: 'tiny' }]), 'decisions[1].models[0].model: unknown model "tiny"'],
    ['duplicate model', (d) => d.models.push({ ...d.models[0] }), 'duplicate model name "small"'],
    ['duplicate decision', (d) => d.decisions.push({ ...d.decisions[0] }), 'duplicate decision name "coding"'],
    ['duplicate signal', (d) => d.signals.keyword.push({ name: 'code', any: ['x'] }), 'duplicate signal name "code"'],
    ['unknown default decision', (d) => (d.routing.default_decision = 'nope'), 'routing.default_decision: unknown decision "nope"'],
    ['unknown default model', (d) => (d.routing.default_model = 'nope'), 'routing.default_model: unknown model "nope"'],
    ['auto name that is a model', (d) => d.routing.auto_model_names.push('small'), 'routing.auto_model_names[2]'],
    ['not with two rules', (d) => (d.decisions[0].rules = { not: ['code', 'urgent'] }), 'decisions[0].rules'],
  ])('rejects %s', (_name, change, expected) => {
    const found = problems(change);
    expect(found.join('\n')).toContain(expected);
  });

  it('loads a YAML file and reports YAML errors with the file name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'semroute-cfg-'));
    try {
      const good = path.join(dir, 'good.yaml');
      writeFileSync(good, 'version: v1\nmodels:\n  - name: m\n');
      expect(loadConfigFile(good).models[0]!.name).toBe('m');
      const bad = path.join(dir, 'bad.yaml');
      writeFileSync(bad, 'version: v1\nmodels: [\n');
      expect(() => loadConfigFile(bad)).toThrow(/bad\.yaml is not valid YAML/);
      expect(() => loadConfigFile(path.join(dir, 'missing.yaml'))).toThrow(/cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts the demo config', () => {
    const cfg = loadConfigFile(path.resolve('deploy/local/semroute.yaml'));
    expect(cfg.models.map((m) => m.name)).toEqual(['qwen3-8b', 'qwen3-235b']);
  });
});
