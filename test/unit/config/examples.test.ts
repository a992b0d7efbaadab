// The shipped configs validate; a set of broken ones fails with the exact path; the generated
// reference (docs/config.md) and JSON Schema (docs/semroute.schema.json) are current.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runSchema, runValidate } from '../../../src/cli/config-commands.js';

const EXAMPLES = ['examples/config/minimal.yaml', 'examples/config/full.yaml', 'examples/config/endpoint-picker.yaml', 'deploy/kubernetes/base/semroute.yaml', 'deploy/local/semroute.yaml'];
const BROKEN_DIR = 'test/fixtures/config/broken';

function capture() {
  let text = '';
  return { out: { write: (s: string) => (text += s) }, text: () => text };
}

async function validate(file: string, json = false) {
  const out = capture();
  const err = capture();
  const code = await runValidate(json ? ['--json', file] : [file], out.out, err.out);
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('semroute validate on the shipped configs', () => {
  it.each(EXAMPLES)('%s is valid', async (file) => {
    const r = await validate(file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: valid \(\d+ models?, \d+ decisions?, \d+ signals?\)/);
  });
});

describe('semroute validate on broken configs', () => {
  const files = readdirSync(BROKEN_DIR).filter((f) => f.endsWith('.yaml'));
  it('has broken configs to check', () => expect(files.length).toBeGreaterThanOrEqual(10));

  it.each(files)('%s exits 1 with the exact path', async (name) => {
    const file = path.join(BROKEN_DIR, name);
    const expected = /^# expect: (.*)$/m.exec(readFileSync(file, 'utf8'))![1]!;
    const r = await validate(file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}: invalid`);
    expect(r.stderr).toContain(expected);

    const j = await validate(file, true);
    expect(j.code).toBe(1);
    const report = JSON.parse(j.stdout);
    expect(report.valid).toBe(false);
    const sep = expected.indexOf(': ');
    expect(report.errors).toContainEqual({ path: expected.slice(0, sep), message: expect.stringContaining(expected.slice(sep + 2)) });
  });

  it('--json reports a valid file with a summary', async () => {
    const r = await validate('examples/config/minimal.yaml', true);
    expect(JSON.parse(r.stdout)).toEqual({ file: 'examples/config/minimal.yaml', valid: true, errors: [], summary: { models: 2, decisions: 2, signals: 1 } });
  });

  it('accepts tracing (telemetry.tracing.otlp_endpoint is no longer refused)', async () => {
    const r = await validate(path.join(BROKEN_DIR, '..', 'tracing.yaml'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('semroute schema', () => {
  const gen = (format: string) => {
    const out = capture();
    runSchema(['--format', format], out.out);
    return out.text();
  };

  it('prints a JSON Schema with every top-level section, descriptions and the rule tree', () => {
    const schema = JSON.parse(gen('json'));
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties)).toEqual(['version', 'listeners', 'routing', 'models', 'signals', 'decisions', 'inference', 'state', 'affinity', 'cache', 'responses', 'security', 'telemetry']);
    expect(schema.required).toEqual(['version', 'models']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.$defs.Rule).toBeDefined();
    expect(schema.properties.models.items.properties.served_name.description).toContain('--served-model-name');
  });

  it.each([
    ['docs/semroute.schema.json', 'json'],
    ['docs/config.md', 'markdown'],
  ])('%s is current (regenerate with `make docs`)', (file, format) => {
    expect(readFileSync(file, 'utf8')).toBe(gen(format));
  });
});
