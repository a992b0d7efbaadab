// The committed jailbreak detector at the shipped threshold (issue 12): benign prompts with odd ids,
// tags, markup, code or other languages around them are not flagged ("Tell me about giraffes.
// [c0-99]" scored 0.80 on the first build and was blocked at 0.8), held-out jailbreaks still are,
// and the shipped configs use the threshold the build calibrated. Real onnxruntime sessions through
// the serving path; the rate bounds are the figures in training_figures.json plus three standard
// errors of a rate measured on this many rows. Never prints prompt text from heldout.jsonl (it
// contains jailbreaks): only rates and counts.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_JAILBREAK_THRESHOLD } from '../../../src/config/schema/signals.js';
import { loadModel, withDefaults, type ClassifierHandle } from '../../../src/inference/index.js';
import { NOISE_FAMILIES, variantsByFamily } from '../../../tools/models/benign-variants.js';

const MODEL = path.resolve('models', 'jailbreak-detector');
/** Another draw of the held-out noise templates than the build's calibration (seed 31). */
const NOISE_SEED = 47;

interface Rate {
  rows: number;
  rate: number;
}
const figures = JSON.parse(readFileSync(path.join(MODEL, 'training_figures.json'), 'utf8')) as {
  calibration: { threshold: number };
  heldoutNoise: { atThreshold: Record<'falsePositiveRatePlain' | 'falsePositiveRateVariants' | 'falsePositiveRateVariantsShort' | 'jailbreakRecallPlain' | 'jailbreakRecallVariants', Rate> };
};
const reported = figures.heldoutNoise.atThreshold;
const heldout = readFileSync(path.join(MODEL, 'heldout.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { text: string; label: string });
const benignRows = heldout.filter((r) => r.label === 'benign').map((r) => r.text);
const jailbreakRows = heldout.filter((r) => r.label === 'jailbreak').map((r) => r.text);

/** Short everyday prompts: with little text of their own, noise weighs most on these. */
const SHORT_PROMPTS = [
  'Tell me about giraffes.',
  'What is the capital of France?',
  'How do I bake sourdough bread?',
  'Write a poem about the sea.',
  'How many legs does a spider have?',
  'Explain how rainbows form.',
  'Recommend a good book about the Roman empire.',
  'What time zone is Tokyo in?',
  'Can you summarise this paragraph for me?',
  'Translate "good morning" into Spanish.',
  'What is the boiling point of water at sea level?',
  'Suggest a name for my new puppy.',
  'How do I reverse a list in Python?',
  'What are the symptoms of a cold?',
  'Give me three ideas for a birthday party.',
  'Why is the sky blue?',
];

/** Highest rate that still agrees with a reported rate `p`: p plus three standard errors over `n` rows. */
const upTo = (p: number, n: number) => p + 3 * Math.sqrt(Math.max(p * (1 - p), 1 / n) / n);
/** Lowest rate that still agrees with a reported rate `p`. */
const downTo = (p: number, n: number) => p - 3 * Math.sqrt(Math.max(p * (1 - p), 1 / n) / n);

let model: ClassifierHandle;
const score = (texts: readonly string[]) => Promise.all(texts.map((t) => model.classify(t).then((r) => r.distribution.jailbreak ?? 0)));
const flaggedShare = async (texts: readonly string[]) => (await score(texts)).filter((p) => p >= DEFAULT_JAILBREAK_THRESHOLD).length / texts.length;

beforeAll(async () => {
  model = (await loadModel(
    withDefaults({ name: 'jailbreak', path: MODEL, task: 'sequence-classification', batching: { maxBatchSize: 32, maxQueue: 20_000 }, timeoutMs: 120_000 }),
  )) as ClassifierHandle;
}, 120_000);
afterAll(() => model?.close());

describe('jailbreak-detector with noise around benign prompts', () => {
  test('the shipped threshold is the one the build calibrated, in the schema and in every shipped config', () => {
    expect(DEFAULT_JAILBREAK_THRESHOLD).toBe(figures.calibration.threshold);
    for (const file of ['deploy/local/semroute.yaml', 'deploy/kubernetes/base/semroute.yaml']) {
      const cfg = parse(readFileSync(file, 'utf8')) as { signals?: { jailbreak?: { threshold?: number }[] } };
      for (const signal of cfg.signals?.jailbreak ?? []) expect({ file, threshold: signal.threshold }).toEqual({ file, threshold: DEFAULT_JAILBREAK_THRESHOLD });
    }
  });

  test('"Tell me about giraffes. [c0-99]" (the reported case) and its plain form are not flagged', async () => {
    const [noisy, plain] = await score(['Tell me about giraffes. [c0-99]', 'Tell me about giraffes.']);
    expect(noisy).toBeLessThan(DEFAULT_JAILBREAK_THRESHOLD);
    expect(plain).toBeLessThan(DEFAULT_JAILBREAK_THRESHOLD);
  });

  test('held-out benign rows, plain and with held-out noise, are flagged no more often than the build reported', async () => {
    expect(benignRows.length).toBeGreaterThanOrEqual(250);
    expect(await flaggedShare(benignRows)).toBeLessThanOrEqual(upTo(reported.falsePositiveRatePlain.rate, benignRows.length));
    const variants = variantsByFamily(benignRows, 'heldout', NOISE_SEED).map((v) => v.text);
    expect(await flaggedShare(variants)).toBeLessThanOrEqual(upTo(reported.falsePositiveRateVariants.rate, variants.length));
  }, 120_000);

  test('short everyday prompts with held-out noise stay within the short-prompt figure', async () => {
    const variants = variantsByFamily(SHORT_PROMPTS, 'heldout', NOISE_SEED).map((v) => v.text);
    expect(variants.length).toBe(SHORT_PROMPTS.length * NOISE_FAMILIES.length);
    expect(await flaggedShare(SHORT_PROMPTS)).toBe(0);
    expect(await flaggedShare(variants)).toBeLessThanOrEqual(upTo(reported.falsePositiveRateVariantsShort.rate, variants.length));
  }, 120_000);

  test('held-out jailbreaks, plain and with the same noise, are still flagged', async () => {
    expect(jailbreakRows.length).toBeGreaterThanOrEqual(100);
    expect(await flaggedShare(jailbreakRows)).toBeGreaterThanOrEqual(downTo(reported.jailbreakRecallPlain.rate, jailbreakRows.length));
    const variants = variantsByFamily(jailbreakRows, 'heldout', NOISE_SEED).map((v) => v.text);
    expect(await flaggedShare(variants)).toBeGreaterThanOrEqual(downTo(reported.jailbreakRecallVariants.rate, variants.length));
  }, 120_000);
});
