// models/domain-classifier: the 14 MMLU-Pro categories.
import { join } from 'node:path';
import { trainBagClassifier, predictLabels } from './bag-classifier.js';
import { bagClassifierOnnx } from './bag-graph.js';
import type { Corpus } from './corpus.js';
import { accuracy, perClassFigures, round } from './metrics.js';
import { heldoutSample, writeModelFolder } from './model-folder.js';
import { MODEL_MAX_LENGTH } from './tokenizer-files.js';

export const DOMAIN_TRAINING = {
  pairSlots: 1 << 19,
  maxPairs: 88000,
  minPairDocs: 2,
  pairWeight: 0.6,
  epochs: 8,
  learningRate: 0.2,
  l2: 0,
  seed: 17,
};

export interface ModelReport {
  name: string;
  figures: Record<string, unknown>;
}

export function buildDomainClassifier(corpus: Corpus, outDir: string): ModelReport {
  const { train, test } = corpus.domain;
  const labels = [...new Set(train.rows.map((r) => r.label))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const y = train.rows.map((r) => index.get(r.label) as number);
  const bag = trainBagClassifier(train.ids, y, labels.length, { ...DOMAIN_TRAINING, vocabSize: corpus.vocab.length });
  const truth = test.rows.map((r) => index.get(r.label) ?? -1);
  const predicted = predictLabels(bag, test.ids);
  const sample = heldoutSample(test.rows);
  const sampleIds = sample.map((r) => corpus.encode(r.text));
  const figures = {
    heldoutRows: test.rows.length,
    trainRows: train.rows.length,
    accuracy: round(accuracy(truth, predicted)),
    heldoutSampleAccuracy: round(accuracy(sample.map((r) => index.get(r.label) ?? -1), predictLabels(bag, sampleIds))),
    perClass: perClassFigures(truth, predicted, labels).map((c) => ({ ...c, precision: round(c.precision), recall: round(c.recall), f1: round(c.f1) })),
    pairFeatures: bag.spec.pairCount,
  };
  const id2label = Object.fromEntries(labels.map((l, i) => [String(i), l]));
  const label2id = Object.fromEntries(labels.map((l, i) => [l, i]));
  writeModelFolder(join(outDir, 'domain-classifier'), {
    onnx: bagClassifierOnnx(bag, { producerName: 'semroute-tools-models', docString: 'semroute default domain classifier (bag of tokens and token pairs, linear head)' }),
    config: {
      architectures: ['SemrouteBagForSequenceClassification'],
      model_type: 'semroute-bag',
      problem_type: 'single_label_classification',
      id2label,
      label2id,
      hidden_size: labels.length,
      vocab_size: corpus.vocab.length,
      max_position_embeddings: MODEL_MAX_LENGTH,
      pad_token_id: 0,
      pair_features: bag.spec.pairCount,
      pair_slots: bag.spec.pairSlots,
    },
    tokenizer: corpus.files,
    heldout: sample.map((r) => ({ text: r.text, label: r.label })),
    extra: { 'training_figures.json': figures },
  });
  return { name: 'domain-classifier', figures };
}
