// The token-classification fixture in test/fixtures/models/pii-token-classifier (BIO labels):
// spans come back with offsets into the original text, through batching too.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadModel, withDefaults, type EntitySpan, type TokenClassifierHandle } from '../../../src/inference/index.js';

const DIR = path.resolve('test/fixtures/models/pii-token-classifier');
const present = existsSync(path.join(DIR, 'model.onnx'));
if (!present) process.stderr.write(`pii-token-classifier.test: skipped, no fixture in ${DIR}\n`);
const suite = present ? describe : describe.skip;

const TEXTS = [
  'Contact John Smith at john.smith@example.com or call 415-555-0134.',
  'Mein Name ist Jürgen Müller, ich wohne in München.',
  'Send the invoice to ACME Corp, 221B Baker Street, London before 3 March 2025.',
  'My card number is 4111 1111 1111 1111 and my SSN is 078-05-1120.',
  'Server 192.168.10.24 rejected the login for maria.garcia@mail.es',
];

suite('pii token classifier fixture', () => {
  let model: TokenClassifierHandle;
  beforeAll(async () => {
    model = (await loadModel(withDefaults({ name: 'pii', path: DIR, task: 'token-classification', timeoutMs: 30_000 }))) as TokenClassifierHandle;
  }, 60_000);
  afterAll(() => model?.close());

  test('spans are well-formed slices of the original text with entity types from id2label', async () => {
    const types = new Set(model.labels.filter((l) => l !== 'O').map((l) => l.slice(2)));
    let total = 0;
    for (const text of TEXTS) {
      const spans = await model.tokens(text);
      total += spans.length;
      let last = -1;
      for (const s of spans) {
        expect(types).toContain(s.label);
        expect(s.start).toBeGreaterThanOrEqual(last); // ordered, not overlapping
        expect(s.end).toBeGreaterThan(s.start);
        expect(s.text).toBe(text.slice(s.start, s.end));
        expect(s.text).toBe(s.text.trim());
        expect(s.score).toBeGreaterThan(0);
        expect(s.score).toBeLessThanOrEqual(1);
        last = s.end;
      }
    }
    expect(total).toBeGreaterThan(0);
  });

  test('accented and upper-case words map back to their original characters', async () => {
    const text = 'Mein Name ist Jürgen Müller, ich wohne in München.';
    const words = new Set(['Mein', 'Name', 'ist', 'Jürgen', 'Müller', ',', 'ich', 'wohne', 'in', 'München', '.']);
    for (const s of await model.tokens(text)) {
      // Every span starts and ends on a word boundary of the original text.
      expect(s.text.split(/\s+|(?=,)/).every((w) => words.has(w))).toBe(true);
    }
  });

  test('concurrent interleaved calls get the spans of one-at-a-time calls', async () => {
    const texts = Array.from({ length: 30 }, (_, i) => TEXTS[i % TEXTS.length]!.repeat(1 + (i % 3)));
    const alone: EntitySpan[][] = [];
    for (const t of texts) alone.push(await model.tokens(t));
    const together = await Promise.all(texts.map((t) => model.tokens(t)));
    together.forEach((spans, i) => {
      expect(spans.map((s) => [s.label, s.start, s.end])).toEqual(alone[i]!.map((s) => [s.label, s.start, s.end]));
    });
  });
});
