// models/jailbreak-detector: benign (0) vs jailbreak / prompt injection (1). harmful_direct rows
// (a plainly harmful request, no jailbreak technique) count as benign here: this detector finds
// attempts to lift the model's rules; harmful content is a separate signal (see models/README.md).
import { join } from 'node:path';
import { predictLabels, trainBagClassifier } from './bag-classifier.js';
import { chitChat } from './chit-chat.js';
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

export function buildJailbreakDetector(corpus: Corpus, outDir: string): ModelReport {
  const { train, test } = corpus.jailbreak;
  const nonLatin = corpus.vocab.map(isNonLatinToken);
  const chat = chitChat();
  const bag = trainBagClassifier([...train.ids, ...chat.train.map((t) => corpus.encode(t))], [...train.rows.map(binaryLabel), ...chat.train.map(() => 0)], 2, {
    ...JAILBREAK_TRAINING,
    vocabSize: corpus.vocab.length,
    dampedToken: (id) => nonLatin[id] === true,
    dampFactor: 0,
  });
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
