// models/embedding: IDF-scaled token vectors from PPMI co-occurrence (see embedding-trainer.ts).
import { join } from 'node:path';
import type { Corpus } from './corpus.js';
import type { ModelReport } from './build-domain.js';
import { embeddingFigures, sentenceEmbedding } from './embedding-eval.js';
import { embeddingOnnx } from './embedding-graph.js';
import { removeCommonDirection, trainTokenVectors } from './embedding-trainer.js';
import { round } from './metrics.js';
import { heldoutSample, writeModelFolder } from './model-folder.js';
import { MODEL_MAX_LENGTH, SPECIAL_TOKENS } from './tokenizer-files.js';

export const EMBEDDING_DIM = 128;
export const EMBEDDING_TRAINING = { window: 4, identityShare: 0.5, seed: 29 };
const CONTEXT_TOKENS = 256;

export function buildEmbedding(corpus: Corpus, outDir: string): ModelReport {
  const sequences = [...corpus.domain.train.ids, ...corpus.jailbreak.train.ids].map((ids) => ids.slice(0, CONTEXT_TOKENS));
  const vocabSize = corpus.vocab.length;
  const vectors = trainTokenVectors(sequences, {
    ...EMBEDDING_TRAINING,
    vocabSize,
    dim: EMBEDDING_DIM,
    firstRegularId: SPECIAL_TOKENS.length,
  });
  removeCommonDirection(vectors, sequences, EMBEDDING_DIM);
  const embed = (text: string) => sentenceEmbedding(corpus.encode(text), vectors, EMBEDDING_DIM);
  const heldout = heldoutSample(corpus.domain.test.rows);
  const reference = heldoutSample(corpus.domain.train.rows, 4000);
  const raw = embeddingFigures(embed, heldout, reference, 31);
  const figures = {
    dim: EMBEDDING_DIM,
    questions: heldout.length,
    referenceQuestions: reference.length,
    perturbedCosine: round(raw.perturbedCosine),
    randomPairCosine: round(raw.randomPairCosine),
    perturbedTop1: round(raw.perturbedTop1),
    nearestNeighbourDomainAccuracy: round(raw.nearestNeighbourDomainAccuracy),
  };
  writeModelFolder(join(outDir, 'embedding'), {
    onnx: embeddingOnnx(vectors, vocabSize, EMBEDDING_DIM, {
      producerName: 'semroute-tools-models',
      docString: 'semroute default sentence embedding (IDF-scaled PPMI token vectors, mean pooling)',
    }),
    config: {
      architectures: ['SemrouteTokenEmbeddingModel'],
      model_type: 'semroute-token-embedding',
      hidden_size: EMBEDDING_DIM,
      vocab_size: vocabSize,
      max_position_embeddings: MODEL_MAX_LENGTH,
      pad_token_id: 0,
      pooling: 'mean',
      normalize: true,
    },
    tokenizer: corpus.files,
    extra: { 'training_figures.json': figures },
  });
  return { name: 'embedding', figures };
}
