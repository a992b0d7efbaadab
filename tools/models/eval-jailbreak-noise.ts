// CLI: node dist/tools/models/eval-jailbreak-noise.js --datasets DIR [--model DIR] [--threshold P]...
// Scores a jailbreak detector folder through the serving path (src/inference, onnxruntime) on the
// held-out split (and the held-out chit-chat) and their noisy variants (held-out noise templates), and prints, per threshold,
// false positives by noise family and jailbreak recall, plus the threshold the calibration rule
// would choose for this model. Used for the before/after figures in models/README.md.
// Prints no prompt text (the held-out split contains jailbreaks).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel, withDefaults, type ClassifierHandle } from '../../src/inference/index.js';
import { chitChat } from './chit-chat.js';
import { CALIBRATION, calibrationItems, calibrationRows, chooseThreshold, figuresAt } from './jailbreak-calibration.js';
import { readJsonl, requireDatasets, splitHeldOut } from './datasets.js';

const USAGE = 'usage: eval-jailbreak-noise.js --datasets DIR [--model DIR] [--threshold P ...]\n';
const IN_FLIGHT = 64;

async function scoreAll(model: ClassifierHandle, texts: readonly string[]): Promise<number[]> {
  const out = new Array<number>(texts.length);
  let next = 0;
  const worker = async () => {
    while (next < texts.length) {
      const i = next++;
      out[i] = (await model.classify(texts[i] as string)).distribution.jailbreak ?? 0;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return out;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { datasets: { type: 'string' }, model: { type: 'string', default: 'models/jailbreak-detector' }, threshold: { type: 'string', multiple: true } },
  });
  if (!values.datasets) {
    process.stderr.write(USAGE);
    return 64;
  }
  requireDatasets(values.datasets);
  const { test } = splitHeldOut(readJsonl(join(values.datasets, 'jailbreak', 'train.jsonl')));
  const items = calibrationItems(calibrationRows(test, chitChat().eval));
  const model = (await loadModel(
    withDefaults({ name: 'jailbreak', path: values.model ?? '', task: 'sequence-classification', batching: { maxBatchSize: 32, maxWaitUs: 1000, maxQueue: IN_FLIGHT * 2 }, timeoutMs: 120_000 }),
  )) as ClassifierHandle;
  try {
    const scores = await scoreAll(model, items.map((x) => x.text));
    const thresholds = (values.threshold ?? ['0.5', '0.8']).map(Number);
    const chosen = chooseThreshold(items, scores);
    const report = {
      model: values.model,
      calibration: { maxFalsePositiveRate: CALIBRATION.maxFalsePositiveRate, chosenThreshold: chosen },
      at: [...thresholds, chosen].map((t) => figuresAt(items, scores, t)),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } finally {
    await model.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
