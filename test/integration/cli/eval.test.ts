// `semroute eval` over a tiny real ONNX classifier (see test/integration/inference/fixtures).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runEval } from '../../../src/cli/eval.js';
import { writeTinyModel } from '../inference/fixtures/tiny-model.js';

let dir: string;
let modelDir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'semroute-eval-'));
  const weights: Record<string, number[]> = { code: [3, 0], bug: [2, 0], cake: [0, 3], sugar: [0, 2] };
  modelDir = await writeTinyModel(
    { task: 'sequence-classification', words: ['code', 'bug', 'cake', 'sugar', 'hello'], labels: ['coding', 'cooking'], weights: (t) => weights[t] ?? [0, 0], width: 2 },
    path.join(dir, 'tiny'),
  );
  const lines = [
    { text: 'code a bug', label: 'coding' },
    { text: 'fix this code', label: 'coding' },
    { text: 'sugar cake', label: 'cooking' },
    { text: 'cake and code code', label: 'cooking' }, // predicted coding
    '',
    { text: 'bake sugar', label: 'cooking' },
  ];
  await writeFile(path.join(dir, 'data.jsonl'), lines.map((l) => (l === '' ? '' : JSON.stringify(l))).join('\n'));
  await writeFile(path.join(dir, 'bad.jsonl'), `${JSON.stringify({ text: 'a', label: 'coding' })}\n{"text": oops}\n`);
  await writeFile(path.join(dir, 'unknown.jsonl'), `${JSON.stringify({ text: 'a', label: 'coding' })}\n${JSON.stringify({ text: 'b', label: 'baking' })}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runEval(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe('semroute eval', () => {
  test('--json prints one object with accuracy, per-class metrics and the confusion matrix', async () => {
    const r = await run(['--model', modelDir, '--dataset', path.join(dir, 'data.jsonl'), '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!);
    expect(report).toMatchObject({ count: 5, accuracy: 0.8, labels: ['coding', 'cooking'], confusion: [[2, 0], [1, 2]] });
    expect(report.per_class.coding).toEqual({ precision: 2 / 3, recall: 1, f1: 0.8, support: 2 });
    expect(report.per_class.cooking).toMatchObject({ precision: 1, recall: 2 / 3, support: 3 });
  });

  test('the text report shows accuracy, the metrics table and the matrix', async () => {
    const r = await run(['--model', 'tiny', '--dataset', path.join(dir, 'data.jsonl')].map((a) => (a === 'tiny' ? path.relative(process.cwd(), modelDir) : a)));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('accuracy: 0.8000 (4/5)');
    expect(r.stdout).toMatch(/coding\s+0\.6667\s+1\.0000\s+0\.8000\s+2/);
    expect(r.stdout).toMatch(/cooking\s+1\s+2\n/);
  });

  test('--config resolves a model named in a config, relative to the config file', async () => {
    const cfg = path.join(dir, 'semroute.yaml');
    await writeFile(cfg, `version: v1\nmodels: [{ name: m }]\ninference:\n  models:\n    kitchen: { path: tiny, task: sequence-classification }\n    vec: { path: tiny, task: embedding }\n`);
    const r = await run(['--config', cfg, '--model', 'kitchen', '--dataset', path.join(dir, 'data.jsonl'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ model: 'kitchen', model_dir: modelDir, accuracy: 0.8 });
    const missing = await run(['--config', cfg, '--model', 'nope', '--dataset', path.join(dir, 'data.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no inference model "nope" (known: domain, embedding, jailbreak, kitchen, vec)');
    const wrongTask = await run(['--config', cfg, '--model', 'vec', '--dataset', path.join(dir, 'data.jsonl')]);
    expect(wrongTask.stderr).toContain('has task embedding; eval needs sequence-classification');
  });

  test('bad input exits 1 with the reason on stderr', async () => {
    const bad = await run(['--model', modelDir, '--dataset', path.join(dir, 'bad.jsonl')]);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toContain('bad.jsonl:2: not valid JSON');
    const unknown = await run(['--model', modelDir, '--dataset', path.join(dir, 'unknown.jsonl')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown.jsonl:2: unknown label "baking" (model labels: coding, cooking)');
    const missing = await run(['--model', modelDir, '--dataset', path.join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read dataset .*nope\.jsonl: ENOENT/);
    const noModel = await run(['--model', 'no-such-model', '--dataset', path.join(dir, 'data.jsonl')]);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/model no-such-model not found \(looked in .*models\/no-such-model/);
  });

  test('usage errors exit 2', async () => {
    expect((await run(['--dataset', 'x.jsonl'])).code).toBe(2);
    expect((await run(['--model', 'm'])).code).toBe(2);
    expect((await run(['--model', 'm', '--dataset', 'x', '--bogus'])).code).toBe(2);
    const p = await run(['--model', 'm', '--dataset', 'x', '--provider', 'tpu']);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('unknown --provider tpu');
  });
});
