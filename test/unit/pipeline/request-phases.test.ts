import { describe, expect, it } from '@jest/globals';
import { onRequestBody } from '../../../src/pipeline/request-body.js';
import { onRequestHeaders } from '../../../src/pipeline/request-headers.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { testConfig } from '../../helpers/config.js';

const snap = new RoutingSnapshot(testConfig(), { loadedAt: 1700000000 });
const hdrs = (h: Record<string, string>) => new Map(Object.entries(h));

describe('onRequestHeaders', () => {
  it.each<[string, Record<string, string>, boolean, string, number | undefined]>([
    ['chat completions awaits the body', { ':method': 'POST', ':path': '/v1/chat/completions', 'content-type': 'application/json' }, false, 'await_body', undefined],
    ['query strings are ignored', { ':method': 'POST', ':path': '/v1/completions?x=1' }, false, 'await_body', undefined],
    ['charset is fine', { ':method': 'POST', ':path': '/v1/chat/completions', 'content-type': 'application/json; charset=utf-8' }, false, 'await_body', undefined],
    ['models list', { ':method': 'GET', ':path': '/v1/models' }, true, 'reply', 200],
    ['other paths pass through', { ':method': 'GET', ':path': '/health' }, true, 'passthrough', undefined],
    ['GET on chat', { ':method': 'GET', ':path': '/v1/chat/completions' }, true, 'reply', 405],
    ['form content-type', { ':method': 'POST', ':path': '/v1/chat/completions', 'content-type': 'application/x-www-form-urlencoded' }, false, 'reply', 400],
    ['declared length over the limit', { ':method': 'POST', ':path': '/v1/chat/completions', 'content-length': String(5 * 1024 * 1024) }, false, 'reply', 413],
    ['compressed body', { ':method': 'POST', ':path': '/v1/chat/completions', 'content-encoding': 'gzip' }, false, 'reply', 400],
    ['identity encoding is fine', { ':method': 'POST', ':path': '/v1/chat/completions', 'content-encoding': 'identity' }, false, 'await_body', undefined],
    ['no body', { ':method': 'POST', ':path': '/v1/chat/completions' }, true, 'reply', 400],
  ])('%s', (_name, h, eos, kind, status) => {
    const out = onRequestHeaders(snap, hdrs(h), eos);
    expect(out.kind).toBe(kind);
    if (out.kind === 'reply') {
      expect(out.status).toBe(status);
      expect(out.headers).toContainEqual(['content-type', 'application/json']);
    }
  });

  it('removes every client-sent routing header', () => {
    const out = onRequestHeaders(
      snap,
      hdrs({ ':method': 'POST', ':path': '/v1/chat/completions', 'x-semroute-model': 'large', 'x-semroute-anything': '1', 'x-gateway-destination-endpoint': '10.0.0.1:80', 'x-other': 'keep' }),
      false,
    );
    expect(out.kind === 'await_body' && out.edit.remove.sort()).toEqual(['x-gateway-destination-endpoint', 'x-semroute-anything', 'x-semroute-model']);
  });

  it('lists auto names and models in the OpenAI shape', () => {
    const out = onRequestHeaders(snap, hdrs({ ':method': 'GET', ':path': '/v1/models' }), true);
    expect(out.kind).toBe('reply');
    const body = JSON.parse((out as { body: Buffer }).body.toString());
    expect(body.object).toBe('list');
    expect(body.data.map((m: { id: string }) => m.id)).toEqual(['auto', 'semroute/auto', 'small', 'large']);
    expect(body.data[0]).toEqual({ id: 'auto', object: 'model', created: 1700000000, owned_by: 'semroute' });
  });
});

describe('onRequestBody', () => {
  const body = (o: unknown) => Buffer.from(JSON.stringify(o));
  const user = (text: string) => [{ role: 'user', content: text }];

  it('routes auto by keyword and rewrites only the model bytes', async () => {
    const raw = Buffer.from('{"model":"auto","seed":12345678901234567890,"messages":[{"role":"user","content":"fix my python"}]}');
    const out = await onRequestBody(snap, 'openai.chat', raw);
    expect(out.kind).toBe('forward');
    if (out.kind !== 'forward') return;
    expect([out.decision, out.model]).toEqual(['coding', 'large']);
    expect(out.body!.toString()).toBe('{"model":"org/large-235b","seed":12345678901234567890,"messages":[{"role":"user","content":"fix my python"}]}');
    expect(out.edit.set).toEqual([['x-semroute-model', 'large'], ['x-semroute-decision', 'coding']]);
    expect(out.responseHeaders).toEqual([['x-semroute-decision', 'coding'], ['x-semroute-model', 'large']]);
  });

  it('passes a configured model through to its served name', async () => {
    const out = await onRequestBody(snap, 'openai.chat', body({ model: 'small', messages: user('fix my python') }));
    expect(out.kind === 'forward' && [out.decision, out.model, JSON.parse(out.body!.toString()).model]).toEqual(['explicit', 'small', 'org/small-8b']);
  });

  it('leaves the body untouched when the client already sent the served name', async () => {
    const out = await onRequestBody(snap, 'openai.chat', body({ model: 'org/small-8b', messages: user('x') }));
    expect(out.kind === 'forward' && out.body).toBeUndefined();
  });

  it('answers an unknown model with 404 model_not_found', async () => {
    const out = await onRequestBody(snap, 'openai.chat', body({ model: 'gpt-4', messages: user('x') }));
    expect(out.kind).toBe('reply');
    if (out.kind !== 'reply') return;
    expect(out.status).toBe(404);
    expect(JSON.parse(out.body.toString()).error).toMatchObject({ code: 'model_not_found', param: 'model', type: 'invalid_request_error' });
  });

  it('answers malformed JSON with 400', async () => {
    const out = await onRequestBody(snap, 'openai.chat', Buffer.from('{"model": auto}'));
    expect(out.kind === 'reply' && [out.status, JSON.parse(out.body.toString()).error.code]).toEqual([400, 'invalid_json']);
  });
});
