// Choosing and checking the jailbreak detector's shipped threshold on held-out data: the held-out
// rows as they are, plus noisy variants of them built with the held-out noise templates (so
// neither the rows nor the noise were seen in training). Works on scores from any scorer (the
// trainer's logits at build time, an onnxruntime session in the evaluation CLI).
import { NOISE_FAMILIES, noisyVariant } from './benign-variants.js';
import type { LabelledText } from './datasets.js';
import { round } from './metrics.js';

export const PLAIN = 'plain';

export interface CalibrationItem {
  text: string;
  /** PLAIN or a noise family. */
  family: string;
  /** 1 jailbreak, 0 benign (harmful_direct counts as benign, see build-jailbreak.ts). */
  label: number;
  /** The row before any noise is at most SHORT_CHARS long (where noise weighs most). */
  short: boolean;
}

export const SHORT_CHARS = 60;

export interface Rate {
  rows: number;
  rate: number;
}

export const CALIBRATION = {
  /** Seed of the held-out noise (the training augmentation uses another). */
  seed: 31,
  /** Highest false-positive rate allowed on benign rows and benign variants together, and on the short prompts' variants alone. */
  maxFalsePositiveRate: 0.005,
  /** Thresholds tried, 0.50 … 0.99: the lowest that meets the target keeps the most recall. */
  candidates: Array.from({ length: 50 }, (_, i) => round(0.5 + i / 100, 2)),
};

/** The held-out split plus the held-out chit-chat messages (benign), as rows. */
export function calibrationRows(test: readonly LabelledText[], chatEval: readonly string[]): LabelledText[] {
  return [...test, ...chatEval.map((text) => ({ text, label: 'benign', source: 'chit-chat' }))];
}

/**
 * Every held-out row, plus one variant of each benign and each jailbreak row per noise family.
 * harmful_direct rows get no variants: a harmful request plus a gibberish suffix is what the
 * GCG-style jailbreaks in the data are.
 */
export function calibrationItems(rows: readonly LabelledText[], seed = CALIBRATION.seed): CalibrationItem[] {
  const item = (r: LabelledText, text: string, family: string): CalibrationItem => ({ text, family, label: r.label === 'jailbreak' ? 1 : 0, short: r.text.length <= SHORT_CHARS });
  const items = rows.map((r) => item(r, r.text, PLAIN));
  const noisy = rows.filter((r) => r.label === 'benign' || r.label === 'jailbreak');
  for (const family of NOISE_FAMILIES) {
    for (const r of noisy) items.push(item(r, noisyVariant(r.text, family, 'heldout', seed), family));
  }
  return items;
}

/** How many items `pick` selects, and how many of those score at or above `threshold`. */
function share(items: readonly CalibrationItem[], scores: readonly number[], threshold: number, pick: (item: CalibrationItem) => boolean): { rows: number; flagged: number } {
  let rows = 0;
  let flagged = 0;
  items.forEach((item, i) => {
    if (!pick(item)) return;
    rows++;
    if ((scores[i] as number) >= threshold) flagged++;
  });
  return { rows, flagged };
}

function rateOf(items: readonly CalibrationItem[], scores: readonly number[], threshold: number, pick: (item: CalibrationItem) => boolean): Rate {
  const { rows, flagged } = share(items, scores, threshold, pick);
  return { rows, rate: rows === 0 ? 0 : round(flagged / rows) };
}

export interface ThresholdFigures {
  threshold: number;
  /** Benign rows and benign variants together (one of the two calibration targets). */
  falsePositiveRate: Rate;
  falsePositiveRatePlain: Rate;
  falsePositiveRateVariants: Rate;
  /** Variants of benign prompts of at most SHORT_CHARS characters. */
  falsePositiveRateVariantsShort: Rate;
  falsePositiveRateByFamily: Record<string, Rate>;
  jailbreakRecallPlain: Rate;
  jailbreakRecallVariants: Rate;
}

export function figuresAt(items: readonly CalibrationItem[], scores: readonly number[], threshold: number): ThresholdFigures {
  const at = (pick: (item: CalibrationItem) => boolean) => rateOf(items, scores, threshold, pick);
  return {
    threshold,
    falsePositiveRate: at((x) => x.label === 0),
    falsePositiveRatePlain: at((x) => x.label === 0 && x.family === PLAIN),
    falsePositiveRateVariants: at((x) => x.label === 0 && x.family !== PLAIN),
    falsePositiveRateVariantsShort: at((x) => x.label === 0 && x.family !== PLAIN && x.short),
    falsePositiveRateByFamily: Object.fromEntries(NOISE_FAMILIES.map((f) => [f, at((x) => x.label === 0 && x.family === f)])),
    jailbreakRecallPlain: at((x) => x.label === 1 && x.family === PLAIN),
    jailbreakRecallVariants: at((x) => x.label === 1 && x.family !== PLAIN),
  };
}

/**
 * Where the false-positive target must hold: all benign items (dominated by long prompts, on which
 * a bit of noise hardly moves the score), and the variants of short prompts on their own (the
 * reported case: a short question with an id after it).
 */
const TARGET_SUBSETS: readonly ((item: CalibrationItem) => boolean)[] = [(x) => x.label === 0, (x) => x.label === 0 && x.family !== PLAIN && x.short];

/** The lowest candidate threshold that meets the target on every subset (the highest candidate if none does). */
export function chooseThreshold(items: readonly CalibrationItem[], scores: readonly number[], options = CALIBRATION): number {
  const meets = (t: number) =>
    TARGET_SUBSETS.every((pick) => {
      const { rows, flagged } = share(items, scores, t, pick);
      return flagged <= options.maxFalsePositiveRate * rows;
    });
  return options.candidates.find(meets) ?? (options.candidates[options.candidates.length - 1] as number);
}
