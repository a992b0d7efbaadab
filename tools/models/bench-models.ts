// `make bench-models`: transformer-shaped model folders with random weights (transformer-graph.ts)
// for the inference benchmarks, in each Hugging Face export layout semroute loads:
//
//   <shape>-classifier      Optimum: model.onnx + model_quantized.onnx at the root
//   <shape>-classifier-tjs  transformers.js: onnx/model.onnx + onnx/model_quantized.onnx, no tokenizer_config.json
//   <shape>-embedding       sentence-transformers: modules.json, 1_Pooling (mean), 2_Normalize,
//                           sentence_bert_config.json (max_seq_length), graphs under onnx/
//
// for MiniLM-L6, BERT-base and ModernBERT-base (about 4 GB in all), in a cache folder outside git
// (default ~/.cache/semroute/bench-models). `--fixture DIR` writes the small committed test fixture
// (tiny shape, classifier, fp32) instead. The tokenizer is the shipped models' WordPiece one for
// every shape (ids stay below each vocabulary; the tokenizer's cost is not what these measure).
// The weights are random: for speed, memory and loading; never for accuracy.
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stableJson } from './model-folder.js';
import { TRANSFORMER_SHAPES, transformerOnnx, type TransformerShape, type TransformerShapeName, type TransformerTask } from './transformer-graph.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = [path.resolve(here, '../..'), path.resolve(here, '../../..')].find((d) => existsSync(path.join(d, 'models', 'domain-classifier')))!;
const TOKENIZER_FROM = path.join(repo, 'models', 'domain-classifier');

export const BENCH_SHAPES: readonly TransformerShapeName[] = ['minilm-l6', 'bert-base', 'modernbert-base'];

export function defaultBenchModelsDir(): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'semroute', 'bench-models');
}

function labels(): Record<string, string> {
  return (JSON.parse(readFileSync(path.join(TOKENIZER_FROM, 'config.json'), 'utf8')) as { id2label: Record<string, string> }).id2label;
}

function hfConfig(name: TransformerShapeName, shape: TransformerShape, task: TransformerTask): Record<string, unknown> {
  const bert = shape.style === 'bert';
  const id2label = labels();
  return {
    _comment: `random-weight ${name}-shaped graph from semroute tools/models/bench-models.ts: for speed and loading, not accuracy`,
    architectures: [bert ? (task === 'embedding' ? 'BertModel' : 'BertForSequenceClassification') : task === 'embedding' ? 'ModernBertModel' : 'ModernBertForSequenceClassification'],
    model_type: bert ? 'bert' : 'modernbert',
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    vocab_size: shape.vocab,
    max_position_embeddings: shape.maxPositions,
    ...(bert ? { type_vocab_size: shape.typeVocab } : {}),
    pad_token_id: 0,
    ...(task === 'embedding' ? {} : { id2label, label2id: Object.fromEntries(Object.entries(id2label).map(([k, v]) => [v, Number(k)])) }),
  };
}

function copyTokenizer(dir: string, maxLength: number, withConfig: boolean): void {
  copyFileSync(path.join(TOKENIZER_FROM, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
  if (!withConfig) return;
  const cfg = JSON.parse(readFileSync(path.join(TOKENIZER_FROM, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(path.join(dir, 'tokenizer_config.json'), stableJson({ ...cfg, model_max_length: maxLength }));
  copyFileSync(path.join(TOKENIZER_FROM, 'special_tokens_map.json'), path.join(dir, 'special_tokens_map.json'));
}

function graph(shape: TransformerShape, task: TransformerTask, quantize: boolean): Uint8Array {
  return transformerOnnx({ shape, task, quantize, labels: Object.keys(labels()).length, seed: 1 });
}

/** The three layouts of one shape; identical graphs are hard links, not copies. */
export function writeShape(root: string, name: TransformerShapeName, log: (line: string) => void = () => {}): string[] {
  const shape = TRANSFORMER_SHAPES[name];
  const maxLength = Math.min(shape.maxPositions, 8192);
  const folders: string[] = [];
  const fresh = (dir: string) => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    folders.push(dir);
    return dir;
  };
  const cls = fresh(path.join(root, `${name}-classifier`));
  const tjs = fresh(path.join(root, `${name}-classifier-tjs`));
  mkdirSync(path.join(tjs, 'onnx'));
  for (const [quantize, file] of [[false, 'model.onnx'], [true, 'model_quantized.onnx']] as const) {
    writeFileSync(path.join(cls, file), graph(shape, 'sequence-classification', quantize));
    linkSync(path.join(cls, file), path.join(tjs, 'onnx', file));
  }
  for (const dir of [cls, tjs]) writeFileSync(path.join(dir, 'config.json'), stableJson(hfConfig(name, shape, 'sequence-classification')));
  copyTokenizer(cls, maxLength, true);
  copyTokenizer(tjs, maxLength, false);

  const emb = fresh(path.join(root, `${name}-embedding`));
  mkdirSync(path.join(emb, 'onnx'));
  mkdirSync(path.join(emb, '1_Pooling'));
  mkdirSync(path.join(emb, '2_Normalize'));
  for (const [quantize, file] of [[false, 'model.onnx'], [true, 'model_quantized.onnx']] as const) {
    writeFileSync(path.join(emb, 'onnx', file), graph(shape, 'embedding', quantize));
  }
  writeFileSync(path.join(emb, 'config.json'), stableJson(hfConfig(name, shape, 'embedding')));
  copyTokenizer(emb, maxLength, true);
  writeFileSync(
    path.join(emb, 'modules.json'),
    stableJson([
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
    ]),
  );
  writeFileSync(path.join(emb, '1_Pooling', 'config.json'), stableJson({ word_embedding_dimension: shape.hidden, pooling_mode_mean_tokens: true }));
  writeFileSync(path.join(emb, 'sentence_bert_config.json'), stableJson({ max_seq_length: Math.min(maxLength, 512), do_lower_case: false }));
  for (const f of folders) log(`wrote ${f}`);
  return folders;
}

/** The committed fixture: the tiny shape's classifier, fp32, Optimum layout. */
export function writeFixture(dir: string): void {
  const shape = TRANSFORMER_SHAPES.tiny;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.onnx'), graph(shape, 'sequence-classification', false));
  writeFileSync(path.join(dir, 'config.json'), stableJson(hfConfig('tiny', shape, 'sequence-classification')));
  copyTokenizer(dir, shape.maxPositions, true);
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' }, shapes: { type: 'string' }, fixture: { type: 'string' } } });
  if (values.fixture) {
    writeFixture(path.resolve(values.fixture));
    process.stdout.write(`wrote ${values.fixture}\n`);
    return;
  }
  const out = path.resolve(values.out ?? defaultBenchModelsDir());
  const shapes = (values.shapes?.split(',') ?? BENCH_SHAPES) as TransformerShapeName[];
  for (const s of shapes) {
    if (!(s in TRANSFORMER_SHAPES)) throw new Error(`unknown shape ${s} (known: ${Object.keys(TRANSFORMER_SHAPES).join(', ')})`);
    writeShape(out, s, (line) => process.stdout.write(`${line}\n`));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
