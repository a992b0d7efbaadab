// `semroute eval --config FILE --dataset FILE.jsonl` (routing mode) through the built binary, over
// a keyword-only config: accuracy and confusion matrices, a deliberately wrong expectation, bad
// lines, and --min-accuracy's exit code.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { baseConfigDoc } from '../helpers/config.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';

let dir: string;
let config: string;
let dataset: string;

const LINES = [
  { text: 'fix my python function', expected_decision: 'coding', expected_model: 'large' },
  { text: 'what is the capital of France', expected_decision: 'general' },
  { text: 'show me a stack trace example', expected_decision: 'coding' },
  { text: 'write a poem about the sea', expected_decision: 'coding' }, // deliberately wrong: general
  { text: 'answer this asap', expected_decision: 'refuse_urgent', expected_model: '(none)' },
  { messages: [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi' }, { role: 'user', content: 'python please' }], expected_model: 'large' },
  '{"text": not json',
  { text: 'no expectation here' },
  { expected_decision: 'general' },
  { text: 'hello', expected_decision: 'nope' },
  '',
  { text: 'tell me about python', expected_model: 'small' }, // wrong: the coding decision picks large
];

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'semroute-eval-routing-'));
  const doc = baseConfigDoc() as any;
  doc.decisions.unshift({ name: 'refuse_urgent', priority: 500, rules: { any: ['urgent'] }, plugins: { block: { status: 403 } } });
  config = path.join(dir, 'semroute.yaml');
  writeFileSync(config, stringify(doc));
  dataset = path.join(dir, 'routing.jsonl');
  writeFileSync(dataset, LINES.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const evalRouting = (...extra: string[]) => runCli(['eval', '--config', config, '--dataset', dataset, ...extra]);

describe('semroute eval (routing)', () => {
  it('--json reports accuracy, confusion matrices, precision/recall, misroutes and bad lines', () => {
    const r = evalRouting('--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ config, dataset, lines: 11, evaluated: 7, misroute_count: 2 });
    expect(report.bad_lines).toEqual([
      { line: 7, error: 'not valid JSON' },
      { line: 8, error: 'no expectation: give "expected_decision" and/or "expected_model"' },
      { line: 9, error: 'no text: give a non-empty "text" or "messages"' },
      { line: 10, error: 'unknown decision "nope" (known: refuse_urgent, coding, general)' },
    ]);
    expect(report.decisions).toMatchObject({ count: 5, accuracy: 0.8, labels: ['refuse_urgent', 'coding', 'general'], confusion: [[1, 0, 0], [0, 2, 1], [0, 0, 1]] });
    expect(report.decisions.per_class.coding).toMatchObject({ precision: 1, recall: 2 / 3, support: 3 });
    expect(report.decisions.per_class.general).toMatchObject({ precision: 0.5, recall: 1, support: 1 });
    expect(report.models).toMatchObject({ count: 4, accuracy: 0.75, labels: ['small', 'large', '(none)'], confusion: [[0, 1, 0], [0, 2, 0], [0, 0, 1]] });
    expect(report.worst_misroutes).toEqual([
      { line: 4, text: 'write a poem about the sea', expected_decision: 'coding', decision: 'general', model: 'small', confidence: 1, expected_confidence: 0 },
      { line: 12, text: 'tell me about python', decision: 'coding', expected_model: 'small', model: 'large', confidence: 1 },
    ]);
    expect(report.routing_ms.mean).toBeGreaterThan(0);
    expect(report.routing_ms.p99).toBeGreaterThanOrEqual(report.routing_ms.mean);
  });

  it('prints the same report for people', () => {
    const r = evalRouting();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`dataset: ${dataset} (11 lines: 7 evaluated, 4 bad)\n`);
    expect(r.stdout).toContain('bad lines:\n  line 7: not valid JSON\n  line 8: no expectation');
    expect(r.stdout).toContain('decisions (5 lines with expected_decision)\naccuracy: 0.8000 (4/5)\n');
    expect(r.stdout).toMatch(/^coding +1\.0000 +0\.6667 +0\.8000 +3$/m);
    expect(r.stdout).toMatch(/^true \\ predicted +refuse_urgent +coding +general\nrefuse_urgent +1 +0 +0\ncoding +0 +2 +1\ngeneral +0 +0 +1$/m);
    expect(r.stdout).toContain('models (4 lines with expected_model)\naccuracy: 0.7500 (3/4)\n');
    expect(r.stdout).toMatch(/^ {2}4 +coding +0\.00 +general +1\.00 +"write a poem about the sea"$/m);
    expect(r.stdout).toMatch(/^ {2}12 +\* \/ small +coding \/ large +1\.00 +"tell me about python"$/m);
    expect(r.stdout).toMatch(/\nrouting time: mean \d+\.\d\d ms, p99 \d+\.\d\d ms\n$/);
  });

  it('--min-accuracy fails (exit 1) when an accuracy falls below it', () => {
    expect(evalRouting('--min-accuracy', '0.75').code).toBe(0);
    const r = evalRouting('--min-accuracy', '0.8');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('semroute eval: model accuracy 0.7500 is below 0.8 (--min-accuracy)\n');
    expect(r.stdout).toContain('accuracy: 0.8000 (4/5)');
  });

  it('exits 2 on usage errors and 1 on unusable input', () => {
    expect(runCli(['eval', '--config', config]).code).toBe(2);
    const range = evalRouting('--min-accuracy', '2');
    expect(range.code).toBe(2);
    expect(range.stderr).toContain('--min-accuracy needs a number from 0 to 1, got "2"');
    expect(evalRouting('--bogus').code).toBe(2);
    const missing = runCli(['eval', '--config', config, '--dataset', path.join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read dataset .*nope\.jsonl: ENOENT/);
    const onlyBad = path.join(dir, 'bad.jsonl');
    writeFileSync(onlyBad, '{"text": "hi"}\n');
    const none = runCli(['eval', '--config', config, '--dataset', onlyBad]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no line could be evaluated');
  });
});
