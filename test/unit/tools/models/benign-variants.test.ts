// Noisy variants (tools/models/benign-variants.ts) and the jailbreak threshold rule
// (tools/models/jailbreak-calibration.ts): deterministic, order-independent, train and held-out
// noise kept apart, and the lowest threshold that meets the false-positive target chosen.
import { describe, expect, test } from '@jest/globals';
import { NOISE_FAMILIES, noisyVariant, randomVariants, variantsByFamily } from '../../../../tools/models/benign-variants.js';
import { CALIBRATION, PLAIN, chooseThreshold, type CalibrationItem } from '../../../../tools/models/jailbreak-calibration.js';

const PROMPTS = ['Tell me about giraffes.', 'What is the capital of France?', 'How do I bake sourdough bread?'];

describe('benign variants', () => {
  test('every family keeps the prompt and adds something around it', () => {
    expect(NOISE_FAMILIES).toHaveLength(16);
    for (const v of variantsByFamily(PROMPTS, 'heldout', 1)) {
      const prompt = PROMPTS.find((p) => v.text.includes(p));
      expect(prompt).toBeDefined();
      expect(v.text.length).toBeGreaterThan(prompt!.length + 1);
    }
  });

  test('the same text, family, split and seed give the same variant, whatever else is generated', () => {
    const alone = variantsByFamily([PROMPTS[1]!], 'train', 7);
    const together = variantsByFamily([...PROMPTS].reverse(), 'train', 7).filter((v) => v.text.includes(PROMPTS[1]!));
    expect(together).toEqual(alone);
    expect(randomVariants(PROMPTS, 'train', 7, 2)).toEqual(randomVariants(PROMPTS, 'train', 7, 2));
    expect(noisyVariant(PROMPTS[0]!, 'uuid', 'train', 7)).not.toBe(noisyVariant(PROMPTS[0]!, 'uuid', 'train', 8));
  });

  test('training and held-out templates differ: no held-out variant is a training variant', () => {
    const texts = Array.from({ length: 40 }, (_, i) => `Question number ${i}?`);
    for (const family of NOISE_FAMILIES) {
      const train = new Set(Array.from({ length: 20 }, (_, seed) => texts.map((t) => noisyVariant(t, family, 'train', seed))).flat());
      const heldout = texts.map((t) => noisyVariant(t, family, 'heldout', 99));
      expect({ family, seen: heldout.filter((t) => train.has(t)) }).toEqual({ family, seen: [] });
    }
  });

  test('the reported "[c0-99]" shape is a held-out bracket id', () => {
    const ids = Array.from({ length: 200 }, (_, seed) => noisyVariant('Tell me about giraffes.', 'bracket-id', 'heldout', seed));
    expect(ids.some((t) => /\[[a-z]\d-\d\d\]/.test(t))).toBe(true);
  });
});

describe('threshold rule', () => {
  const item = (label: number, family = PLAIN, short = false): CalibrationItem => ({ text: '', family, label, short });

  test('the lowest candidate whose false-positive rate meets the target on all benign items and on short variants', () => {
    // 400 long benign items: two at 0.70; 200 short variants: one at 0.62; jailbreaks at 0.9.
    const items = [...Array.from({ length: 400 }, () => item(0)), ...Array.from({ length: 200 }, () => item(0, 'uuid', true)), item(1)];
    const scores = items.map(() => 0.1);
    scores[0] = 0.7;
    scores[1] = 0.7;
    scores[400] = 0.62;
    scores[600] = 0.9;
    // At 0.5: 3 of 600 benign items (0.5 %) and 1 of the 200 short variants (0.5 %): both meet the target.
    expect(chooseThreshold(items, scores)).toBe(0.5);
    scores[401] = 0.65;
    // Up to 0.62: 4 benign items flagged (over 3 of 600) and 2 of the 200 short variants; from 0.63: 3 and 1.
    expect(chooseThreshold(items, scores)).toBe(0.63);
    expect(chooseThreshold(items, scores, { ...CALIBRATION, maxFalsePositiveRate: 0 })).toBe(0.71);
  });

  test('the highest candidate when none meets the target', () => {
    expect(chooseThreshold([item(0)], [1])).toBe(0.99);
  });
});
