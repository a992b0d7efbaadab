import { describe, expect, it } from '@jest/globals';
import { applyHeaderMutation, MutationError, type HeaderTable, type MutationOptions } from '../../../src/dev/header-mutation.js';
import type { HeaderMutation, HeaderValueOption } from '../../../src/extproc/wire.js';

const set = (key: string, raw: string | undefined, append?: boolean, value?: string): HeaderValueOption => ({
  header: { key, ...(raw !== undefined ? { raw_value: Buffer.from(raw) } : {}), ...(value !== undefined ? { value } : {}) },
  ...(append !== undefined ? { append: { value: append } } : {}),
});

function table(): HeaderTable {
  return new Map([
    [':method', ['POST']],
    [':path', ['/v1/chat/completions']],
    [':authority', ['gw']],
    [':scheme', ['http']],
    [':status', ['200']],
    ['host', ['gw']],
    ['x-a', ['1']],
    ['x-envoy-original-path', ['/orig']],
    ['content-length', ['10']],
  ]);
}

describe('applyHeaderMutation follows Envoy mutation_utils and the default mutation rules', () => {
  it.each<[string, HeaderMutation, MutationOptions, string, string[] | undefined]>([
    ['overwrites when append is false', { set_headers: [set('x-a', '2', false)] }, {}, 'x-a', ['2']],
    ['overwrites when append is unset', { set_headers: [set('x-a', '2')] }, {}, 'x-a', ['2']],
    ['appends when append is true', { set_headers: [set('x-a', '2', true)] }, {}, 'x-a', ['1', '2']],
    ['append to an absent header adds it', { set_headers: [set('x-new', 'v', true)] }, {}, 'x-new', ['v']],
    ['reads raw_value only: value alone gives an empty header', { set_headers: [set('x-b', undefined, false, 'ignored')] }, {}, 'x-b', ['']],
    ['lower-cases the key', { set_headers: [set('X-Upper', 'v')] }, {}, 'x-upper', ['v']],
    ['keeps raw bytes (latin1 view of UTF-8)', { set_headers: [set('x-u', 'é')] }, {}, 'x-u', ['\u00c3\u00a9']],
    ['can set :path', { set_headers: [set(':path', '/v2', false)] }, {}, ':path', ['/v2']],
    ['cannot append to :path (pseudo-headers hold one value)', { set_headers: [set(':path', '/v2', true)] }, {}, ':path', ['/v1/chat/completions']],
    ['cannot set :method', { set_headers: [set(':method', 'GET', false)] }, {}, ':method', ['POST']],
    ['CONTINUE_AND_REPLACE may set :method', { set_headers: [set(':method', 'GET', false)] }, { replacing: true }, ':method', ['GET']],
    ['cannot set :authority', { set_headers: [set(':authority', 'evil', false)] }, {}, ':authority', ['gw']],
    ['cannot set :scheme', { set_headers: [set(':scheme', 'https', false)] }, {}, ':scheme', ['http']],
    ['cannot set host', { set_headers: [set('host', 'evil', false)] }, {}, 'host', ['gw']],
    ['cannot set x-envoy-*', { set_headers: [set('x-envoy-original-path', '/x', false)] }, {}, 'x-envoy-original-path', ['/orig']],
    ['cannot set x-envoy* without the dash either', { set_headers: [set('x-envoyfoo', '1', false)] }, {}, 'x-envoyfoo', undefined],
    ['can set :status to a number >= 200', { set_headers: [set(':status', '418')] }, {}, ':status', ['418']],
    ['ignores :status below 200', { set_headers: [set(':status', '100')] }, {}, ':status', ['200']],
    ['ignores a non-numeric :status', { set_headers: [set(':status', 'ok')] }, {}, ':status', ['200']],
    ['skips content-length when the body mode drops it', { set_headers: [set('content-length', '99')] }, { skipContentLength: true }, 'content-length', ['10']],
    ['sets content-length otherwise', { set_headers: [set('content-length', '99')] }, {}, 'content-length', ['99']],
    ['permissive (immediate response) may set host', { set_headers: [set('host', 'other')] }, { permissive: true }, 'host', ['other']],
    ['permissive (immediate response) may set x-envoy-*', { set_headers: [set('x-envoy-x', '1')] }, { permissive: true }, 'x-envoy-x', ['1']],
    ['removes a header', { remove_headers: ['X-A'] }, {}, 'x-a', undefined],
    ['never removes :path', { remove_headers: [':path'] }, {}, ':path', ['/v1/chat/completions']],
    ['never removes host', { remove_headers: ['host'] }, {}, 'host', ['gw']],
    ['never removes x-envoy-*', { remove_headers: ['x-envoy-original-path'] }, {}, 'x-envoy-original-path', ['/orig']],
    ['removes before it sets', { remove_headers: ['x-a'], set_headers: [set('x-a', '3', true)] }, {}, 'x-a', ['3']],
    ['a HeaderValueOption without a header is skipped', { set_headers: [{} as HeaderValueOption] }, {}, 'x-a', ['1']],
  ])('%s', (_name, mutation, opts, key, expected) => {
    const t = table();
    applyHeaderMutation(t, mutation, opts);
    expect(t.get(key)).toEqual(expected);
  });

  it.each<[string, HeaderMutation]>([
    ['both value and raw_value', { set_headers: [set('x-b', 'a', false, 'b')] }],
    ['a CR/LF in a value', { set_headers: [set('x-b', 'a\r\nx-injected: 1')] }],
    ['an invalid header name', { set_headers: [set('bad name', 'v')] }],
    ['an empty header name', { set_headers: [set('', 'v')] }],
    ['an invalid name in remove_headers', { remove_headers: ['bad name'] }],
    ['more than 100 headers set at once', { set_headers: Array.from({ length: 101 }, (_, i) => set(`x-${i}`, 'v')) }],
    ['a result over 100 headers', { set_headers: Array.from({ length: 95 }, (_, i) => set(`x-${i}`, 'v')) }],
  ])('fails the request (MutationError) on %s', (_name, mutation) => {
    expect(() => applyHeaderMutation(table(), mutation)).toThrow(MutationError);
  });

  it('applies nothing for an undefined mutation', () => {
    const t = table();
    applyHeaderMutation(t, undefined);
    expect(t).toEqual(table());
  });
});
