// Rebuilding every model (and the PII fixture) from ../shared/datasets gives byte-identical files
// to the committed ones.
import { afterAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_NAMES, MODEL_NAMES, buildModels } from '../../../tools/models/build-all.js';
import { loadCorpus } from '../../../tools/models/corpus.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DATASETS = join(REPO, '..', 'shared', 'datasets');
const hasDatasets = existsSync(join(DATASETS, 'domain', 'train.jsonl'));
const out = mkdtempSync(join(tmpdir(), 'semroute-models-'));

function digests(dir: string, names: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of names) {
    for (const file of readdirSync(join(dir, name)).sort()) {
      result[`${name}/${file}`] = createHash('sha256').update(readFileSync(join(dir, name, file))).digest('hex');
    }
  }
  return result;
}

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('default models rebuild', () => {
  const run = hasDatasets ? test : test.skip;
  run(
    hasDatasets
      ? 'rebuilding from ../shared/datasets reproduces every committed file byte for byte'
      : 'rebuild skipped: ../shared/datasets not present (the committed models are used as they are)',
    () => {
      const corpus = loadCorpus(DATASETS);
      buildModels(corpus, join(out, 'models'));
      buildModels(corpus, join(out, 'fixtures'), FIXTURE_NAMES);
      const rebuilt = digests(join(out, 'models'), MODEL_NAMES);
      expect(Object.keys(rebuilt).length).toBeGreaterThanOrEqual(MODEL_NAMES.length * 6);
      expect(rebuilt).toEqual(digests(join(REPO, 'models'), MODEL_NAMES));
      expect(digests(join(out, 'fixtures'), FIXTURE_NAMES)).toEqual(digests(join(REPO, 'test', 'fixtures', 'models'), FIXTURE_NAMES));
    },
    120_000,
  );
});
