import { describe, expect, it } from '@jest/globals';
import { extProcError, immediateReply, LocalReply, noRoute, upstreamFailure } from '../../../src/dev/local-reply.js';
import type { ImmediateResponse } from '../../../src/extproc/wire.js';

const h = (key: string, value: string) => ({ header: { key, raw_value: Buffer.from(value) }, append: { value: false } });

describe('local replies are shaped like Envoy prepareLocalReply', () => {
  it('adds content-length and a text/plain content-type to a body without one', () => {
    const r = new LocalReply(403, new Map(), Buffer.from('no'), 'ext_proc', 'd');
    expect(Object.fromEntries(r.headers)).toEqual({ 'content-length': ['2'], 'content-type': ['text/plain'] });
  });

  it('keeps a content-type that was set, and fixes a wrong content-length', () => {
    const r = new LocalReply(403, new Map([['content-type', ['application/json']], ['content-length', ['99']]]), Buffer.from('{}'), 'ext_proc', 'd');
    expect(Object.fromEntries(r.headers)).toEqual({ 'content-type': ['application/json'], 'content-length': ['2'] });
  });

  it('drops content-type and content-length when the body is empty', () => {
    const r = new LocalReply(204, new Map([['content-type', ['application/json']]]), Buffer.alloc(0), 'ext_proc', 'd');
    expect(r.headers.size).toBe(0);
  });
});

describe('immediateReply', () => {
  it.each<[string, ImmediateResponse, number]>([
    ['a decoded enum name', { status: { code: 'Forbidden' } }, 403],
    ['a number', { status: { code: 429 } }, 429],
    ['a status the enum lacks, decoded as a number', { status: { code: 499 } }, 499],
    ['an unset status becomes 200', { status: { code: 'Empty' } }, 200],
    ['a status below 200 becomes 200', { status: { code: 101 } }, 200],
  ])('reads the status from %s', (_name, imm, status) => {
    expect(immediateReply(imm).status).toBe(status);
  });

  it('sets headers with the permissive checker, never pseudo-headers, and keeps the body as given', () => {
    const r = immediateReply({
      status: { code: 403 },
      headers: { set_headers: [h('content-type', 'application/json'), h('x-envoy-ratelimited', 'true'), h(':status', '200')] },
      body: Buffer.from('{"error":{}}'),
    });
    expect(r.status).toBe(403);
    expect(r.body.toString()).toBe('{"error":{}}');
    expect(r.headers.get('content-type')).toEqual(['application/json']);
    expect(r.headers.get('x-envoy-ratelimited')).toEqual(['true']);
    expect(r.headers.has(':status')).toBe(false);
    expect(r.source).toBe('ext_proc');
  });

  it('still replies when a header mutation is invalid, with the headers before it', () => {
    const r = immediateReply({ status: { code: 400 }, headers: { set_headers: [h('x-ok', '1'), h('x-bad', 'a\nb'), h('x-after', '1')] } });
    expect(r.status).toBe(400);
    expect(r.headers.get('x-ok')).toEqual(['1']);
    expect(r.headers.has('x-after')).toBe(false);
  });
});

describe('gateway-made replies', () => {
  it.each<[string, LocalReply, number, string, string | undefined]>([
    ['ext_proc failure: empty body', extProcError(504, 'timeout'), 504, 'ext_proc', undefined],
    ['no route: OpenAI-shaped JSON', noRoute('/x'), 404, 'router', 'application/json'],
    ['upstream failure: Envoy UF text', upstreamFailure(new Error('ECONNREFUSED')), 503, 'router', 'text/plain'],
  ])('%s', (_name, r, status, source, contentType) => {
    expect(r.status).toBe(status);
    expect(r.source).toBe(source);
    expect(r.headers.get('content-type')?.[0]).toBe(contentType);
  });

  it('no route says so in an OpenAI error body', () => {
    expect(JSON.parse(noRoute('/x').body.toString())).toEqual({ error: { message: 'no route for /x', type: 'invalid_request_error', code: 'route_not_found' } });
  });

  it('upstream failure carries the reason', () => {
    expect(upstreamFailure(new Error('ECONNREFUSED')).body.toString()).toMatch(/^upstream connect error or disconnect\/reset before headers.*ECONNREFUSED$/);
  });
});
