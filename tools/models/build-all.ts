// Every default model, built from one corpus into `outDir/<name>/`.
import { performance } from 'node:perf_hooks';
import { buildDomainClassifier, type ModelReport } from './build-domain.js';
import { buildEmbedding } from './build-embedding.js';
import { buildJailbreakDetector } from './build-jailbreak.js';
import { buildPiiTokenClassifier } from './build-pii.js';
import type { Corpus } from './corpus.js';

export const MODEL_BUILDERS: Readonly<Record<string, (corpus: Corpus, outDir: string) => ModelReport>> = {
  'domain-classifier': buildDomainClassifier,
  'jailbreak-detector': buildJailbreakDetector,
  embedding: buildEmbedding,
};

/** The default models (`make models`, models/). */
export const MODEL_NAMES = Object.keys(MODEL_BUILDERS);

/** Test fixtures, built only on request (--only NAME), into test/fixtures/models/. */
export const FIXTURE_BUILDERS: Readonly<Record<string, (corpus: Corpus, outDir: string) => ModelReport>> = {
  'pii-token-classifier': buildPiiTokenClassifier,
};
export const FIXTURE_NAMES = Object.keys(FIXTURE_BUILDERS);

export interface TimedReport extends ModelReport {
  seconds: number;
}

export function buildModels(corpus: Corpus, outDir: string, names: readonly string[] = MODEL_NAMES): TimedReport[] {
  return names.map((name) => {
    const builder = MODEL_BUILDERS[name] ?? FIXTURE_BUILDERS[name];
    if (!builder) throw new Error(`unknown model ${name}; one of ${[...MODEL_NAMES, ...FIXTURE_NAMES].join(', ')}`);
    const started = performance.now();
    const report = builder(corpus, outDir);
    return { ...report, seconds: (performance.now() - started) / 1000 };
  });
}
