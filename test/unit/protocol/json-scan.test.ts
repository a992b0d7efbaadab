import { describe, expect, it } from '@jest/globals';
import { scanJson, spliceJsonString } from '../../../src/protocol/json-scan.js';

const scan = (s: string, depth = 64) => scanJson(Buffer.from(s), depth, ['model']);

describe('scanJson', () => {
  it.each([
    ['simple', '{"model":"auto","x":1}', '"auto"'],
    ['spaces around colon', '{ "model" :  "a b" }', '"a b"'],
    ['escaped quote inside the value', '{"model":"a\\"b"}', '"a\\"b"'],
    ['nested "model" keys are not top level', '{"messages":[{"model":"inner"}],"model":"outer"}', '"outer"'],
    ['model key as a string value is not a key', '{"a":"model","model":"m"}', '"m"'],
    ['escaped key', '{"mod\\u0065l":"m"}', '"m"'],
  ])('finds the top-level model string: %s', (_n, json, expected) => {
    const r = scan(json)!;
    const span = r.topLevelStrings.get('model')!;
    expect(json.slice(span.start, span.end)).toBe(expected);
  });

  it('ignores a non-string model', () => {
    expect(scan('{"model":42}')!.topLevelStrings.has('model')).toBe(false);
    expect(scan('{"model":["a"]}')!.topLevelStrings.has('model')).toBe(false);
  });

  it('reports duplicate keys', () => {
    expect(scan('{"model":"a","model":"b"}')!.duplicateKeys).toEqual(['model']);
    expect(scan('{"model":"a","mod\\u0065l":"b"}')!.duplicateKeys).toEqual(['model']);
  });

  it('bounds nesting depth', () => {
    expect(scan('[[[[1]]]]', 4)!.maxDepth).toBe(4);
    expect(scan('[[[[[1]]]]]', 4)).toBeUndefined();
    expect(scan('{"a":"[[[[[[[[[["}', 2)!.maxDepth).toBe(1);
  });

  it('skips strings of any escapes and length (quote to quote, not byte by byte)', () => {
    const texts = ['\\', '\\"', 'a\\\\', '"\n"\\', 'x'.repeat(100_000), '"'.repeat(5000), `${'\\'.repeat(999)}"{[`, '😀 é 中 \u0000'];
    for (const t of texts) {
      const json = JSON.stringify({ content: t, nested: [[t]], model: 'm', tail: { model: t } });
      const r = scan(json)!;
      expect(r.maxDepth).toBe(3);
      const span = r.topLevelStrings.get('model')!;
      expect(Buffer.from(json).subarray(span.start, span.end).toString()).toBe('"m"');
    }
    // An unterminated string ends the scan without a span.
    expect(scan('{"a":"no end \\"}')!.topLevelStrings.size).toBe(0);
    // Structure inside strings never counts towards depth.
    expect(scan(JSON.stringify({ s: '['.repeat(1000) }), 2)!.maxDepth).toBe(1);
  });

  it('accepts any Uint8Array, not only a Buffer', () => {
    const bytes = new TextEncoder().encode('{"model":"auto"}');
    expect(scanJson(bytes, 64, ['model'])!.topLevelStrings.get('model')).toEqual({ start: 9, end: 15 });
  });

  it('splices a new value and leaves every other byte alone', () => {
    const raw = Buffer.from('{"seed": 12345678901234567890, "model" : "auto",\n "x": 1.50}');
    const span = scanJson(raw, 64, ['model'])!.topLevelStrings.get('model')!;
    expect(spliceJsonString(raw, span, 'org/"m"').toString()).toBe(
      '{"seed": 12345678901234567890, "model" : "org/\\"m\\"",\n "x": 1.50}',
    );
  });
});
