// CLI: node dist/tools/models/build.js --datasets DIR --out DIR [--only NAME]
// Retrains the default models deterministically (same inputs → byte-identical files).
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { FIXTURE_NAMES, MODEL_NAMES, buildModels } from './build-all.js';
import { loadCorpus, type Corpus } from './corpus.js';
import { DatasetsMissingError } from './datasets.js';

const USAGE =
  `usage: build.js --datasets DIR --out DIR [--only ${[...MODEL_NAMES, ...FIXTURE_NAMES].join('|')}]\n` +
  '  (test fixtures are built only with --only, e.g. --out test/fixtures/models --only pii-token-classifier)\n';

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { datasets: { type: 'string' }, out: { type: 'string' }, only: { type: 'string' } },
  });
  if (!values.datasets || !values.out || (values.only && ![...MODEL_NAMES, ...FIXTURE_NAMES].includes(values.only))) {
    process.stderr.write(USAGE);
    return 64;
  }
  const started = performance.now();
  let corpus: Corpus;
  try {
    corpus = loadCorpus(values.datasets);
  } catch (err) {
    if (err instanceof DatasetsMissingError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`tokenizer: ${corpus.vocab.length} tokens; corpus encoded in ${seconds()}s\n`);
  for (const report of buildModels(corpus, values.out, values.only ? [values.only] : MODEL_NAMES)) {
    const headline = Object.fromEntries(Object.entries(report.figures).filter(([key]) => key !== 'perClass'));
    process.stdout.write(`${report.name}: ${JSON.stringify(headline)} (${report.seconds.toFixed(1)}s)\n`);
  }
  process.stdout.write(`total ${seconds()}s\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
