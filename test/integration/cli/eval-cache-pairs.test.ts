// `semroute eval --cache-pairs`: the built CLI on the shipped held-out pairs and the shipped
// embedding model (the calibration models/README.md reports), and its input errors.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runEval } from '../../../src/cli/eval.js';
import { cacheSchema } from '../../../src/config/schema/state.js';
import { ensureBuilt, ROOT, runCli } from '../../helpers/cli.js';

const SHIPPED = 'models/embedding/heldout-pairs.jsonl';
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'semroute-cache-pairs-'));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runEval(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

const SMALL = [
  { a: 'Convert 10 km to miles', b: 'convert 10 km to miles?', same: true },
  { a: 'Convert 10 km to miles', b: 'Convert 10 miles to km', same: false },
  { a: 'Is chocolate safe for dogs?', b: 'Is chocolate not safe for dogs?', same: false },
];

describe('semroute eval --cache-pairs on the shipped pairs and model', () => {
  let report: any;
  beforeAll(() => {
    const r = runCli(['eval', '--cache-pairs', SHIPPED, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    report = JSON.parse(r.stdout);
  }, 120_000);

  test('counts every pair of the file and names the shipped model', async () => {
    const lines = (await readFile(path.join(ROOT, SHIPPED), 'utf8')).split('\n').filter((l) => l.trim() !== '');
    expect(report.pairs).toBe(lines.length);
    expect(report.paraphrases + report.near_misses).toBe(lines.length);
    expect(report.near_misses).toBeGreaterThan(500);
    expect(report.model_dir).toBe(path.join(ROOT, 'models', 'embedding'));
    expect(report.guard).toBe('default');
  });

  test('the curve: rates fall as the threshold rises, and the guard only removes hits', () => {
    const curve = report.curve as { threshold: number; falseHitRate: number; paraphraseHitRate: number; guarded: { falseHitRate: number; paraphraseHitRate: number } }[];
    expect(curve.length).toBeGreaterThan(10);
    curve.forEach((c, i) => {
      expect(c.guarded.falseHitRate).toBeLessThanOrEqual(c.falseHitRate);
      expect(c.guarded.paraphraseHitRate).toBeLessThanOrEqual(c.paraphraseHitRate);
      if (i === 0) return;
      const prev = curve[i - 1]!;
      expect(c.threshold).toBeGreaterThan(prev.threshold);
      expect(c.falseHitRate).toBeLessThanOrEqual(prev.falseHitRate);
      expect(c.paraphraseHitRate).toBeLessThanOrEqual(prev.paraphraseHitRate);
    });
  });

  test('the shipped default similarity keeps guarded false hits at or under 1% on these pairs', () => {
    const { guarded, unguarded } = report.lowest;
    expect(report.max_false_hits).toBe(0.01);
    expect(guarded.falseHitRate).toBeLessThanOrEqual(0.01);
    expect(unguarded.falseHitRate).toBeLessThanOrEqual(0.01);
    expect(guarded.threshold).toBeLessThanOrEqual(unguarded.threshold);
    const shipped = cacheSchema.parse({}).similarity;
    expect(report).toMatchObject({ similarity: shipped, similarity_source: 'default' });
    expect(shipped).toBeGreaterThanOrEqual(guarded.threshold);
    expect(report.at_similarity.guarded.falseHitRate).toBeLessThanOrEqual(0.01);
    expect(guarded.paraphraseHitRate).toBeGreaterThan(0.3);
  });

  test('per kind figures at the guarded threshold, when the file names kinds', () => {
    expect(report.by_kind.threshold).toBe(report.lowest.guarded.threshold);
    const kinds = report.by_kind.kinds as { kind: string; same: boolean; count: number }[];
    expect(kinds.some((k) => k.kind.startsWith('template:') && !k.same)).toBe(true);
    expect(kinds.reduce((n, k) => n + k.count, 0)).toBe(report.pairs);
  });
});

describe('semroute eval --cache-pairs options and input errors', () => {
  test('the text report has the table and both lowest thresholds', async () => {
    const file = path.join(dir, 'small.jsonl');
    await writeFile(file, SMALL.map((p) => JSON.stringify(p)).join('\n'));
    const r = await run(['--cache-pairs', file, '--model', 'models/embedding', '--max-false-hits', '0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pairs: ');
    expect(r.stdout).toContain('(3 pairs: 1 paraphrases, 2 near misses)');
    expect(r.stdout).toMatch(/threshold {2}false hits {2}paraphrase hits {2}false hits \(guard\) {2}paraphrase hits \(guard\)/);
    expect(r.stdout).toMatch(/at the default similarity 0\.\d+: false hits/);
    expect(r.stdout).toContain('without the guard: ');
    expect(r.stdout).toContain('with the guard: ');
  }, 60_000);

  test('--config takes the cache embedding model and the guard from the config (guard off: same figures)', async () => {
    const file = path.join(dir, 'small.jsonl');
    await writeFile(file, SMALL.map((p) => JSON.stringify(p)).join('\n'));
    const cfg = path.join(dir, 'cfg.yaml');
    const vec = path.join(ROOT, 'models', 'embedding');
    await writeFile(cfg, `version: v1\nmodels: [{ name: m }]\ncache: { similarity: 0.9, embedding_model: vec, guard: { enabled: false } }\ninference:\n  models:\n    vec: { path: ${vec}, task: embedding }\n`);
    const r = await run(['--cache-pairs', file, '--config', cfg, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ model_dir: path.join(ROOT, 'models', 'embedding'), guard: 'off in config', similarity: 0.9, similarity_source: 'config' });
    for (const c of report.curve) expect(c.guarded).toEqual({ falseHitRate: c.falseHitRate, paraphraseHitRate: c.paraphraseHitRate });
  }, 60_000);

  test('bad lines, a file without near misses and bad options are refused', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify(SMALL[0])}\n{"a": "x", "b": "y", "same": "yes"}\n`);
    const r1 = await run(['--cache-pairs', bad]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(`${bad}:2: expected {"a": string, "b": string, "same": boolean, "kind"?: string}`);
    const same = path.join(dir, 'same.jsonl');
    await writeFile(same, `${JSON.stringify(SMALL[0])}\n`);
    const r2 = await run(['--cache-pairs', same]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('no near misses');
    const r3 = await run(['--cache-pairs', same, '--max-false-hits', '2']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('--max-false-hits needs a number from 0 to 1, got "2"');
    const r4 = await run(['--cache-pairs', path.join(dir, 'missing.jsonl')]);
    expect(r4.code).toBe(1);
    expect(r4.stderr).toContain('cannot read pairs');
  });
});
