// The combined detector: offsets, overlap resolution, filters, and the model path's failure modes.
import { describe, expect, test } from '@jest/globals';
import { createPiiDetector } from '../../../src/pii/detector.js';
import { resolveOverlaps } from '../../../src/pii/overlap.js';
import type { PiiDetector, PiiSpan, TokenClassifier } from '../../../src/pii/types.js';

type Token = Awaited<ReturnType<TokenClassifier['tokens']>>[number];

/** A token classifier that answers from a fixed list (or fails), recording what it was asked. */
class FakeClassifier implements TokenClassifier {
  readonly seen: string[] = [];
  constructor(private readonly answer: (text: string) => Token[] | Error) {}
  tokens(text: string): Promise<Token[]> {
    this.seen.push(text);
    const a = this.answer(text);
    return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
  }
}

const span = (p: Partial<PiiSpan> & Pick<PiiSpan, 'start' | 'end'>): PiiSpan => ({
  type: 'X',
  text: '',
  score: 0.8,
  source: 'rule',
  ...p,
});

describe('offsets', () => {
  test('are UTF-16 offsets, exact after astral characters and combining marks', async () => {
    const prefix = 'Grüße 😀👩‍💻 e\u0301 — ';
    const input = `${prefix}mail jane@example.com, card 4111 1111 1111 1111`;
    const spans = await createPiiDetector().detect(input);
    expect(spans.map((s) => [s.type, s.start, s.end, s.text])).toEqual([
      ['EMAIL_ADDRESS', input.indexOf('jane'), input.indexOf('jane') + 16, 'jane@example.com'],
      ['CREDIT_CARD', input.indexOf('4111'), input.length, '4111 1111 1111 1111'],
    ]);
    for (const s of spans) expect(input.slice(s.start, s.end)).toBe(s.text);
  });
});

describe('overlap resolution', () => {
  test('a Luhn-valid card beats the phone pattern over the same digits', async () => {
    const spans = await createPiiDetector().detect('amex 3714 496353 98431');
    expect(spans.map((s) => s.type)).toEqual(['CREDIT_CARD']);
  });

  test('a dashed SSN beats the phone pattern', async () => {
    const spans = await createPiiDetector().detect('ssn 123-45-6789');
    expect(spans.map((s) => [s.type, s.text])).toEqual([['US_SSN', '123-45-6789']]);
  });

  test('higher score wins; on a tie a rule beats a model, then the longer span', () => {
    expect(resolveOverlaps([span({ start: 0, end: 10, score: 0.6 }), span({ start: 5, end: 8, score: 0.9, type: 'W' })])).toEqual([
      span({ start: 5, end: 8, score: 0.9, type: 'W' }),
    ]);
    const rule = span({ start: 0, end: 4, score: 1 });
    const model = span({ start: 0, end: 9, score: 1, source: 'model' });
    expect(resolveOverlaps([model, rule])).toEqual([rule]);
    const short = span({ start: 2, end: 4 });
    const long = span({ start: 0, end: 6 });
    expect(resolveOverlaps([short, long])).toEqual([long]);
  });

  test('keeps disjoint spans of a chain whose middle loses', () => {
    const a = span({ start: 0, end: 5, score: 0.9 });
    const b = span({ start: 4, end: 11, score: 0.5 });
    const c = span({ start: 10, end: 15, score: 0.9 });
    expect(resolveOverlaps([c, b, a])).toEqual([a, c]);
  });
});

describe('filters', () => {
  const input = 'bob@example.com 192.168.0.1 ssn 123-45-6789';

  test('types restricts what is reported', async () => {
    const spans = await createPiiDetector({ types: ['IP_ADDRESS', 'US_SSN'] }).detect(input);
    expect(spans.map((s) => s.type)).toEqual(['IP_ADDRESS', 'US_SSN']);
  });

  test('minScore drops weaker spans', async () => {
    const spans = await createPiiDetector({ minScore: 0.9 }).detect(input);
    expect(spans.map((s) => s.type)).toEqual(['US_SSN']); // "ssn" lifts 0.85 to 0.95
  });
});

describe('model path', () => {
  const input = 'Hi, I am John Smith, card 4111 1111 1111 1111.';
  const at = (s: string): [number, number] => [input.indexOf(s), input.indexOf(s) + s.length];

  test('model spans merge with rule spans, labels mapped', async () => {
    const model = new FakeClassifier(() => [
      { label: 'B-PER', start: at('John')[0], end: at('John')[1], score: 0.98 },
      { label: 'I-PER', start: at('Smith')[0], end: at('Smith')[1], score: 0.96 },
    ]);
    const spans = await createPiiDetector({ model }).detect(input);
    expect(spans.map((s) => [s.type, s.text, s.source])).toEqual([
      ['PERSON', 'John Smith', 'model'],
      ['CREDIT_CARD', '4111 1111 1111 1111', 'rule'],
    ]);
  });

  test('a checksum-validated rule span wins over an overlapping model span', async () => {
    const [s, e] = at('4111 1111');
    const model = new FakeClassifier(() => [{ label: 'PHONE', start: s, end: e, score: 1 }]);
    const spans = await createPiiDetector({ model }).detect(input);
    expect(spans.map((x) => [x.type, x.source])).toEqual([['CREDIT_CARD', 'rule']]);
  });

  test('a model failure leaves the rule spans and is reported as a warning and through the callback', async () => {
    const reported: Array<[string, unknown]> = [];
    const boom = new Error('session closed');
    const detector = createPiiDetector({ model: new FakeClassifier(() => boom), onWarning: (m, c) => reported.push([m, c]) });
    const result = await detector.analyze(input);
    expect(result.spans.map((s) => s.type)).toEqual(['CREDIT_CARD']);
    expect(result.warnings).toEqual(['pii model failed, rule spans only: session closed']);
    expect(reported).toEqual([['pii model failed, rule spans only: session closed', boom]]);
    await expect(detector.detect(input)).resolves.toHaveLength(1);
  });

  test('a model that never answers is abandoned after modelTimeoutMs', async () => {
    const hanging: PiiDetector = { detect: () => new Promise<PiiSpan[]>(() => undefined) };
    const result = await createPiiDetector({ model: hanging, modelTimeoutMs: 20 }).analyze(input);
    expect(result.spans.map((s) => s.type)).toEqual(['CREDIT_CARD']);
    expect(result.warnings).toEqual(['pii model failed, rule spans only: model timed out after 20 ms']);
  });

  test('the model sees the bounded prefix only, and types filter its spans too', async () => {
    const model = new FakeClassifier((t) => [{ label: 'ORG', start: 0, end: Math.min(2, t.length), score: 0.9 }]);
    const spans = await createPiiDetector({ model, maxScanChars: 10, types: ['PERSON'] }).detect(input);
    expect(model.seen).toEqual([input.slice(0, 10)]);
    expect(spans).toEqual([]);
  });

  test('any PiiDetector can stand in for the model', async () => {
    const custom: PiiDetector = {
      detect: (t) => Promise.resolve([{ type: 'PERSON', start: 9, end: 19, text: t.slice(9, 19), score: 0.7, source: 'model' }]),
    };
    const spans = await createPiiDetector({ model: custom }).detect(input);
    expect(spans.map((s) => s.text)).toEqual(['John Smith', '4111 1111 1111 1111']);
  });
});
