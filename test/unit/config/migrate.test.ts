import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CURRENT_VERSION, MIGRATIONS, MigrationError, migrate, type Migration } from '../../../src/config/migrate.js';

describe('config migrations', () => {
  it('v1 -> v1 is the identity, and a copy', () => {
    const doc = parse(readFileSync('deploy/local/semroute.yaml', 'utf8'));
    const r = migrate(doc);
    expect(CURRENT_VERSION).toBe('v1');
    expect(r.doc).toEqual(doc);
    expect(r.doc).not.toBe(doc);
    expect(r.steps.map((s) => `${s.from}->${s.to}`)).toEqual(['v1->v1']);
  });

  it('chains steps towards the target (a registry with a made-up v0 and v2)', () => {
    const registry = new Map<string, Migration>([
      ['v0', { from: 'v0', to: 'v1', summary: 'renamed', migrate: (d) => ({ ...d, version: 'v1', renamed: true }) }],
      ['v1', { from: 'v1', to: 'v2', summary: 'nested', migrate: (d) => ({ ...d, version: 'v2', nested: { renamed: d.renamed } }) }],
      ['v2', { from: 'v2', to: 'v2', summary: 'current', migrate: (d) => structuredClone(d) }],
    ]);
    const r = migrate({ version: 'v0' }, 'v2', registry);
    expect(r.doc).toEqual({ version: 'v2', renamed: true, nested: { renamed: true } });
    expect(r.steps.map((s) => s.from)).toEqual(['v0', 'v1']);
  });

  it('refuses unknown versions, a missing version and unreachable targets', () => {
    expect(() => migrate({ version: 'v9' })).toThrow(new MigrationError('unknown config version "v9" (known: v1)'));
    expect(() => migrate({})).toThrow(/no "version:"/);
    expect(() => migrate({ version: 'v1' }, 'v2')).toThrow(/no path from v1 to v2/);
    expect(() => migrate({ version: 'v1' }, 'v1', new Map([['v1', { from: 'v1', to: 'v1', summary: '', migrate: () => ({ version: 'v2' }) }]]))).toThrow(/wrote version v2/);
    expect([...MIGRATIONS.keys()]).toEqual(['v1']);
  });
});
