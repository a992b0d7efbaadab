import { describe, expect, it } from '@jest/globals';
import { applyHeaderMutation, MutationError, type HeaderTable } from '../../../src/dev/header-mutation.js';
import { selectRoute } from '../../../src/dev/route-table.js';
import type { HeaderValueOption } from '../../../src/extproc/wire.js';

const set = (key: string, raw: string | undefined, append?: boolean, value?: string): HeaderValueOption => ({
  header: { key, ...(raw !== undefined ? { raw_value: Buffer.from(raw) } : {}), ...(value !== undefined ? { value } : {}) },
  ...(append !== undefined ? { append: { value: append } } : {}),
});

function table(): HeaderTable {
  return new Map([
    [':method', ['POST']],
    [':path', ['/v1/chat/completions']],
    [':authority', ['gw']],
    ['host', ['gw']],
    ['x-a', ['1']],
  ]);
}

describe('applyHeaderMutation (Envoy rules)', () => {
  it.each<[string, HeaderValueOption, string, string[] | undefined]>([
    ['overwrites when append is false', set('x-a', '2', false), 'x-a', ['2']],
    ['overwrites when append is unset', set('x-a', '2'), 'x-a', ['2']],
    ['appends when append is true', set('x-a', '2', true), 'x-a', ['1', '2']],
    ['reads raw_value only: value alone gives an empty header', set('x-b', undefined, false, 'ignored'), 'x-b', ['']],
    ['can set :path', set(':path', '/v2', false), ':path', ['/v2']],
    ['cannot set :method', set(':method', 'GET', false), ':method', ['POST']],
    ['cannot set :authority', set(':authority', 'evil', false), ':authority', ['gw']],
    ['cannot set host', set('host', 'evil', false), 'host', ['gw']],
    ['cannot set x-envoy-*', set('x-envoy-original-path', '/x', false), 'x-envoy-original-path', undefined],
  ])('%s', (_name, opt, key, expected) => {
    const t = table();
    applyHeaderMutation(t, { set_headers: [opt] });
    expect(t.get(key)).toEqual(expected);
  });

  it('rejects a header that sets both value and raw_value', () => {
    expect(() => applyHeaderMutation(table(), { set_headers: [set('x-b', 'a', false, 'b')] })).toThrow(MutationError);
  });

  it('removes headers but never pseudo-headers or host', () => {
    const t = table();
    applyHeaderMutation(t, { remove_headers: ['x-a', ':path', 'host'] });
    expect([...t.keys()]).toEqual([':method', ':path', ':authority', 'host']);
  });
});

describe('selectRoute', () => {
  const routes = [
    { header: 'x-semroute-model', value: 'a', upstream: 'http://a' },
    { header: 'x-semroute-model', value: 'b', upstream: 'http://b' },
  ];
  it.each<[string, HeaderTable, string | undefined, string | undefined]>([
    ['exact match', new Map([['x-semroute-model', ['b']]]), 'http://d', 'http://b'],
    ['no match falls to the default', new Map([['x-semroute-model', ['c']]]), 'http://d', 'http://d'],
    ['no header, no default: no route', new Map(), undefined, undefined],
  ])('%s', (_name, headers, def, upstream) => {
    expect(selectRoute(routes, headers, def)?.upstream).toBe(upstream);
  });
});
