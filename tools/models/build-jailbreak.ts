// models/jailbreak-detector: benign (0) vs jailbreak / prompt injection (1). harmful_direct rows
// (a plainly harmful request, no jailbreak technique) count as benign here: this detector finds
// attempts to lift the model's rules; harmful content is a separate signal (see models/README.md).
import { join } from 'node:path';
import { predictLabels, trainBagClassifier, type TrainedBag } from './bag-classifier.js';
import { chitChat } from './chit-chat.js';
import { augmentationRows, AUGMENTATION } from './jailbreak-augmentation.js';
import { CALIBRATION, calibrationItems, calibrationRows, chooseThreshold, figuresAt, SHORT_CHARS, type CalibrationItem } from './jailbreak-calibration.js';
import { bagClassifierOnnx } from './bag-graph.js';
import type { Corpus } from './corpus.js';
import type { LabelledText } from './datasets.js';
import type { ModelReport } from './build-domain.js';
import { accuracy, round } from './metrics.js';
import { heldoutSample, writeModelFolder } from './model-folder.js';
import { MODEL_MAX_LENGTH } from './tokenizer-files.js';

export const JAILBREAK_LABELS = ['benign', 'jailbreak'] as const;
/** Benign prompts that look like jailbreaks (role-play, long system-style instructions). */
export const ROLE_PLAY_SOURCES = ['awesome-chatgpt-prompts', 'llm-warden:benign', 'mt-bench:roleplay'];

export const JAILBREAK_TRAINING = {
  pairSlots: 1 << 19,
  maxPairs: 100000,
  minPairDocs: 2,
  pairWeight: 0.6,
  epochs: 8,
  learningRate: 0.2,
  l2: 0,
  seed: 23,
  classWeights: [2, 1],
};

/**
 * Tokens with characters outside Latin script (and [UNK]) get no weight: in the training data
 * non-Latin text is mostly machine-translated injections, so the model would otherwise learn
 * "foreign script = jailbreak" and flag benign non-English prompts.
 */
/** Last code point of Latin Extended-B. */
const LATIN_LAST = 0x024f;

export function isNonLatinToken(token: string): boolean {
  return token === '[UNK]' || [...token.replace(/^##/, '')].some((ch) => (ch.codePointAt(0) ?? 0) > LATIN_LAST);
}

export function binaryLabel(row: LabelledText): number {
  return row.label === 'jailbreak' ? 1 : 0;
}

/** p(jailbreak): the softmax of the two logits, as the serving path computes it. */
export function jailbreakProbability(bag: TrainedBag, ids: readonly number[]): number {
  const [benign, jailbreak] = bag.predict(ids) as unknown as [number, number];
  return 1 / (1 + Math.exp(benign - jailbreak));
}

/** The shipped default before the threshold was calibrated (kept for the before/after figures). */
export const PREVIOUS_THRESHOLD = 0.8;

function trainDetector(corpus: Corpus, sequences: readonly (readonly number[])[], labels: readonly number[]): TrainedBag {
  const nonLatin = corpus.vocab.map(isNonLatinToken);
  return trainBagClassifier(sequences, labels, 2, {
    ...JAILBREAK_TRAINING,
    vocabSize: corpus.vocab.length,
    dampedToken: (id) => nonLatin[id] === true,
    dampFactor: 0,
  });
}

/** Figures on the held-out rows and their held-out-noise variants, at the calibrated threshold and others. */
function noiseFigures(bag: TrainedBag, items: readonly CalibrationItem[], itemIds: readonly (readonly number[])[], also: readonly number[]) {
  const scores = itemIds.map((ids) => jailbreakProbability(bag, ids));
  const threshold = chooseThreshold(items, scores);
  return { threshold, atThreshold: figuresAt(items, scores, threshold), ...Object.fromEntries(also.map((t) => [`at${t}`, figuresAt(items, scores, t)])) };
}

export function buildJailbreakDetector(corpus: Corpus, outDir: string): ModelReport {
  const { train, test } = corpus.jailbreak;
  const chat = chitChat();
  const chatIds = chat.train.map((t) => corpus.encode(t));
  const baseSequences = [...train.ids, ...chatIds];
  const baseLabels = [...train.rows.map(binaryLabel), ...chat.train.map(() => 0)];
  const extra = augmentationRows(train.rows, chat.train);
  const bag = trainDetector(corpus, [...baseSequences, ...extra.texts.map((t) => corpus.encode(t))], [...baseLabels, ...extra.labels]);
  const items = calibrationItems(calibrationRows(test.rows, chat.eval));
  const itemIds = items.map((x) => corpus.encode(x.text));
  // The shipped threshold: chosen on held-out rows and held-out noise (jailbreak-calibration.ts).
  const noise = noiseFigures(bag, items, itemIds, [0.5]);
  // The same model trained without the noisy variants (the build before issue 12), for comparison.
  const before = noiseFigures(trainDetector(corpus, baseSequences, baseLabels), items, itemIds, [PREVIOUS_THRESHOLD]);
  const truth = test.rows.map(binaryLabel);
  const predicted = predictLabels(bag, test.ids);
  const rate = (pick: (row: LabelledText) => boolean, wanted: number) => {
    let n = 0;
    let hit = 0;
    test.rows.forEach((row, i) => {
      if (!pick(row)) return;
      n++;
      if (predicted[i] === wanted) hit++;
    });
    return { rows: n, rate: n === 0 ? 0 : round(hit / n) };
  };
  const sample = heldoutSample(test.rows);
  const figures = {
    heldoutRows: test.rows.length,
    trainRows: train.rows.length,
    augmentedTrainRows: extra.texts.length,
    augmentation: AUGMENTATION,
    accuracy: round(accuracy(truth, predicted)),
    heldoutSampleAccuracy: round(accuracy(sample.map(binaryLabel), predictLabels(bag, sample.map((r) => corpus.encode(r.text))))),
    jailbreakRecall: rate((r) => r.label === 'jailbreak', 1),
    falsePositiveRateBenign: rate((r) => r.label !== 'jailbreak', 1),
    falsePositiveRateRolePlay: rate((r) => r.label === 'benign' && ROLE_PLAY_SOURCES.includes(r.source), 1),
    harmfulDirectFlagged: rate((r) => r.label === 'harmful_direct', 1),
    falsePositiveRateChitChat: (() => {
      const flagged = predictLabels(bag, chat.eval.map((t) => corpus.encode(t))).filter((p) => p === 1).length;
      return { rows: chat.eval.length, rate: round(flagged / chat.eval.length) };
    })(),
    pairFeatures: bag.spec.pairCount,
    calibration: {
      rule: 'lowest of 0.50, 0.51, ..., 0.99 with false positives at most maxFalsePositiveRate both on all held-out benign items (rows, chit-chat and their held-out-noise variants) and on the variants of those at most shortChars long',
      shortChars: SHORT_CHARS,
      maxFalsePositiveRate: CALIBRATION.maxFalsePositiveRate,
      noiseSeed: CALIBRATION.seed,
      threshold: noise.threshold,
    },
    heldoutNoise: noise,
    withoutAugmentation: before,
  };
  writeModelFolder(join(outDir, 'jailbreak-detector'), {
    onnx: bagClassifierOnnx(bag, { producerName: 'semroute-tools-models', docString: 'semroute default jailbreak / prompt-injection detector' }),
    config: {
      architectures: ['SemrouteBagForSequenceClassification'],
      model_type: 'semroute-bag',
      problem_type: 'single_label_classification',
      id2label: { '0': 'benign', '1': 'jailbreak' },
      label2id: { benign: 0, jailbreak: 1 },
      hidden_size: 2,
      vocab_size: corpus.vocab.length,
      max_position_embeddings: MODEL_MAX_LENGTH,
      pad_token_id: 0,
      pair_features: bag.spec.pairCount,
      pair_slots: bag.spec.pairSlots,
    },
    tokenizer: corpus.files,
    heldout: sample.map((r) => ({ text: r.text, label: JAILBREAK_LABELS[binaryLabel(r)] as string })),
    extra: { 'training_figures.json': figures },
  });
  return { name: 'jailbreak-detector', figures };
}
