// Precision/recall of the rule recognisers on the Presidio synthetic data sets, per type.
// Skipped when /work/shared/datasets/pii is absent. Set PII_EVAL_PRINT=1 to print the table.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { createPiiDetector } from '../../../src/pii/detector.js';
import { RULE_PII_TYPES, type PiiSpan } from '../../../src/pii/types.js';

const DIR = process.env.PII_DATASET_DIR ?? '/work/shared/datasets/pii';

interface GoldSpan {
  entity_type: string;
  start_position: number;
  end_position: number;
}
interface Sample {
  full_text: string;
  spans: GoldSpan[];
}
interface Tally {
  tp: number;
  fp: number;
  fn: number;
  exact: number;
}

/** Floors per type, a few points under what the rules measure (see docs/pii.md). */
const RECALL_FLOOR: Record<string, number> = {
  EMAIL_ADDRESS: 0.95,
  CREDIT_CARD: 0.95,
  IBAN_CODE: 0.95,
  US_SSN: 0.95,
  IP_ADDRESS: 0.9,
  PHONE_NUMBER: 0.85,
};
const PRECISION_FLOOR = 0.9;

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean =>
  a.start < b.end && b.start < a.end;

function tallyFile(samples: Sample[], predict: (text: string) => Promise<PiiSpan[]>, tallies: Map<string, Tally>) {
  return Promise.all(
    samples.map(async (s) => {
      const predicted = await predict(s.full_text);
      for (const type of RULE_PII_TYPES) {
        const t = tallies.get(type) ?? { tp: 0, fp: 0, fn: 0, exact: 0 };
        tallies.set(type, t);
        const gold = s.spans
          .filter((g) => g.entity_type === type)
          .map((g) => ({ start: g.start_position, end: g.end_position }));
        const pred = predicted.filter((p) => p.type === type);
        for (const g of gold) {
          const hit = pred.find((p) => overlaps(p, g));
          if (!hit) t.fn++;
          else {
            t.tp++;
            if (hit.start === g.start && hit.end === g.end) t.exact++;
          }
        }
        t.fp += pred.filter((p) => !gold.some((g) => overlaps(p, g))).length;
      }
    }),
  );
}

const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.json')) : [];

describe.each(files.length > 0 ? files : ['(no dataset)'])('presidio synthetic data: %s', (file) => {
  const run = files.length > 0 ? test : test.skip;
  run('rule precision and recall per type stay above their floors', async () => {
    const samples = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Sample[];
    const detector = createPiiDetector();
    const tallies = new Map<string, Tally>();
    await tallyFile(samples, (t) => detector.detect(t), tallies);
    const rows = [...tallies].map(([type, t]) => ({
      type,
      gold: t.tp + t.fn,
      precision: t.tp + t.fp === 0 ? 1 : t.tp / (t.tp + t.fp),
      recall: t.tp + t.fn === 0 ? 1 : t.tp / (t.tp + t.fn),
      exact: t.tp === 0 ? 0 : t.exact / t.tp,
      fp: t.fp,
    }));
    if (process.env.PII_EVAL_PRINT) {
      const fmt = (x: number): string => x.toFixed(3);
      const lines = rows.map((r) => `${r.type}\t${r.gold}\t${fmt(r.precision)}\t${fmt(r.recall)}\t${fmt(r.exact)}\t${r.fp}`);
      console.log(`${file}\ntype\tgold\tprecision\trecall\texact\tfp\n${lines.join('\n')}`);
    }
    const below = rows
      .filter((r) => r.gold >= 5)
      .filter((r) => r.recall < (RECALL_FLOOR[r.type] ?? 0) || r.precision < PRECISION_FLOOR)
      .map((r) => `${r.type}: precision ${r.precision.toFixed(3)}, recall ${r.recall.toFixed(3)}`);
    expect(below).toEqual([]);
  });
});
