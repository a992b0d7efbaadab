import { describe, expect, it } from '@jest/globals';
import { errorCode, errorMessage } from '../../../src/telemetry/errors.js';

describe('error helpers', () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;

  it.each<[string, unknown, string]>([
    ['an Error', new Error('boom'), 'boom'],
    ['an Error without message', new TypeError(), 'TypeError'],
    ['a string', 'plain', 'plain'],
    ['an object with message', { message: 'from object' }, 'from object'],
    ['a plain object', { a: 1 }, '{"a":1}'],
    ['a circular object', circular, '[object Object]'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a number', 42, '42'],
    ['a bigint', 7n, '7'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
  ])('errorMessage of %s', (_what, value, expected) => {
    expect(errorMessage(value)).toBe(expected);
  });

  it('truncates huge messages', () => {
    expect(errorMessage(new Error('x'.repeat(10_000))).length).toBeLessThan(2_100);
  });

  it.each<[string, unknown, string | undefined]>([
    ['a Node system error', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
    ['a gRPC status error', Object.assign(new Error('unavailable'), { code: 14 }), '14'],
    ['an error without code', new Error('x'), undefined],
    ['an empty code', { code: '' }, undefined],
    ['a string', 'ECONNRESET', undefined],
    ['null', null, undefined],
  ])('errorCode of %s', (_what, value, expected) => {
    expect(errorCode(value)).toBe(expected);
  });
});
