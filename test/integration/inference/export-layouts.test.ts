// Every common export layout loads as it is: tiny graphs and tokenizer.json files written at test
// time in the Optimum, transformers.js / onnx-community and sentence-transformers layouts, for
// DistilBERT (WordPiece), XLM-RoBERTa (Unigram, <s> </s>), ModernBERT (byte-level BPE, long
// context) and mmBERT (Gemma BPE, position_ids), loaded through loadModel and run on real
// onnxruntime sessions; variants fp32 / quantized / fp16 / int8; `semroute eval` on one of them.
import { afterAll, describe, expect, test } from '@jest/globals';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { runEval } from '../../../src/cli/eval.js';
import { buildFeeds } from '../../../src/inference/feeds.js';
import { readModelFolder, type ModelFolder } from '../../../src/inference/folder.js';
import { classificationHead, embeddingHead, type OutputTensor } from '../../../src/inference/heads.js';
import { MODEL_VARIANTS, resolvePooling, VARIANT_FILES, type ModelVariant } from '../../../src/inference/layouts.js';
import { effectiveMaxLength, TextTokenizer } from '../../../src/inference/text-tokenizer.js';
import { loadModel, withDefaults, type ClassifierHandle, type EmbedderHandle, type ModelSpecInput, type TokenClassifierHandle } from '../../../src/inference/index.js';
import { encoderOnnx, type Precision } from '../../helpers/encoder-graph.js';
import { tableFor, writeLayout, type LayoutSpec, type StPooling } from '../../helpers/export-layouts.js';
import { byteLevelBpeFixture, gemmaBpeFixture, unigramFixture, wordPieceFixture } from '../../helpers/tokenizer-fixtures.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function folder(spec: LayoutSpec): Promise<string> {
  const dir = await writeLayout(spec);
  dirs.push(dir);
  return dir;
}

async function load<H>(input: ModelSpecInput): Promise<H> {
  return (await loadModel(withDefaults(input))) as H;
}

const PRECISION: Record<ModelVariant, Precision> = { fp32: 'fp32', quantized: 'uint8', fp16: 'fp16', int8: 'int8' };
const unit = (v: readonly number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const close = (actual: ArrayLike<number>, expected: readonly number[], digits = 5) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
};

/**
 * What the loader's hook does with a `variant` (model.ts passes the spec's to readModelFolder):
 * the folder read with the variant, its graph on a real session, the loader's feeds and heads.
 */
async function runVariant(dir: string, task: 'sequence-classification' | 'embedding', variant: ModelVariant | undefined, texts: string[], pad: number) {
  const f: ModelFolder = await readModelFolder('v', dir, task, variant === undefined ? {} : { variant });
  const session = await ort.InferenceSession.create(f.modelPath);
  try {
    const tokenizer = new TextTokenizer(f.tokenizerJson, f.tokenizerConfig, effectiveMaxLength(undefined, f.tokenizerConfig, f.config));
    const { feeds, mask } = buildFeeds(texts.map((t) => tokenizer.encode(t)), session.inputNames, pad);
    const outputs = (await session.run(feeds)) as unknown as Record<string, OutputTensor>;
    return { folder: f, outputs, mask, names: session.outputNames };
  } finally {
    await session.release();
  }
}

// ---------------------------------------------------------------------------------------------
// DistilBERT (WordPiece, no token_type_ids): one classifier, four variants. The token "which"
// points at a different label in each variant's file, so a call says which graph was loaded.
const DIRECTIONS = ['north', 'south', 'east', 'west'];
const MARKER: Record<ModelVariant, string> = { fp32: 'north', quantized: 'south', fp16: 'east', int8: 'west' };
const WP = wordPieceFixture(['alpha', 'beta', 'gamma', 'delta', 'which', 'hello', 'world']);
const distilConfig = {
  model_type: 'distilbert',
  architectures: ['DistilBertForSequenceClassification'],
  max_position_embeddings: 512,
  pad_token_id: 0,
  id2label: Object.fromEntries(DIRECTIONS.map((l, i) => [String(i), l])),
  label2id: Object.fromEntries(DIRECTIONS.map((l, i) => [l, i])),
};

function distilGraph(variant: ModelVariant): Uint8Array {
  const rows: Record<string, number[]> = { alpha: [2, 0, 0, 0], beta: [0, 2, 0, 0], gamma: [0, 0, 2, 0], delta: [0, 0, 0, 2] };
  const marker = DIRECTIONS.map((d) => (d === MARKER[variant] ? 4 : 0));
  const table = tableFor(WP.vocab, 4, (t) => (t === 'which' ? marker : rows[t]));
  return encoderOnnx({ task: 'sequence-classification', table, width: 4, precision: PRECISION[variant] });
}

function distilFolder(variants: readonly ModelVariant[], where: 'onnx' | 'root', tokenizerConfig = true): Promise<string> {
  const graphs = Object.fromEntries(variants.map((v) => [where === 'onnx' ? `onnx/${VARIANT_FILES[v]}` : VARIANT_FILES[v], distilGraph(v)]));
  return folder({ tokenizer: WP, config: distilConfig, graphs, tokenizerConfig });
}

describe('Optimum layout: model.onnx at the root', () => {
  test('a DistilBERT classifier loads and classifies (no token_type_ids input)', async () => {
    const model = await load<ClassifierHandle>({ name: 'optimum', path: await distilFolder(['fp32'], 'root'), task: 'sequence-classification' });
    try {
      expect(model.session.inputNames).toEqual(['input_ids', 'attention_mask']);
      expect((await model.classify('alpha beta alpha')).label).toBe('north');
      expect((await model.classify('which')).label).toBe('north');
    } finally {
      await model.close();
    }
  });

  test('an fp16 export at the root (fp16 weights, float16 logits) gives the fp32 results', async () => {
    const fp32 = await load<ClassifierHandle>({ name: 'o32', path: await distilFolder(['fp32'], 'root'), task: 'sequence-classification' });
    const fp16Table = tableFor(WP.vocab, 4, (t) => ({ alpha: [2, 0, 0, 0], beta: [0, 2, 0, 0], which: [4, 0, 0, 0] })[t]);
    const dir = await folder({ tokenizer: WP, config: distilConfig, graphs: { 'model.onnx': encoderOnnx({ task: 'sequence-classification', table: fp16Table, width: 4, precision: 'fp16' }) } });
    const fp16 = await load<ClassifierHandle>({ name: 'o16', path: dir, task: 'sequence-classification' });
    try {
      for (const text of ['alpha beta alpha', 'which beta', 'hello world']) {
        const [a, b] = [await fp32.classify(text), await fp16.classify(text)];
        expect(b.label).toBe(a.label);
        for (const l of DIRECTIONS) expect(b.distribution[l]).toBeCloseTo(a.distribution[l]!, 6);
      }
    } finally {
      await fp32.close();
      await fp16.close();
    }
  });
});

describe('transformers.js / onnx-community layout: onnx/model*.onnx', () => {
  test('with every variant there, the default is fp32 (onnx/model.onnx); no tokenizer_config.json needed', async () => {
    const model = await load<ClassifierHandle>({ name: 'tjs', path: await distilFolder(MODEL_VARIANTS, 'onnx', false), task: 'sequence-classification' });
    try {
      expect((await model.classify('which')).label).toBe('north');
      expect((await model.classify('gamma')).label).toBe('east');
      expect(model.maxLength).toBe(512);
    } finally {
      await model.close();
    }
  });

  test('without an fp32 graph the default is quantized (uint8 weights behind DequantizeLinear)', async () => {
    const model = await load<ClassifierHandle>({ name: 'q', path: await distilFolder(['quantized', 'fp16', 'int8'], 'onnx'), task: 'sequence-classification' });
    try {
      expect((await model.classify('which')).label).toBe('south');
      expect((await model.classify('delta delta beta')).label).toBe('west');
    } finally {
      await model.close();
    }
  });

  test('only fp16 and int8 graphs: a clear error naming them and the option to set', async () => {
    await expect(load({ name: 'x', path: await distilFolder(['fp16', 'int8'], 'onnx'), task: 'sequence-classification' })).rejects.toThrow(
      /model x: missing model\.onnx in .*: no fp32 or quantized graph .*the folder has onnx\/model_fp16\.onnx, onnx\/model_int8\.onnx: set variant to fp16 or int8/,
    );
  });

  test.each(MODEL_VARIANTS.map((v) => [v]))('variant %s: its file is run (weights of its precision) and agrees with the others', async (variant) => {
    const dir = await distilFolder(MODEL_VARIANTS, 'onnx', false);
    const texts = ['which', 'alpha alpha', 'gamma delta gamma gamma', 'hello'];
    const { folder: f, outputs, names } = await runVariant(dir, 'sequence-classification', variant, texts, 0);
    expect(f.layout).toMatchObject({ kind: 'transformers.js', modelFile: `onnx/${VARIANT_FILES[variant]}`, variant, tokenizerConfig: 'derived' });
    const logits = outputs[names[0]!]!;
    if (variant === 'fp16') expect(logits.type).toBe('float16');
    const results = classificationHead(logits, texts.length, f.labels!);
    expect(results.map((r) => r.label)).toEqual([MARKER[variant], 'north', 'east', 'north']);
    expect(results[1]!.confidence).toBeCloseTo(Math.exp(4) / (Math.exp(4) + 3), 6);
    expect(results[3]!.confidence).toBeCloseTo(0.25, 6); // no weights: uniform
  });

  test('semroute eval runs on the layout (the CLI loads through the same loader)', async () => {
    const dir = await distilFolder(['fp32', 'quantized'], 'onnx', false);
    const dataset = path.join(dir, 'eval.jsonl');
    const lines = [['alpha', 'north'], ['beta beta', 'south'], ['gamma', 'east'], ['delta alpha delta', 'west'], ['which', 'north']];
    await writeFile(dataset, lines.map(([text, label]) => JSON.stringify({ text, label })).join('\n'));
    let stdout = '';
    let stderr = '';
    const code = await runEval(['--model', dir, '--dataset', dataset, '--json'], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ model_dir: dir, count: 5, accuracy: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// XLM-RoBERTa NER: Unigram with Metaspace, <s> … </s>, <pad> = 1, 514 position embeddings, only
// onnx/model_quantized.onnx and no tokenizer_config.json.
describe('XLM-RoBERTa (Unigram tokenizer.json, <s> </s>)', () => {
  const LABELS = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];
  const XLMR = unigramFixture(['John', 'Smith', 'lives', 'in', 'Paris', 'hello', 'world'], ['son']);
  const rows: Record<string, number[]> = { '▁John': [0, 4, 0, 0, 0], '▁Smith': [0, 0, 4, 0, 0], '▁Paris': [0, 0, 0, 4, 0] };
  const table = tableFor(XLMR.vocab, 5, (t) => rows[t] ?? [2, 0, 0, 0, 0]);
  const config = {
    model_type: 'xlm-roberta',
    max_position_embeddings: 514,
    pad_token_id: 1,
    bos_token_id: 0,
    eos_token_id: 2,
    type_vocab_size: 1,
    id2label: Object.fromEntries(LABELS.map((l, i) => [String(i), l])),
  };

  test('entities with offsets into the text; the length limit is 512 (514 positions less the pad offset)', async () => {
    const dir = await folder({ tokenizer: XLMR, config, graphs: { 'onnx/model_quantized.onnx': encoderOnnx({ task: 'token-classification', table, width: 5, precision: 'uint8' }) }, tokenizerConfig: false });
    const model = await load<TokenClassifierHandle>({ name: 'xlmr', path: dir, task: 'token-classification' });
    try {
      expect(model.maxLength).toBe(512);
      const enc = model.tokenizer.encode('John Smith lives in Paris');
      expect(enc.tokens).toEqual(['<s>', '▁John', '▁Smith', '▁lives', '▁in', '▁Paris', '</s>']);
      const text = 'John Smith lives in Paris';
      expect((await model.tokens(text)).map((s) => [s.label, s.text, s.start, s.end])).toEqual([
        ['PER', 'John Smith', 0, 10],
        ['LOC', 'Paris', 20, 25],
      ]);
      // A subword piece (no ▁) joins its word; rows of different lengths batch with <pad> = 1.
      const texts = ['hello Johnson in Paris', 'Paris', 'hello world hello world John', 'Smith'];
      const together = await Promise.all(texts.map((t) => model.tokens(t)));
      expect(together[0]!.map((s) => [s.label, s.text])).toEqual([
        ['PER', 'Johnson'],
        ['LOC', 'Paris'],
      ]);
      for (const [i, t] of texts.entries()) expect(together[i]).toEqual(await model.tokens(t));
      // 600 words: cut to 512 tokens, </s> kept.
      const long = model.tokenizer.encode('hello '.repeat(600));
      expect(long.ids).toHaveLength(512);
      expect(long.tokens[511]).toBe('</s>');
      expect(await model.tokens('hello '.repeat(600) + 'Paris')).toEqual([]);
    } finally {
      await model.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// ModernBERT embedder in the sentence-transformers layout over onnx/: byte-level BPE with
// [CLS]/[SEP] after the vocabulary, 8192 positions, mean pooling, Normalize.
describe('ModernBERT (byte-level BPE, long context) as sentence-transformers', () => {
  const MB = byteLevelBpeFixture(['hello', 'world', 'code', 'cake']);
  const VEC: Record<string, number[]> = { hello: [1, 0, 0], world: [0, 1, 0], code: [0, 0, 1], cake: [1, 1, 0], '[CLS]': [0.5, 0, 0], '[SEP]': [0, 0, 0.5] };
  const table = tableFor(MB.vocab, 3, (t) => VEC[t.replace(/^Ġ/, '')]);
  const config = { model_type: 'modernbert', max_position_embeddings: 8192, hidden_size: 3, pad_token_id: MB.pad, cls_token_id: MB.head[0], sep_token_id: MB.tail[0] };
  const graphs = {
    'onnx/model.onnx': encoderOnnx({ task: 'embedding', table, width: 3 }),
    'onnx/model_fp16.onnx': encoderOnnx({ task: 'embedding', table, width: 3, precision: 'fp16' }),
  };
  const spec = (maxSeqLength: number): LayoutSpec => ({ tokenizer: MB, config, graphs, sentenceTransformers: { pooling: 'mean', normalize: true, maxSeqLength } });

  test('mean pooling from 1_Pooling, unit length, 8192 tokens of context; fp16 gives the same vectors', async () => {
    const dir = await folder(spec(8192));
    const model = await load<EmbedderHandle>({ name: 'modernbert', path: dir, task: 'embedding' });
    try {
      expect(model.session.inputNames).toEqual(['input_ids', 'attention_mask']);
      expect(model.maxLength).toBe(8192);
      expect(model.dimensions).toBe(3);
      // [CLS] hello Ġworld [SEP] → mean of [.5,0,0], [1,0,0], [0,1,0], [0,0,.5].
      close(await model.embed('hello world'), unit([1.5, 1, 0.5]));
      const long = 'hello world '.repeat(1500).trim();
      expect(model.tokenizer.encode(long).ids).toHaveLength(3002);
      close(await model.embed(long), unit([1500.5, 1500, 0.5]));
      const fp16 = await runVariant(dir, 'embedding', 'fp16', ['hello world', 'cake code'], MB.pad);
      expect(fp16.outputs.last_hidden_state!.type).toBe('float16');
      const [a, b] = embeddingHead(fp16.outputs, fp16.names, 2, fp16.mask, { pooling: resolvePooling(undefined, fp16.folder), dimensions: undefined });
      close(a!, [...(await model.embed('hello world'))], 6);
      close(b!, [...(await model.embed('cake code'))], 6);
    } finally {
      await model.close();
    }
  });

  test("sentence_bert_config.json's max_seq_length caps the length", async () => {
    const model = await load<EmbedderHandle>({ name: 'capped', path: await folder(spec(128)), task: 'embedding' });
    try {
      expect(model.maxLength).toBe(128);
      const enc = model.tokenizer.encode('hello '.repeat(400));
      expect(enc.ids).toHaveLength(128);
      expect(enc.ids[127]).toBe(MB.tail[0]);
    } finally {
      await model.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// mmBERT embedder: Gemma-style BPE (spaces as ▁, byte fallback), <bos> … <eos>, a position_ids
// input, no 2_Normalize. Every token's row is [1, 0] and position p adds [0, p], so mean pooling
// over n tokens gives [1, (n-1)/2]: the positions must run 0..n-1 in every row of a batch.
describe('mmBERT (Gemma BPE, position_ids) as sentence-transformers', () => {
  const GB = gemmaBpeFixture(['hello', 'world', 'code', 'cake']);
  const table = tableFor(GB.vocab, 2, () => [1, 0]);
  const positions = Array.from({ length: 8192 }, (_, p) => [0, p]);
  const config = { model_type: 'modernbert', architectures: ['ModernBertModel'], max_position_embeddings: 8192, hidden_size: 2, pad_token_id: 0, bos_token_id: 2, eos_token_id: 1 };
  const mmbert = (pooling: StPooling) =>
    folder({ tokenizer: GB, config, graphs: { 'onnx/model.onnx': encoderOnnx({ task: 'embedding', table, width: 2, positions }) }, sentenceTransformers: { pooling, normalize: false } });

  test('position_ids are filled 0..n-1 per row; a batch of different lengths matches one-by-one', async () => {
    const model = await load<EmbedderHandle>({ name: 'mmbert', path: await mmbert('mean'), task: 'embedding', batching: { maxBatchSize: 8, maxWaitUs: 5000 } });
    try {
      expect(model.session.inputNames).toEqual(['input_ids', 'attention_mask', 'position_ids']);
      expect(model.tokenizer.encode('hello world').tokens).toEqual(['<bos>', 'hello', '▁world', '<eos>']);
      const texts = ['hello', 'hello world', 'code cake code cake hello', 'world '.repeat(40).trim()];
      const together = await Promise.all(texts.map((t) => model.embed(t)));
      for (const [i, t] of texts.entries()) {
        const n = model.tokenizer.encode(t).ids.length;
        close(together[i]!, unit([1, (n - 1) / 2]));
        expect(Math.hypot(...together[i]!)).toBeCloseTo(1, 6); // unit length without 2_Normalize too
      }
    } finally {
      await model.close();
    }
  });

  test('CLS pooling from 1_Pooling/config.json', async () => {
    const model = await load<EmbedderHandle>({ name: 'cls', path: await mmbert('cls'), task: 'embedding' });
    try {
      close(await model.embed('hello world cake'), [1, 0]);
    } finally {
      await model.close();
    }
  });

  test('max pooling from 1_Pooling/config.json (the head the loader hands the folder pooling to)', async () => {
    const dir = await mmbert('max');
    const run = await runVariant(dir, 'embedding', undefined, ['hello world', 'code cake code cake hello'], 0);
    expect(run.folder.pooling).toBe('max');
    expect(run.folder.layout.sentenceTransformers).toMatchObject({ pooling: 'max', normalize: false, poolingFile: '1_Pooling/config.json' });
    const [a, b] = embeddingHead(run.outputs, run.names, 2, run.mask, { pooling: resolvePooling(undefined, run.folder), dimensions: undefined });
    close(a!, unit([1, 3])); // 4 tokens: positions up to 3
    close(b!, unit([1, 6])); // <bos> code ▁cake ▁code ▁cake ▁hello <eos>
  });
});

describe('inputs semroute cannot fill', () => {
  test('a decoder export with past_key_values is refused, naming the input', async () => {
    const dir = await folder({
      tokenizer: WP,
      config: distilConfig,
      graphs: { 'onnx/model.onnx': encoderOnnx({ task: 'sequence-classification', table: tableFor(WP.vocab, 4, () => undefined), width: 4, extraInputs: ['past_key_values.0.key'] }) },
    });
    await expect(load({ name: 'dec', path: dir, task: 'sequence-classification' })).rejects.toThrow(/model dec: .*cannot fill: past_key_values\.0\.key/);
  });
});
