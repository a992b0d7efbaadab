// test/fixtures/models/pii-token-classifier: a tiny BIO token classifier trained per token on the
// presidio synthetic data, for tests of the token-classification path (not a production PII model).
import { join } from 'node:path';
import type { Corpus } from './corpus.js';
import type { ModelReport } from './build-domain.js';
import { isHeldOut } from './datasets.js';
import { argmax, logitsOf, trainLinear } from './linear-trainer.js';
import { round } from './metrics.js';
import { writeModelFolder } from './model-folder.js';
import { PII_LABELS, labelTokens, readPiiTexts } from './pii-data.js';
import { CLS_ID, MODEL_MAX_LENGTH, SEP_ID, loadTokenizer, tokenizerFiles, type TokenizerFiles } from './tokenizer-files.js';
import { tokenWindowOnnx } from './token-window-graph.js';
import { buildWordPieceVocab, countWords, createWordSplitter } from './wordpiece-vocab.js';
import type { SparseRow } from './bag-features.js';

export const PII_VOCAB_SIZE = 4000;
export const PII_WINDOW_RADIUS = 2;
export const PII_TRAINING = { epochs: 6, learningRate: 0.2, l2: 0, seed: 37 };

interface LabelledSequence {
  ids: number[];
  labels: number[];
}

/** Features of token i: block × vocab + the id at offset block - radius ([PAD] = 0 beyond the ends). */
export function windowRow(ids: readonly number[], i: number, vocab: number, radius = PII_WINDOW_RADIUS): SparseRow {
  const index = new Int32Array(2 * radius + 1);
  for (let block = 0; block <= 2 * radius; block++) index[block] = block * vocab + (ids[i + block - radius] ?? 0);
  return { index, value: new Float32Array(2 * radius + 1).fill(1) };
}

export function buildPiiTokenClassifier(corpus: Corpus, outDir: string): ModelReport {
  const texts = readPiiTexts(corpus.datasetsDir);
  const train = texts.filter((t) => !isHeldOut(t.text));
  const test = texts.filter((t) => isHeldOut(t.text));
  const vocab = buildWordPieceVocab(countWords(train.map((t) => t.text), createWordSplitter()), {
    size: PII_VOCAB_SIZE,
    minCharCount: 2,
  });
  const files: TokenizerFiles = tokenizerFiles(vocab);
  const tokenizer = loadTokenizer(JSON.parse(JSON.stringify(files)) as TokenizerFiles);
  const tokenize = (text: string) => tokenizer.encode(text, { add_special_tokens: false }).ids;
  const labelIndex = new Map(PII_LABELS.map((l, i) => [l, i]));
  const label = (items: typeof texts): LabelledSequence[] =>
    items
      .map((item) => labelTokens(item, tokenize, labelIndex, CLS_ID, SEP_ID))
      .filter((s): s is LabelledSequence => s !== undefined && s.ids.length <= MODEL_MAX_LENGTH);
  const trainSeqs = label(train);
  const testSeqs = label(test);

  const rows: SparseRow[] = [];
  const y: number[] = [];
  for (const seq of trainSeqs) {
    seq.ids.forEach((_, i) => {
      rows.push(windowRow(seq.ids, i, vocab.length));
      y.push(seq.labels[i] as number);
    });
  }
  const model = trainLinear(rows, y, PII_LABELS.length, (2 * PII_WINDOW_RADIUS + 1) * vocab.length, PII_TRAINING);

  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  let tokens = 0;
  for (const seq of testSeqs) {
    seq.ids.forEach((_, i) => {
      const predicted = argmax(logitsOf(model, windowRow(seq.ids, i, vocab.length)));
      const truth = seq.labels[i] as number;
      tokens++;
      if (predicted === truth) correct++;
      if (predicted !== 0 && predicted === truth) tp++;
      else {
        if (predicted !== 0) fp++;
        if (truth !== 0) fn++;
      }
    });
  }
  const precision = tp / Math.max(tp + fp, 1);
  const recall = tp / Math.max(tp + fn, 1);
  const figures = {
    trainTexts: trainSeqs.length,
    heldoutTexts: testSeqs.length,
    skippedTexts: texts.length - trainSeqs.length - testSeqs.length,
    tokenAccuracy: round(correct / Math.max(tokens, 1)),
    entityTokenPrecision: round(precision),
    entityTokenRecall: round(recall),
    entityTokenF1: round(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)),
  };
  writeModelFolder(join(outDir, 'pii-token-classifier'), {
    onnx: tokenWindowOnnx(model, vocab.length, PII_WINDOW_RADIUS, {
      producerName: 'semroute-tools-models',
      docString: 'semroute test fixture: BIO PII token classifier (token ± 2 window, linear)',
    }),
    config: {
      architectures: ['SemrouteTokenWindowForTokenClassification'],
      model_type: 'semroute-token-window',
      id2label: Object.fromEntries(PII_LABELS.map((l, i) => [String(i), l])),
      label2id: Object.fromEntries(PII_LABELS.map((l, i) => [l, i])),
      hidden_size: PII_LABELS.length,
      vocab_size: vocab.length,
      max_position_embeddings: MODEL_MAX_LENGTH,
      pad_token_id: 0,
      window_radius: PII_WINDOW_RADIUS,
    },
    tokenizer: files,
    extra: { 'training_figures.json': figures },
  });
  return { name: 'pii-token-classifier', figures };
}
