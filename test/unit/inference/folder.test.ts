import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readModelFolder } from '../../../src/inference/folder.js';
import { effectiveMaxLength } from '../../../src/inference/text-tokenizer.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'semroute-folder-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(files: Record<string, string | object>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await writeFile(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
}

const complete = {
  'model.onnx': 'not parsed here',
  'tokenizer.json': { model: { type: 'WordPiece', vocab: {} } },
  'tokenizer_config.json': { model_max_length: 512 },
  'config.json': { id2label: { 0: 'a', 1: 'b' }, label2id: { a: 0, b: 1 } },
};

describe('readModelFolder', () => {
  test('reads a complete folder; labels in id order; special_tokens_map fills gaps only', async () => {
    await write({ ...complete, 'config.json': { id2label: { 1: 'b', 0: 'a' } }, 'special_tokens_map.json': { cls_token: '[CLS]', model_max_length: 9 } });
    const f = await readModelFolder('m', dir, 'sequence-classification');
    expect(f.labels).toEqual(['a', 'b']);
    expect(f.tokenizerConfig).toEqual({ cls_token: '[CLS]', model_max_length: 512 });
    expect(f.modelPath).toBe(path.join(dir, 'model.onnx'));
  });

  test('an embedding model needs no labels', async () => {
    await write({ ...complete, 'config.json': { pooling: 'mean' } });
    expect((await readModelFolder('m', dir, 'embedding')).labels).toBeUndefined();
  });

  test.each([
    ['a missing folder', {}, 'nope', /model m: model folder .*nope does not exist/],
    ['a missing model.onnx', { 'model.onnx': undefined }, '', /model m: missing model\.onnx in /],
    ['a missing tokenizer.json', { 'tokenizer.json': undefined }, '', /model m: missing tokenizer\.json in /],
    ['a missing config.json', { 'config.json': undefined }, '', /missing config\.json/],
    ['bad JSON', { 'config.json': '{"id2label": ' }, '', /config\.json is not valid JSON/],
    ['a JSON array', { 'tokenizer_config.json': '[]' }, '', /tokenizer_config\.json must hold a JSON object/],
    ['a tokenizer without a model', { 'tokenizer.json': { version: '1.0' } }, '', /tokenizer\.json has no "model" section/],
    ['no id2label', { 'config.json': {} }, '', /config\.json: "id2label" is missing/],
    ['one label', { 'config.json': { id2label: { 0: 'a' } } }, '', /at least two labels/],
    ['a gap in ids', { 'config.json': { id2label: { 0: 'a', 2: 'b' } } }, '', /"id2label" key "2" is not an id in 0\.\.1/],
    ['an empty label', { 'config.json': { id2label: { 0: 'a', 1: '' } } }, '', /"id2label"\."1" must be a non-empty string/],
    ['duplicate labels', { 'config.json': { id2label: { 0: 'a', 1: 'a' } } }, '', /duplicate labels/],
    ['label2id disagreeing', { 'config.json': { id2label: { 0: 'a', 1: 'b' }, label2id: { a: 1, b: 0 } } }, '', /"label2id"\."a" = 1 disagrees/],
  ])('%s is a clear error', async (_name, overrides, sub, message) => {
    const files: Record<string, string | object> = { ...complete };
    for (const [k, v] of Object.entries(overrides)) {
      if (v === undefined) delete files[k];
      else files[k] = v;
    }
    await write(files);
    await expect(readModelFolder('m', path.join(dir, sub), 'sequence-classification')).rejects.toThrow(message);
  });
});

describe('effectiveMaxLength', () => {
  test('the least of configured, tokenizer and model limits; sentinels ignored', () => {
    expect(effectiveMaxLength(256, { model_max_length: 512 }, { max_position_embeddings: 8192 })).toBe(256);
    expect(effectiveMaxLength(undefined, { model_max_length: 1e30 }, { max_position_embeddings: 514 })).toBe(514);
    expect(effectiveMaxLength(1024, { model_max_length: 512 }, {})).toBe(512);
    expect(effectiveMaxLength(undefined, {}, {})).toBe(512);
  });
});
