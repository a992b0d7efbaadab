// `semroute explain` through the built binary, over a keyword-only config: stdin and file input,
// the human and --json forms, a blocked request, an invalid body, and the exit codes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { baseConfigDoc } from '../helpers/config.js';
import { BIN, ROOT, ensureBuilt } from '../helpers/cli.js';

let dir: string;
let config: string;

function explain(args: string[], stdin = '') {
  const r = spawnSync('node', [BIN, 'explain', ...args], { cwd: ROOT, input: stdin, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const chat = (content: string, extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }], ...extra });

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'semroute-explain-'));
  const doc = baseConfigDoc() as any;
  doc.signals.header = [{ name: 'premium', header: 'x-user-tier', values: ['premium'] }];
  doc.decisions.unshift(
    { name: 'refuse_urgent', priority: 500, rules: { any: ['urgent'] }, plugins: { block: { status: 403 } } },
    { name: 'premium_users', priority: 300, rules: { all: ['premium', { not: ['code'] }] }, models: [{ model: 'large' }] },
  );
  config = path.join(dir, 'semroute.yaml');
  writeFileSync(config, stringify(doc));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('semroute explain', () => {
  it('explains a body from stdin: signals, rule trees, decision, model', () => {
    const r = explain(['--config', config], chat('Why does my python function crash?'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('request: openai.chat, model "auto", 1 message, ~');
    expect(r.stdout).toMatch(/^ {2}name +kind +matched +confidence +ms +detail$/m);
    expect(r.stdout).toMatch(/^ {2}code +keyword +✓ +1\.00 +\d+\.\d\d +matched "python"$/m);
    expect(r.stdout).toMatch(/^ {2}urgent +keyword +✗ +0\.00 +\d+\.\d\d$/m);
    expect(r.stdout).toMatch(/^ {2}premium +header +✗ +0\.00 +\d+\.\d\d +x-user-tier absent$/m);
    expect(r.stdout).toContain(
      [
        'decisions (evaluation order):',
        '  ✗ refuse_urgent (priority 500) 0.00',
        '    ✗ any 0.00',
        '      ✗ urgent 0.00',
        '  ✗ premium_users (priority 300) 0.00',
        '    ✗ all 0.00',
        '      ✗ premium 0.00',
        '      ✗ not 0.00',
        '        ✓ code 1.00',
        '  ✓ coding (priority 100) 1.00',
        '    ✓ any 1.00',
        '      ✓ code 1.00',
        '  ✓ general (priority 0) 1.00',
        '    ✓ all 1.00',
        '',
        'decision: coding (highest priority match (100))',
        'model: large (first fitting candidate)',
        'plugins: none',
      ].join('\n'),
    );
    expect(r.stdout).toMatch(/\ntotal: \d+\.\d\d ms\n$/);
  });

  it('reads a body file, passes --header to routing, and prints JSON with --json', () => {
    const file = path.join(dir, 'body.json');
    writeFileSync(file, chat('What is the capital of France?', { temperature: 0.2 }));
    const r = explain(['--config', config, '--json', '--header', 'X-User-Tier: premium', file]);
    expect(r.code).toBe(0);
    const trace = JSON.parse(r.stdout);
    expect(trace).toMatchObject({ route: 'auto', decision: 'premium_users', why: 'highest priority match (300)', model: 'large', plugins: [] });
    expect(trace.signals.find((s: any) => s.name === 'premium')).toMatchObject({ kind: 'header', matched: true, confidence: 1, detail: 'x-user-tier present' });
    expect(trace.forwardedBody).toEqual({ model: 'org/large-235b', messages: [{ role: 'user', content: 'What is the capital of France?' }], temperature: 0.2 });
    expect(explain(['--config', config, '--json', file]).stdout).toContain('"decision":"general"');
  });

  it('explains text completions with --protocol completions, from "-"', () => {
    const r = explain(['--config', config, '--protocol', 'completions', '--json', '-'], JSON.stringify({ model: 'auto', prompt: '# a python function' }));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ request: { protocol: 'openai.completions', model: 'auto' }, decision: 'coding' });
  });

  it('shows a blocked request with its refusal, and exits 0', () => {
    const r = explain(['--config', config], chat('fix this asap'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('decision: refuse_urgent (highest priority match (500))\nplugins: none\nblocked: 403 blocked_by_policy: This request was blocked by policy.\n');
    expect(r.stdout).not.toContain('model:');
  });

  it('shows the 400 reply for an invalid body, and exits 0', () => {
    const r = explain(['--config', config], '{"model": "auto",');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^request: openai\.chat, unreadable body\n\ndecision: none \(the request body is invalid\)\nerror: 400 invalid_json: The request body is not valid JSON/);
    const json = JSON.parse(explain(['--config', config, '--json'], '').stdout);
    expect(json).toMatchObject({ route: 'error', decision: 'none', reply: { status: 400, code: 'missing_body' } });
  });

  it('explains an explicit and an unknown model', () => {
    expect(explain(['--config', config], JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'hi' }] })).stdout).toContain(
      'decision: explicit (the client named model "small")\nmodel: small (named by the client)\n',
    );
    expect(explain(['--config', config], JSON.stringify({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] })).stdout).toContain(
      'decision: none (unknown model "gpt-9")\nerror: 404 model_not_found: The model "gpt-9" does not exist.\n',
    );
  });

  it.each([
    [[], 'explain needs --config FILE'],
    [['--config', 'x.yaml', '--protocol', 'embeddings'], 'unknown --protocol "embeddings" (chat, completions, responses or messages)'],
    [['--config', 'x.yaml', '--header', 'no-colon'], `--header needs 'NAME: VALUE', got "no-colon"`],
    [['--config', 'x.yaml', 'a.json', 'b.json'], 'explain takes at most one BODYFILE'],
    [['--config', 'x.yaml', '--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 with usage for %j', (args, message) => {
    const r = explain(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('Usage:');
  });

  it('exits 1 for a config error or an unreadable body file', () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: v1\nmodels: []\n');
    const r = explain(['--config', bad], chat('hi'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('models:');
    const missing = explain(['--config', config, path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.json: ENOENT');
  });
});
