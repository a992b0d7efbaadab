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

  it('splices a new value and leaves every other byte alone', () => {
    const raw = Buffer.from('{"seed": 12345678901234567890, "model" : "auto",\n "x": 1.50}');
    const span = scanJson(raw, 64, ['model'])!.topLevelStrings.get('model')!;
    expect(spliceJsonString(raw, span, 'org/"m"').toString()).toBe(
      '{"seed": 12345678901234567890, "model" : "org/\\"m\\"",\n "x": 1.50}',
    );
  });
});
