import { describe, expect, test } from '@jest/globals';
import { evaluate, formatReport } from '../../../src/inference/evaluation.js';

const pairs = (xs: [string, string][]) => xs.map(([truth, predicted]) => ({ truth, predicted }));

describe('evaluate', () => {
  test('accuracy, per-class precision/recall/F1/support and the confusion matrix', () => {
    const r = evaluate(['a', 'b', 'c'], pairs([['a', 'a'], ['a', 'b'], ['b', 'b'], ['c', 'b'], ['c', 'c'], ['c', 'c']]));
    expect(r.accuracy).toBeCloseTo(4 / 6, 12);
    expect(r.confusion).toEqual([[1, 1, 0], [0, 1, 0], [0, 1, 2]]);
    expect(r.per_class.a).toEqual({ precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    expect(r.per_class.b).toEqual({ precision: 1 / 3, recall: 1, f1: 0.5, support: 1 });
    expect(r.per_class.c!.precision).toBe(1);
    expect(r.macro_f1).toBeCloseTo((2 / 3 + 0.5 + 0.8) / 3, 12);
  });

  test('a class never predicted has precision 0, not NaN', () => {
    const r = evaluate(['a', 'b'], pairs([['a', 'b'], ['b', 'b']]));
    expect(r.per_class.a).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
  });

  test('a label outside the set is an error', () => {
    expect(() => evaluate(['a'], pairs([['z', 'a']]))).toThrow('label outside a: z');
  });

  test('the text report aligns columns', () => {
    const text = formatReport(evaluate(['yes', 'no'], pairs([['yes', 'yes'], ['no', 'yes']])));
    expect(text).toContain('accuracy: 0.5000 (1/2)');
    expect(text).toContain('true \\ predicted  yes  no\nyes                 1   0\nno                  1   0');
  });
});
