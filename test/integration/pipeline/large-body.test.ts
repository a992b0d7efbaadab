// A 4 MB body that is one word (a hex dump) through the real request-body pipeline: the default
// ONNX models classify it, every signal kind runs, the request routes, and the bounds hold: the
// real tokenizer (spied on, not replaced) is handed at most its input cap, and no regex anywhere
// on the path runs over more than the tokenizer's cap or the scanners' windows.
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { parseConfig } from '../../../src/config/load.js';
import type { TextTokenizer } from '../../../src/inference/text-tokenizer.js';
import { ModelPool } from '../../../src/pipeline/model-pool.js';
import { onRequestBody } from '../../../src/pipeline/request-body.js';
import { buildSnapshot } from '../../../src/pipeline/snapshot.js';
import { SCAN_HEAD_CHARS } from '../../../src/signals/input.js';
import { baseConfigDoc } from '../../helpers/config.js';

const pool = new ModelPool({ info: () => undefined, warn: () => undefined }, 50);
afterAll(() => pool.close());

const BODY_BYTES = 4 * 1024 * 1024 - 4096;

function hexWord(chars: number): string {
  const digits: string[] = [];
  let x = 7;
  for (let i = 0; i < chars; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    digits.push('0123456789abcdef'[x >>> 28]!);
  }
  return digits.join('');
}

function config(plugins: Record<string, unknown> = {}) {
  const doc = baseConfigDoc() as any;
  doc.signals = {
    keyword: doc.signals.keyword,
    regex: [{ name: 'sql', patterns: ['\\bselect\\b[^;]*\\bfrom\\b'] }],
    language: [{ name: 'english', languages: ['en'] }],
    context: [{ name: 'huge', min_tokens: 100_000 }],
    pii: [{ name: 'personal', input: 'conversation' }],
    domain: [{ name: 'math', labels: ['math'] }],
    jailbreak: [{ name: 'jailbreak', threshold: 0.999 }],
    embedding: [{ name: 'greeting', candidates: ['hello, how are you?'] }],
  };
  doc.decisions = [
    { name: 'blocked', priority: 1000, rules: 'jailbreak', plugins: { block: {} } },
    { name: 'signals', priority: 500, rules: { any: ['math', 'sql', 'english', 'personal', 'greeting', 'code', 'urgent'] }, models: [{ model: 'small' }] },
    { name: 'long', priority: 100, rules: 'huge', models: [{ model: 'large' }], plugins },
    { name: 'general', rules: { all: [] }, models: [{ model: 'small' }] },
  ];
  return parseConfig(doc);
}

/** Lengths of every text the real tokenizer tokenizes and of every string a regex scans. */
async function watched<T>(tokenizer: TextTokenizer, work: () => Promise<T>): Promise<{ result: T; tokenized: number[]; scanned: number[] }> {
  const tokenized: number[] = [];
  const scanned: number[] = [];
  const encodeFull = tokenizer.encodeFull.bind(tokenizer);
  const spy = jest.spyOn(tokenizer, 'encodeFull').mockImplementation((text: string) => {
    tokenized.push(text.length);
    return encodeFull(text);
  });
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const exec = RegExp.prototype.exec;
  const regex = jest.spyOn(RegExp.prototype, 'exec').mockImplementation(function (this: RegExp, s: string) {
    scanned.push(s.length);
    return exec.call(this, s);
  });
  try {
    return { result: await work(), tokenized, scanned };
  } finally {
    spy.mockRestore();
    regex.mockRestore();
  }
}

describe('a 4 MB single-word body', () => {
  const word = hexWord(BODY_BYTES - 100);
  const raw = Buffer.from(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: word }] }));

  it('routes through every signal kind and the default models with bounded text work', async () => {
    const snap = await buildSnapshot(config(), 'test', { pool });
    try {
      const tokenizer = snap.models.get('domain')!.tokenizer;
      expect(snap.models.get('jailbreak')!.tokenizer).toBe(tokenizer);
      const { result, tokenized, scanned } = await watched(tokenizer, () => onRequestBody(snap, 'openai.chat', raw));
      expect(result).toMatchObject({ kind: 'forward', decision: 'long', model: 'large' });
      // The models ran on the word: one [UNK] between [CLS] and [SEP], from a capped prefix.
      expect(tokenizer.encode(word).ids).toHaveLength(3);
      expect(tokenized.length).toBeGreaterThan(0);
      expect(Math.max(...tokenized)).toBeLessThanOrEqual(tokenizer.maxInputChars);
      // Tokenizer prefixes (what a classifier signal hands over) and the scanners' windows: never the 4 MB text.
      expect(Math.max(...scanned)).toBeLessThanOrEqual(Math.max(tokenizer.inputReadLimit, SCAN_HEAD_CHARS));
      expect(tokenized).toEqual([4 * tokenizer.maxLength, tokenizer.maxInputChars]);
      // The forwarded body is the client's, with only the model rewritten.
      const forwarded = (result as { body: Buffer }).body;
      expect(forwarded.length).toBe(raw.length + 'org/large-235b'.length - 'auto'.length);
    } finally {
      snap.release();
    }
  });

  it('with a body edit, copies the word instead of serialising it', async () => {
    const snap = await buildSnapshot(config({ system_prompt: { text: 'Summarise the data.' } }), 'test', { pool });
    try {
      const stringify = jest.spyOn(JSON, 'stringify');
      const result = await onRequestBody(snap, 'openai.chat', raw);
      const longest = Math.max(0, ...stringify.mock.results.map((r) => (typeof r.value === 'string' ? r.value.length : 0)));
      stringify.mockRestore();
      expect(result).toMatchObject({ kind: 'forward', decision: 'long' });
      expect(longest).toBeLessThan(10_000);
      const doc = JSON.parse((result as { body: Buffer }).body.toString('utf8')) as { model: string; messages: Array<{ role: string; content: string }> };
      expect(doc.model).toBe('org/large-235b');
      expect(doc.messages.map((m) => m.role)).toEqual(['system', 'user']);
      expect(doc.messages[1]!.content).toBe(word);
    } finally {
      snap.release();
    }
  });

  it('a pii plugin over its max_scan_chars refuses the body instead of forwarding it unscanned', async () => {
    const snap = await buildSnapshot(config({ pii: { action: 'redact' } }), 'test', { pool });
    try {
      const result = await onRequestBody(snap, 'openai.chat', raw);
      expect(result).toMatchObject({ kind: 'reply', status: 413, decision: 'long' });
      expect(JSON.parse((result as { body: Buffer }).body.toString('utf8'))).toMatchObject({ error: { code: 'pii_scan_limit' } });
    } finally {
      snap.release();
    }
  });
});
