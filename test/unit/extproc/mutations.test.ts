import { describe, expect, it } from '@jest/globals';
import { bodyResponse, headersResponse, immediateResponse, modeOverride } from '../../../src/extproc/mutations.js';
import { setHeaders } from '../../helpers/wire.js';

describe('mutations', () => {
  it('drops clear_route_cache when there is no header mutation to carry it', () => {
    expect(headersResponse('request_headers', { set: [], remove: [] }, { clearRouteCache: true })).toEqual({ request_headers: { response: {} } });
  });

  it('writes raw_value bytes, append=false, and clear_route_cache together with the mutation', () => {
    const res = headersResponse('request_headers', { set: [['x-a', 'é']], remove: ['x-b'] }, { clearRouteCache: true });
    const c = res.request_headers!.response!;
    expect(c.header_mutation!.set_headers![0]).toEqual({ header: { key: 'x-a', raw_value: Buffer.from('é', 'utf8') }, append: { value: false } });
    expect(c.header_mutation!.remove_headers).toEqual(['x-b']);
    expect(c.clear_route_cache).toBe(true);
  });

  it('sets the exact byte length of a replaced body (multi-byte characters included)', () => {
    const body = Buffer.from('{"model":"ü"}');
    const res = bodyResponse('request_body', undefined, { body });
    expect(setHeaders(res.request_body!.response!.header_mutation)).toEqual([['content-length', String(body.length)]]);
    expect(body.length).toBe(14);
  });

  it('leaves content-length alone when the body is unchanged', () => {
    expect(bodyResponse('request_body')).toEqual({ request_body: { response: {} } });
  });

  it('builds an immediate response with headers and details', () => {
    const res = immediateResponse({ status: 413, headers: [['content-type', 'application/json']], body: Buffer.from('{}') }, 'semroute:body_too_large');
    expect(res.immediate_response).toMatchObject({ status: { code: 413 }, details: 'semroute:body_too_large' });
    expect(setHeaders(res.immediate_response!.headers)).toEqual([['content-type', 'application/json']]);
  });

  it('always writes both body modes in a mode override', () => {
    expect(modeOverride('BUFFERED', 'NONE')).toEqual({ request_body_mode: 'BUFFERED', response_body_mode: 'NONE' });
  });
});
