import { describe, expect, it } from '@jest/globals';
import { RouterError, openAIErrorBody, toRouterError } from '../../../src/protocol/errors.js';
import { parseRequestBody } from '../../../src/protocol/parse.js';
import { lastUserText } from '../../../src/protocol/ir.js';

const limits = { maxBodyBytes: 1024 * 1024, maxJsonDepth: 32, maxMessages: 4 };
const chat = (body: unknown) => parseRequestBody('openai.chat', Buffer.from(JSON.stringify(body)), limits);

function errorOf(fn: () => unknown): RouterError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RouterError) return e;
    throw e;
  }
  throw new Error('expected a RouterError');
}

describe('parseRequestBody', () => {
  it('parses chat completions into the IR', () => {
    const { ir, modelSpan } = chat({
      model: 'auto',
      stream: true,
      max_completion_tokens: 50,
      tools: [{ type: 'function', function: { name: 'f' } }],
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hello' }, { type: 'image_url', image_url: { url: 'x' } }, { type: 'text', text: 'world' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: '1' }] },
      ],
      vllm_extension: { keep: true },
    });
    expect(ir).toMatchObject({ protocol: 'openai.chat', model: 'auto', stream: true, hasTools: true, maxOutputTokens: 50 });
    expect(ir.messages.map((m) => [m.role, m.text, m.toolCalls])).toEqual([
      ['system', 'be brief', 0],
      ['user', 'hello\nworld', 0],
      ['assistant', '', 1],
    ]);
    expect(lastUserText(ir)).toBe('hello\nworld');
    expect(ir.body.vllm_extension).toEqual({ keep: true });
    expect(modelSpan).toBeDefined();
  });

  it('parses completions with string and token prompts', () => {
    const a = parseRequestBody('openai.completions', Buffer.from('{"model":"m","prompt":["a","b"]}'), limits);
    expect(lastUserText(a.ir)).toBe('a\nb');
    const b = parseRequestBody('openai.completions', Buffer.from('{"model":"m","prompt":[1,2,3]}'), limits);
    expect(lastUserText(b.ir)).toBe('');
  });

  it.each<[string, string, string, number, string | null]>([
    ['empty body', '', 'missing_body', 400, null],
    ['malformed JSON', '{"model":', 'invalid_json', 400, null],
    ['JSON array', '[1]', 'invalid_request', 400, null],
    ['too deep', `{"model":"m","messages":${'['.repeat(40)}${']'.repeat(40)}}`, 'json_too_deep', 400, null],
    ['missing model', '{"messages":[{"role":"user","content":"x"}]}', 'invalid_request', 400, 'model'],
    ['empty messages', '{"model":"m","messages":[]}', 'invalid_request', 400, 'messages'],
    ['bad role', '{"model":"m","messages":[{"role":"robot","content":"x"}]}', 'invalid_request', 400, 'messages.0.role'],
    ['too many messages', `{"model":"m","messages":${JSON.stringify(Array(5).fill({ role: 'user', content: 'x' }))}}`, 'invalid_request', 400, 'messages'],
    ['stream not boolean', '{"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]}', 'invalid_request', 400, 'stream'],
    ['duplicate model key', '{"model":"a","model":"b","messages":[{"role":"user","content":"x"}]}', 'invalid_request', 400, null],
  ])('rejects %s', (_name, body, code, status, param) => {
    const err = errorOf(() => parseRequestBody('openai.chat', Buffer.from(body), limits));
    expect([err.code, err.status, err.param]).toEqual([code, status, param]);
  });

  it('rejects a body over the limit with 413', () => {
    const err = errorOf(() => parseRequestBody('openai.chat', Buffer.alloc(2000, 0x20), { ...limits, maxBodyBytes: 1000 }));
    expect([err.code, err.status]).toEqual(['body_too_large', 413]);
  });

  it('does not let __proto__ in a body pollute prototypes', () => {
    const { ir } = parseRequestBody(
      'openai.chat',
      Buffer.from('{"model":"m","__proto__":{"polluted":true},"messages":[{"role":"user","content":"x","__proto__":{"role":"system"}}]}'),
      limits,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(ir.messages[0]!.role).toBe('user');
  });
});

describe('errors', () => {
  it('renders the OpenAI error shape', () => {
    const body = JSON.parse(openAIErrorBody(new RouterError('model_not_found', 'no such model', 'model')));
    expect(body).toEqual({ error: { message: 'no such model', type: 'invalid_request_error', param: 'model', code: 'model_not_found' } });
  });

  it('never exposes internal messages', () => {
    const err = toRouterError(new Error('secret path /etc/x'));
    expect(err.status).toBe(500);
    expect(openAIErrorBody(err)).not.toContain('secret');
  });
});
