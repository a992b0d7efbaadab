// Replies semroute answers itself in the client's protocol: count_tokens, errors in Anthropic's
// or OpenAI's shape, and the models list in Anthropic's shape.
import { describe, expect, it } from '@jest/globals';
import { RouterError } from '../../../src/protocol/errors.js';
import { countTokensReply } from '../../../src/pipeline/count-tokens.js';
import { anthropicModelsListBody, errorReply, modelsListBody } from '../../../src/pipeline/replies.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { testConfig } from '../../helpers/config.js';

const snap = new RoutingSnapshot(testConfig(), { loadedAt: 1700000000 });
const small = new RoutingSnapshot(
  testConfig((doc) => {
    doc.security = { max_messages: 2 };
  }),
  { loadedAt: 1700000000 },
);

const raw = (body: unknown) => Buffer.from(JSON.stringify(body));
const json = (b: Buffer) => JSON.parse(b.toString('utf8'));
const tokensOf = (body: unknown, s = snap): number => {
  const reply = countTokensReply(s, raw(body));
  expect(reply.status).toBe(200);
  return json(reply.body).input_tokens as number;
};

describe('countTokensReply', () => {
  it('200 with input_tokens for a count_tokens body (no max_tokens)', () => {
    const reply = countTokensReply(snap, raw({ model: 'auto', messages: [{ role: 'user', content: 'Hello, world' }] }));
    expect(reply).toMatchObject({ kind: 'reply', status: 200, reason: 'count_tokens' });
    expect(reply.headers).toContainEqual(['content-type', 'application/json']);
    const body = json(reply.body);
    expect(Object.keys(body)).toEqual(['input_tokens']);
    expect(Number.isInteger(body.input_tokens)).toBe(true);
    expect(body.input_tokens).toBeGreaterThan(0);
  });

  it('a body with max_tokens is counted too', () => {
    expect(tokensOf({ model: 'auto', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).toBeGreaterThan(0);
  });

  it('grows with the message text', () => {
    const short = tokensOf({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] });
    const long = tokensOf({ model: 'auto', messages: [{ role: 'user', content: 'hi '.repeat(400) }] });
    expect(long).toBeGreaterThan(short + 200);
  });

  it('counts the system text and every turn, tool results included', () => {
    const base = tokensOf({ model: 'auto', messages: [{ role: 'user', content: 'q' }] });
    expect(tokensOf({ model: 'auto', system: 'a'.repeat(400), messages: [{ role: 'user', content: 'q' }] })).toBeGreaterThanOrEqual(base + 100);
    expect(tokensOf({ model: 'auto', system: [{ type: 'text', text: 'a'.repeat(400) }], messages: [{ role: 'user', content: 'q' }] })).toBeGreaterThanOrEqual(base + 100);
    const withResult = tokensOf({
      model: 'auto',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'r'.repeat(400) }] },
      ],
    });
    expect(withResult).toBeGreaterThanOrEqual(base + 100);
  });

  it('grows with the tool definitions', () => {
    const messages = [{ role: 'user', content: 'What is the weather?' }];
    const none = tokensOf({ model: 'auto', messages });
    const tool = { name: 'weather', description: 'Current weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };
    const one = tokensOf({ model: 'auto', messages, tools: [tool] });
    const two = tokensOf({ model: 'auto', messages, tools: [tool, { ...tool, name: 'forecast' }] });
    expect(one).toBeGreaterThan(none);
    expect(two).toBeGreaterThan(one);
  });

  it.each([
    ['not JSON', Buffer.from('{nope')],
    ['empty', Buffer.alloc(0)],
    ['no messages', raw({ model: 'auto', messages: [] })],
    ['an unknown block type', raw({ model: 'auto', messages: [{ role: 'user', content: [{ type: 'hologram' }] }] })],
    ['no model', raw({ messages: [{ role: 'user', content: 'x' }] })],
  ])('a bad body (%s): 400 in Anthropic error shape', (_name, body) => {
    const reply = countTokensReply(snap, body);
    expect(reply.status).toBe(400);
    expect(reply.kind).toBe('reply');
    const err = json(reply.body);
    expect(err).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.any(String) } });
    expect(err.error.message.length).toBeGreaterThan(0);
    expect(reply.headers).toContainEqual(['content-type', 'application/json']);
  });

  it('the snapshot limits apply (max_messages)', () => {
    const body = { model: 'auto', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }] };
    expect(countTokensReply(snap, raw(body)).status).toBe(200);
    const reply = countTokensReply(small, raw(body));
    expect(reply.status).toBe(400);
    expect(json(reply.body).type).toBe('error');
    expect(reply.reason).toBe('invalid_request');
  });
});

describe('errorReply', () => {
  const bad = new RouterError('invalid_request', 'max_tokens: max_tokens is required', 'max_tokens');

  it('anthropic.messages: {"type":"error","error":{type,message}}', () => {
    const reply = errorReply(bad, 'anthropic.messages');
    expect(reply).toMatchObject({ kind: 'reply', status: 400, reason: 'invalid_request' });
    expect(json(reply.body)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: max_tokens is required' } });
  });

  it('OpenAI shape for the other protocols and when unknown', () => {
    const expected = { error: { message: 'max_tokens: max_tokens is required', type: 'invalid_request_error', param: 'max_tokens', code: 'invalid_request' } };
    expect(json(errorReply(bad).body)).toEqual(expected);
    expect(json(errorReply(bad, 'openai.responses').body)).toEqual(expected);
    expect(json(errorReply(bad, 'openai.chat').body)).toEqual(expected);
  });

  it.each([
    ['body_too_large', 413, 'request_too_large'],
    ['model_not_found', 404, 'not_found_error'],
    ['blocked', 403, 'permission_error'],
    ['overloaded', 429, 'rate_limit_error'],
    ['no_backend', 503, 'overloaded_error'],
    ['method_not_allowed', 405, 'invalid_request_error'],
  ] as const)('anthropic: %s is %d %s', (code, status, type) => {
    const reply = errorReply(new RouterError(code, `the ${code} message`), 'anthropic.messages');
    expect(reply.status).toBe(status);
    expect(json(reply.body)).toEqual({ type: 'error', error: { type, message: `the ${code} message` } });
  });

  it('internal errors never expose their message, in either shape', () => {
    const secret = new RouterError('internal', 'stack: /srv/secret.ts:12');
    const a = errorReply(secret, 'anthropic.messages');
    expect(a.status).toBe(500);
    expect(json(a.body)).toEqual({ type: 'error', error: { type: 'api_error', message: 'The router failed to process the request.' } });
    expect(a.body.toString()).not.toContain('secret');
    const o = errorReply(secret, 'openai.chat');
    expect(json(o.body).error).toMatchObject({ type: 'internal_error', code: 'internal', message: 'The router failed to process the request.' });
  });
});

describe('anthropicModelsListBody', () => {
  it('the auto names then every model, in Anthropic shape', () => {
    const cfg = testConfig();
    const body = json(anthropicModelsListBody(cfg, 1700000000));
    const createdAt = '2023-11-14T22:13:20.000Z';
    expect(body).toEqual({
      data: ['auto', 'semroute/auto', 'small', 'large'].map((id) => ({ type: 'model', id, display_name: id, created_at: createdAt })),
      has_more: false,
      first_id: 'auto',
      last_id: 'large',
    });
  });

  it('differs from the OpenAI list shape; the snapshot holds both', () => {
    const cfg = testConfig();
    const openai = json(modelsListBody(cfg, 1700000000));
    expect(openai.object).toBe('list');
    expect(openai.data[0]).toEqual({ id: 'auto', object: 'model', created: 1700000000, owned_by: 'semroute' });
    expect(json(snap.anthropicModelsList)).toEqual(json(anthropicModelsListBody(cfg, 1700000000)));
    expect(json(snap.modelsList)).toEqual(openai);
  });
});
