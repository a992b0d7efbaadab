import { describe, expect, it } from '@jest/globals';
import type { HeaderTable } from '../../../src/dev/header-mutation.js';
import { selectRoute } from '../../../src/dev/route-table.js';

describe('selectRoute (Envoy route table: exact header match, first wins, then the default)', () => {
  const routes = [
    { header: 'x-semroute-model', value: 'a', upstream: 'http://a', cluster: 'ca' },
    { header: 'X-Semroute-Model', value: 'b', upstream: 'http://b' },
    { header: 'x-other', value: 'a', upstream: 'http://other' },
  ];
  it.each<[string, HeaderTable, string | undefined, { upstream: string; cluster: string } | undefined]>([
    ['exact match, with its cluster', new Map([['x-semroute-model', ['a']]]), 'http://d', { upstream: 'http://a', cluster: 'ca' }],
    ['route header names match case-insensitively; cluster defaults to the upstream', new Map([['x-semroute-model', ['b']]]), 'http://d', { upstream: 'http://b', cluster: 'http://b' }],
    ['first match wins', new Map([['x-other', ['a']], ['x-semroute-model', ['b']]]), undefined, { upstream: 'http://b', cluster: 'http://b' }],
    ['values match exactly (no prefix, no case folding)', new Map([['x-semroute-model', ['A']]]), 'http://d', { upstream: 'http://d', cluster: 'default' }],
    ['only the first value counts', new Map([['x-semroute-model', ['c', 'a']]]), 'http://d', { upstream: 'http://d', cluster: 'default' }],
    ['no header, no default: no route', new Map(), undefined, undefined],
  ])('%s', (_name, headers, def, expected) => {
    expect(selectRoute(routes, headers, def)).toEqual(expected);
  });
});

describe('selectRoute: the ORIGINAL_DST route with an endpoint-picker list', () => {
  const routes = [{ header: 'x-gateway-destination-endpoint', value: '', originalDst: true, upstream: '', cluster: 'original_dst' }];
  it('the first address is the upstream, the rest are the fallbacks in order', () => {
    expect(selectRoute(routes, new Map([['x-gateway-destination-endpoint', ['10.0.0.1:80, 10.0.0.2:80,10.0.0.3:80']]]), undefined)).toEqual({
      upstream: 'http://10.0.0.1:80',
      cluster: 'original_dst',
      address: '10.0.0.1:80',
      fallbacks: ['10.0.0.2:80', '10.0.0.3:80'],
    });
  });
  it('a single address has no fallbacks; an empty list is no match', () => {
    expect(selectRoute(routes, new Map([['x-gateway-destination-endpoint', ['[fd00::1]:80']]]), undefined)).toEqual({ upstream: 'http://[fd00::1]:80', cluster: 'original_dst', address: '[fd00::1]:80' });
    expect(selectRoute(routes, new Map([['x-gateway-destination-endpoint', [' , ']]]), 'http://d')).toEqual({ upstream: 'http://d', cluster: 'default' });
  });
});
