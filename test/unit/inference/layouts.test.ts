// Layout detection (layouts.ts through readModelFolder): where the graph is and which variant,
// the sentence-transformers modules, tokenizer_config.json derived when missing, the RoBERTa
// position offset; half → float; fp16 outputs and max pooling in the heads; optional feeds.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildFeeds, positionIds, unfillableInputs, unfillableInputsMessage } from '../../../src/inference/feeds.js';
import { readModelFolder } from '../../../src/inference/folder.js';
import { floatToHalf, halfsToFloats, halfToFloat } from '../../../src/inference/half.js';
import { classificationHead, embeddingHead, floats, maxPoolRow } from '../../../src/inference/heads.js';
import { DEFAULT_VARIANTS, MODEL_VARIANTS, resolvePooling, VARIANT_FILES, type ModelVariant } from '../../../src/inference/layouts.js';
import { deriveTokenizerConfig, effectiveMaxLength, TextTokenizer, tokenStyle, withLowercase } from '../../../src/inference/text-tokenizer.js';
import { poolingConfig, writeFiles, type Files } from '../../helpers/export-layouts.js';
import { byteLevelBpeFixture, gemmaBpeFixture, unigramFixture, wordPieceFixture } from '../../helpers/tokenizer-fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'semroute-layouts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const WP = wordPieceFixture(['hello', 'world']);
const base: Files = { 'tokenizer.json': WP.tokenizer, 'tokenizer_config.json': WP.tokenizerConfig, 'config.json': { hidden_size: 4, pooling: 'mean' } };
const graphAt = (...files: string[]): Files => Object.fromEntries(files.map((f) => [f, 'graph bytes are not parsed here']));
const read = (files: Files, variant?: ModelVariant, task: 'embedding' | 'sequence-classification' = 'embedding') =>
  writeFiles(dir, { ...base, ...files }).then(() => readModelFolder('m', dir, task, variant === undefined ? {} : { variant }));

describe('where the graph is', () => {
  test('Optimum: model.onnx at the root', async () => {
    const f = await read(graphAt('model.onnx'));
    expect(f.modelPath).toBe(path.join(dir, 'model.onnx'));
    expect(f.layout).toMatchObject({ kind: 'optimum', modelFile: 'model.onnx', variant: 'fp32', variants: ['fp32'], tokenizerConfig: 'file', sentenceTransformers: undefined });
  });

  test('transformers.js: onnx/, every variant found, fp32 by default', async () => {
    const f = await read(graphAt(...MODEL_VARIANTS.map((v) => `onnx/${VARIANT_FILES[v]}`)));
    expect(f.layout).toMatchObject({ kind: 'transformers.js', modelFile: 'onnx/model.onnx', variant: 'fp32', variants: ['fp32', 'quantized', 'fp16', 'int8'] });
    expect(f.modelPath).toBe(path.join(dir, 'onnx', 'model.onnx'));
  });

  test.each([
    [['onnx/model_quantized.onnx', 'onnx/model_fp16.onnx', 'onnx/model_int8.onnx'], 'onnx/model_quantized.onnx'],
    [['model_quantized.onnx', 'onnx/model.onnx'], 'onnx/model.onnx'],
    [['model.onnx', 'onnx/model.onnx'], 'model.onnx'],
    [['model_quantized.onnx'], 'model_quantized.onnx'],
  ])('default among %j: %s (fp32 before quantized, the root before onnx/)', async (files, expected) => {
    expect(DEFAULT_VARIANTS).toEqual(['fp32', 'quantized']);
    expect((await read(graphAt(...files))).layout.modelFile).toBe(expected);
  });

  test.each(MODEL_VARIANTS.map((v) => [v]))('variant %s picks its file', async (variant) => {
    const f = await read(graphAt('model.onnx', ...MODEL_VARIANTS.map((v) => `onnx/${VARIANT_FILES[v]}`)), variant);
    expect(f.layout.variant).toBe(variant);
    expect(f.layout.modelFile).toBe(variant === 'fp32' ? 'model.onnx' : `onnx/${VARIANT_FILES[variant]}`);
  });

  test('an asked variant the folder lacks: the error names the files looked for and what is there', async () => {
    await expect(read(graphAt('onnx/model.onnx', 'onnx/model_quantized.onnx'), 'fp16')).rejects.toThrow(
      'variant fp16: neither model_fp16.onnx nor onnx/model_fp16.onnx in ' + dir + ' (the folder has fp32: onnx/model.onnx, quantized: onnx/model_quantized.onnx)',
    );
    await expect(read(graphAt('model.onnx'), 'bf16' as ModelVariant)).rejects.toThrow('model m: unknown variant "bf16" (known: fp32, quantized, fp16, int8)');
  });

  test('only fp16 or int8: refused, naming the files and the variant to set', async () => {
    await expect(read(graphAt('onnx/model_fp16.onnx'))).rejects.toThrow(/missing model\.onnx in .*the folder has onnx\/model_fp16\.onnx: set variant to fp16$/);
  });

  test('no known graph: the existing message, plus the .onnx files semroute does not load', async () => {
    await expect(read({})).rejects.toThrow(/^model m: missing model\.onnx in .* \(nor onnx\/model\.onnx, model_quantized\.onnx, onnx\/model_quantized\.onnx\)$/);
    await expect(read(graphAt('onnx/model_q4.onnx', 'onnx/model_bnb4.onnx'))).rejects.toThrow(
      /found onnx\/model_bnb4\.onnx, onnx\/model_q4\.onnx, which semroute does not load \(variants: model\.onnx, model_quantized\.onnx, model_fp16\.onnx, model_int8\.onnx\)/,
    );
  });
});

describe('sentence-transformers modules', () => {
  const modules = (...extra: Record<string, unknown>[]) => [
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    ...extra,
  ];
  const normalize = { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' };

  test.each([['mean'], ['cls'], ['max']] as const)('1_Pooling/config.json: %s', async (mode) => {
    const f = await read({ ...graphAt('onnx/model.onnx'), 'modules.json': modules(normalize), '1_Pooling/config.json': poolingConfig(mode, 4) });
    expect(f.pooling).toBe(mode);
    expect(f.layout.sentenceTransformers).toEqual({ pooling: mode, poolingFile: '1_Pooling/config.json', normalize: true, maxSeqLength: undefined, doLowerCase: false });
    // The loader reads config.json "pooling" for mean and cls; the Pooling module's word wins there.
    expect(f.config.pooling).toBe(mode === 'max' ? 'mean' : mode);
    expect(resolvePooling(undefined, f)).toBe(mode);
    expect(resolvePooling('cls', f)).toBe('cls');
  });

  test('a Pooling module in another folder; 1_Pooling found without modules.json; no Normalize listed', async () => {
    const moved = await read({
      'modules.json': [{ idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' }, { idx: 1, name: '1', path: 'pool', type: 'sentence_transformers.models.Pooling' }],
      'pool/config.json': poolingConfig('cls', 4),
      ...graphAt('model.onnx'),
    });
    expect(moved.layout.sentenceTransformers).toMatchObject({ pooling: 'cls', poolingFile: 'pool/config.json', normalize: false });
    await rm(path.join(dir, 'modules.json'));
    await rm(path.join(dir, 'pool'), { recursive: true });
    const bare = await read({ '1_Pooling/config.json': poolingConfig('max', 4) });
    expect(bare.pooling).toBe('max');
  });

  test('without sentence-transformers files: config.json "pooling", else none', async () => {
    expect((await read(graphAt('model.onnx'))).pooling).toBe('mean');
    await writeFiles(dir, { 'config.json': { hidden_size: 4 } });
    const f = await readModelFolder('m', dir, 'embedding');
    expect(f.pooling).toBeUndefined();
    expect(resolvePooling(undefined, f)).toBe('mean');
  });

  test.each([
    ['two modes on', { ...poolingConfig('mean', 4), pooling_mode_max_tokens: true }, /1_Pooling\/config\.json: pooling_mode_mean_tokens and pooling_mode_max_tokens are both on/],
    ['no mode on', { ...poolingConfig('mean', 4), pooling_mode_mean_tokens: false }, /1_Pooling\/config\.json: no pooling mode is on/],
    ['last-token pooling', { ...poolingConfig('mean', 4), pooling_mode_mean_tokens: false, pooling_mode_lasttoken: true }, /pooling_mode_lasttoken is not supported \(semroute pools mean, cls or max\)/],
    ['weighted mean', { ...poolingConfig('mean', 4), pooling_mode_weightedmean_tokens: true }, /pooling_mode_weightedmean_tokens is not supported/],
    ['an array', [], /1_Pooling\/config\.json must hold a JSON object/],
  ])('%s is a clear error', async (_name, pooling, message) => {
    await expect(read({ ...graphAt('model.onnx'), 'modules.json': modules(), '1_Pooling/config.json': pooling })).rejects.toThrow(message);
  });

  test('modules.json errors: not an array, a missing Pooling config, a module semroute cannot apply', async () => {
    await expect(read({ ...graphAt('model.onnx'), 'modules.json': { modules: [] } })).rejects.toThrow('model m: modules.json must hold a JSON array of modules');
    await rm(path.join(dir, 'modules.json'));
    await expect(read({ 'modules.json': modules() })).rejects.toThrow('modules.json lists a Pooling module but 1_Pooling/config.json is missing');
    await expect(
      read({ '1_Pooling/config.json': poolingConfig('mean', 4), 'modules.json': modules(normalize, { idx: 3, name: '3', path: '2_Dense', type: 'sentence_transformers.models.Dense' }) }),
    ).rejects.toThrow(/modules\.json: module 2_Dense \(sentence_transformers\.models\.Dense\) is not supported: semroute runs the ONNX graph and applies the Pooling and Normalize modules itself/);
  });

  test("max_seq_length caps the tokenizer's model_max_length (never raises it); do_lower_case lowercases first", async () => {
    const f = await read({ ...graphAt('model.onnx'), 'sentence_bert_config.json': { max_seq_length: 128, do_lower_case: true } });
    expect(f.tokenizerConfig.model_max_length).toBe(128);
    expect(effectiveMaxLength(512, f.tokenizerConfig, f.config)).toBe(128);
    expect(f.layout.sentenceTransformers).toMatchObject({ maxSeqLength: 128, doLowerCase: true, pooling: undefined });
    // The BERT normalizer lowercases already: the tokenizer is left as it is.
    expect(f.tokenizerJson.normalizer).toEqual(WP.tokenizer.normalizer);
    await writeFiles(dir, { 'sentence_bert_config.json': { max_seq_length: 4096 } });
    expect((await readModelFolder('m', dir, 'embedding')).tokenizerConfig.model_max_length).toBe(512);
    await writeFiles(dir, { 'sentence_bert_config.json': { max_seq_length: -1 } });
    await expect(readModelFolder('m', dir, 'embedding')).rejects.toThrow('sentence_bert_config.json: "max_seq_length" must be a positive integer, got -1');
  });

  test('a cased tokenizer with do_lower_case gets a Lowercase normalizer in front', () => {
    const xlmr = unigramFixture(['hello']);
    const lowered = withLowercase(xlmr.tokenizer);
    expect(lowered.normalizer).toEqual({ type: 'Sequence', normalizers: [{ type: 'Lowercase' }, xlmr.tokenizer.normalizer] });
    const tok = new TextTokenizer(lowered, xlmr.tokenizerConfig, 16);
    expect(tok.encode('HELLO').tokens).toEqual(['<s>', '▁hello', '</s>']);
    expect(withLowercase({ ...xlmr.tokenizer, normalizer: null }).normalizer).toEqual({ type: 'Lowercase' });
  });
});

describe('tokenizer_config.json optional', () => {
  test('XLM-RoBERTa without it: specials from the post-processor and config.json; 514 positions hold 512 tokens', async () => {
    const x = unigramFixture(['hello']);
    const config = { model_type: 'xlm-roberta', max_position_embeddings: 514, pad_token_id: 1, bos_token_id: 0, eos_token_id: 2 };
    await writeFiles(dir, { ...graphAt('onnx/model_quantized.onnx'), 'tokenizer.json': x.tokenizer, 'config.json': config });
    const f = await readModelFolder('m', dir, 'embedding');
    expect(f.layout.tokenizerConfig).toBe('derived');
    expect(f.tokenizerConfig).toEqual({ unk_token: '<unk>', cls_token: '<s>', bos_token: '<s>', sep_token: '</s>', eos_token: '</s>', pad_token: '<pad>', mask_token: '<mask>' });
    expect(effectiveMaxLength(undefined, f.tokenizerConfig, f.config)).toBe(512);
  });

  test('the file, then special_tokens_map.json, win over what is derived', async () => {
    await writeFiles(dir, { ...graphAt('model.onnx'), 'tokenizer.json': { ...WP.tokenizer, truncation: { max_length: 256 } }, 'config.json': { pad_token_id: 0 }, 'special_tokens_map.json': { cls_token: '<cls>' } });
    const derived = await readModelFolder('m', dir, 'embedding');
    expect(derived.tokenizerConfig).toEqual({ model_max_length: 256, unk_token: '[UNK]', cls_token: '<cls>', bos_token: '[CLS]', sep_token: '[SEP]', eos_token: '[SEP]', pad_token: '[PAD]', mask_token: '[MASK]' });
    await writeFiles(dir, { 'tokenizer_config.json': { model_max_length: 512, sep_token: '<sep>' } });
    expect((await readModelFolder('m', dir, 'embedding')).tokenizerConfig).toMatchObject({ model_max_length: 512, cls_token: '<cls>', sep_token: '<sep>', unk_token: '[UNK]' });
  });

  test.each([
    ['ModernBERT (BPE, specials after the vocabulary)', byteLevelBpeFixture(['hello']), { cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', mask_token: '[MASK]' }],
    ['mmBERT (Gemma BPE)', gemmaBpeFixture(['hello']), { cls_token: '<bos>', sep_token: '<eos>', unk_token: '<unk>', pad_token: '<pad>', mask_token: '<mask>' }],
  ])('%s', (_name, fixture, expected) => {
    expect(deriveTokenizerConfig(fixture.tokenizer, { pad_token_id: fixture.pad })).toMatchObject(expected);
  });

  test('RobertaProcessing and Sequence post-processors; nothing to derive gives nothing', () => {
    const roberta = { model: { type: 'BPE', vocab: { '<s>': 0, '</s>': 2 } }, post_processor: { type: 'Sequence', processors: [{ type: 'ByteLevel' }, { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0] }] } };
    expect(deriveTokenizerConfig(roberta, {})).toEqual({ cls_token: '<s>', bos_token: '<s>', sep_token: '</s>', eos_token: '</s>' });
    expect(deriveTokenizerConfig({ model: { type: 'WordPiece', vocab: {} } }, {})).toEqual({});
  });

  test('effectiveMaxLength: the RoBERTa family loses padding_idx + 1 positions, others none', () => {
    expect(effectiveMaxLength(undefined, {}, { model_type: 'xlm-roberta', max_position_embeddings: 514, pad_token_id: 1 })).toBe(512);
    expect(effectiveMaxLength(undefined, { model_max_length: 1e30 }, { model_type: 'roberta', max_position_embeddings: 514 })).toBe(512);
    expect(effectiveMaxLength(undefined, {}, { model_type: 'mpnet', max_position_embeddings: 514, pad_token_id: 1 })).toBe(512);
    expect(effectiveMaxLength(undefined, {}, { model_type: 'modernbert', max_position_embeddings: 8192, pad_token_id: 50283 })).toBe(8192);
    expect(effectiveMaxLength(undefined, {}, { model_type: 'distilbert', max_position_embeddings: 512 })).toBe(512);
  });

  test('token styles: Metaspace (XLM-R), ▁ by a Replace normalizer (Gemma/mmBERT), byte-level (ModernBERT), WordPiece', () => {
    expect(tokenStyle(unigramFixture(['a']).tokenizer)).toEqual({ continuationPrefix: undefined, byteLevel: false, metaspace: '▁' });
    expect(tokenStyle(gemmaBpeFixture(['a']).tokenizer)).toEqual({ continuationPrefix: undefined, byteLevel: false, metaspace: '▁' });
    expect(tokenStyle(byteLevelBpeFixture(['a']).tokenizer)).toEqual({ continuationPrefix: undefined, byteLevel: true, metaspace: undefined });
    expect(tokenStyle(WP.tokenizer)).toEqual({ continuationPrefix: '##', byteLevel: false, metaspace: undefined });
  });
});

describe('half → float', () => {
  test.each([
    [0x0000, 0],
    [0x8000, -0],
    [0x3c00, 1],
    [0xbc00, -1],
    [0xc000, -2],
    [0x3800, 0.5],
    [0x3555, 0.333251953125],
    [0x3bff, 0.99951171875],
    [0x3c01, 1.0009765625],
    [0x7bff, 65504],
    [0xfbff, -65504],
    [0x0400, 2 ** -14], // smallest normal
    [0x0001, 2 ** -24], // smallest subnormal
    [0x8001, -(2 ** -24)],
    [0x0200, 2 ** -15], // a subnormal
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('0x%s → %s', (bits, value) => {
    expect(Object.is(halfToFloat(bits), value)).toBe(true);
    expect(Object.is(halfsToFloats(Uint16Array.of(bits))[0], value)).toBe(true);
  });

  test('NaN patterns are NaN; every pattern agrees with the float32 built bit by bit; round trips', () => {
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(halfToFloat(0xfc01)).toBeNaN();
    const all = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
    const table = halfsToFloats(all);
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (let h = 0; h < 0x10000; h++) {
      const exp = (h >> 10) & 0x1f;
      const frac = h & 0x3ff;
      if (exp === 0x1f && frac !== 0) {
        expect(table[h]).toBeNaN();
        continue;
      }
      // An independent conversion: normals re-biased into float32 bits; subnormals are frac × 2^-24.
      if (exp === 0) f32[0] = (h & 0x8000 ? -1 : 1) * frac * 2 ** -24;
      else if (exp === 0x1f) u32[0] = ((h & 0x8000) << 16) | 0x7f800000;
      else u32[0] = ((h & 0x8000) << 16) | ((exp - 15 + 127) << 23) | (frac << 13);
      if (!Object.is(table[h], f32[0]) || !Object.is(halfToFloat(h), f32[0]) || floatToHalf(f32[0]!) !== h) {
        throw new Error(`0x${h.toString(16)}: table ${table[h]}, function ${halfToFloat(h)}, expected ${f32[0]}, back 0x${floatToHalf(f32[0]!).toString(16)}`);
      }
    }
  });

  test('floatToHalf rounds to nearest even, overflows to Infinity, underflows to zero', () => {
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(floatToHalf(65520)).toBe(0x7c00);
    expect(floatToHalf(65519)).toBe(0x7bff);
    expect(floatToHalf(2 ** -25)).toBe(0x0000); // tie → even (zero)
    expect(floatToHalf(3 * 2 ** -25)).toBe(0x0002);
    expect(floatToHalf(-0)).toBe(0x8000);
    expect(floatToHalf(NaN)).toBe(0x7e00);
  });
});

describe('heads on fp16 and float64 outputs; max pooling', () => {
  const half = (xs: number[]) => Uint16Array.from(xs, floatToHalf);

  test('float16 (Uint16Array bits) and float64 become float32; other types are refused', () => {
    expect([...floats({ dims: [3], data: half([1.5, -2, 2 ** -20]), type: 'float16' }, 'x')]).toEqual([1.5, -2, 2 ** -20]);
    expect([...floats({ dims: [2], data: Float64Array.of(0.5, 3), type: 'float64' }, 'x')]).toEqual([0.5, 3]);
    expect(() => floats({ dims: [1], data: BigInt64Array.of(1n), type: 'int64' }, 'logits')).toThrow('logits must be float32, float16 or float64 (got int64)');
    expect(() => floats({ dims: [1], data: Uint16Array.of(1), type: 'uint16' }, 'logits')).toThrow(/got uint16/);
  });

  test('a classifier with float16 logits', () => {
    const [r] = classificationHead({ dims: [1, 2], data: half([2, 0]), type: 'float16' }, 1, ['a', 'b']);
    expect(r!.label).toBe('a');
    expect(r!.confidence).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
  });

  test('max pooling takes the largest unmasked value per dimension; an all-masked row is zero', () => {
    // [batch 2, seq 3, dim 2]; row 0 masks its last position, row 1 masks everything.
    const hidden = Float32Array.of(1, -5, 3, -1, 9, 9, 0, 0, 0, 0, 0, 0);
    const mask = BigInt64Array.of(1n, 1n, 0n, 0n, 0n, 0n);
    expect([...maxPoolRow(hidden, 0, 3, 2, mask)]).toEqual([3, -1]);
    expect([...maxPoolRow(hidden, 1, 3, 2, mask)]).toEqual([0, 0]);
    const [v] = embeddingHead({ last_hidden_state: { dims: [2, 3, 2], data: half([...hidden]), type: 'float16' } }, ['last_hidden_state'], 2, mask, { pooling: 'max', dimensions: undefined });
    expect(v![0]).toBeCloseTo(3 / Math.hypot(3, 1), 6);
    expect(v![1]).toBeCloseTo(-1 / Math.hypot(3, 1), 6);
  });
});

describe('feeds', () => {
  const enc = (ids: number[]) => ({ ids, tokens: ids.map(String), special: ids.map(() => false), textChars: 0 });

  test('position_ids run 0..seqLen-1 in every row; token_type_ids and position_ids only when declared', () => {
    const { feeds, seqLen } = buildFeeds([enc([5, 6, 7]), enc([5])], ['input_ids', 'attention_mask', 'position_ids'], 9);
    expect(seqLen).toBe(3);
    expect(Object.keys(feeds)).toEqual(['input_ids', 'attention_mask', 'position_ids']);
    expect([...(feeds.position_ids!.data as BigInt64Array)]).toEqual([0n, 1n, 2n, 0n, 1n, 2n]);
    expect([...(feeds.input_ids!.data as BigInt64Array)]).toEqual([5n, 6n, 7n, 5n, 9n, 9n]);
    expect(Object.keys(buildFeeds([enc([1])], ['input_ids'], 0).feeds)).toEqual(['input_ids']);
    expect([...positionIds(1, 4)]).toEqual([0n, 1n, 2n, 3n]);
  });

  test('inputs semroute cannot fill are named', () => {
    const names = ['input_ids', 'attention_mask', 'past_key_values.0.key', 'past_key_values.0.value', 'position_ids'];
    expect(unfillableInputs(names)).toEqual(['past_key_values.0.key', 'past_key_values.0.value']);
    expect(unfillableInputsMessage('onnx/model.onnx', names)).toBe(
      'onnx/model.onnx has inputs semroute cannot fill: past_key_values.0.key, past_key_values.0.value (it fills input_ids, attention_mask, token_type_ids, position_ids)',
    );
    expect(unfillableInputsMessage('model.onnx', ['input_ids', 'token_type_ids'])).toBeUndefined();
  });
});
