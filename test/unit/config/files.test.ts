import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatIssue } from '../../../src/config/issues.js';
import { ConfigError, parseConfig } from '../../../src/config/load.js';
import { PACKAGE_ROOT } from '../../../src/config/files.js';
import { baseConfigDoc } from '../../helpers/config.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'semroute-files-'));
  writeFileSync(path.join(dir, 'admin-token'), 'a-very-secret-admin-token-123\n');
  writeFileSync(path.join(dir, 'redis-pass'), 's3cret\n');
  writeFileSync(path.join(dir, 'empty'), '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function issuesOf(doc: any): string[] {
  try {
    parseConfig(doc, { baseDir: dir });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map(formatIssue);
    throw e;
  }
}

describe('secrets from files and relative paths', () => {
  it('reads token_file and password_file relative to the config folder, trimmed', () => {
    const doc = baseConfigDoc() as any;
    doc.security = { admin_tokens: [{ token_file: 'admin-token', role: 'admin' }] };
    doc.state = { backend: 'memory', redis: { url: 'redis://r:6379', password_file: 'redis-pass', tls: { enabled: true, ca_file: 'ca.pem' } } };
    const cfg = parseConfig(doc, { baseDir: dir });
    expect(cfg.security.admin_tokens[0]).toMatchObject({ token: 'a-very-secret-admin-token-123', role: 'admin', token_file: path.join(dir, 'admin-token') });
    expect(cfg.state.redis?.password).toBe('s3cret');
    expect(cfg.state.redis?.tls.ca_file).toBe(path.join(dir, 'ca.pem'));
  });

  it('reports a missing or empty secret file with its path', () => {
    const doc = baseConfigDoc() as any;
    doc.security = { admin_tokens: [{ token_file: 'missing' }, { token_file: 'empty' }] };
    expect(issuesOf(doc)).toEqual([
      'security.admin_tokens[0].token_file: cannot read ' + path.join(dir, 'missing') + ': ENOENT',
      'security.admin_tokens[1].token_file: ' + path.join(dir, 'empty') + ' is empty',
    ]);
  });

  it('needs exactly one of token and token_file', () => {
    const doc = baseConfigDoc() as any;
    doc.security = { admin_tokens: [{ role: 'admin' }] };
    expect(issuesOf(doc)[0]).toBe('security.admin_tokens[0]: give exactly one of token and token_file');
  });

  it('resolves inference model paths against the config folder; built-ins against the package', () => {
    const doc = baseConfigDoc() as any;
    doc.inference = { models: { mine: { path: 'models/mine', task: 'embedding' } } };
    const cfg = parseConfig(doc, { baseDir: dir });
    expect(cfg.inference.models.mine!.path).toBe(path.join(dir, 'models/mine'));
    expect(cfg.inference.models.domain!.path).toBe(path.join(PACKAGE_ROOT, 'models/domain-classifier'));
    expect(cfg.inference.models.embedding!.task).toBe('embedding');
  });
});
