// Reading the training data and the stable held-out split.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fnv1a } from './prng.js';

export interface LabelledText {
  text: string;
  label: string;
  source: string;
}

export class DatasetsMissingError extends Error {}

export function readJsonl(path: string): LabelledText[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const row = JSON.parse(line) as Partial<LabelledText>;
      if (typeof row.text !== 'string' || typeof row.label !== 'string') throw new Error(`bad row in ${path}`);
      return { text: row.text, label: row.label, source: typeof row.source === 'string' ? row.source : '' };
    });
}

export function requireDatasets(dir: string): void {
  if (!existsSync(join(dir, 'domain', 'train.jsonl')) || !existsSync(join(dir, 'jailbreak', 'train.jsonl'))) {
    throw new DatasetsMissingError(
      `datasets not found at ${dir}: retraining needs ../shared/datasets; the committed models under models/ work without it`,
    );
  }
}

/** hash(text) mod 10 == 0 → held out. Depends only on the text, so it never moves. */
export function isHeldOut(text: string): boolean {
  return fnv1a(text) % 10 === 0;
}

export function splitHeldOut<T extends { text: string }>(rows: readonly T[]): { train: T[]; test: T[] } {
  const train: T[] = [];
  const test: T[] = [];
  for (const row of rows) (isHeldOut(row.text) ? test : train).push(row);
  return { train, test };
}
