import { describe, expect, it } from '@jest/globals';
import { APIError } from '@anthropic-ai/sdk';
import { anthropicTranslator } from '../../../../src/protocol/translate/anthropic.js';
import { anthropicMessageFromChat, anthropicStopReason } from '../../../../src/protocol/translate/anthropic-response.js';
import type { ChatCompletion } from '../../../../src/protocol/translate/types.js';
import { SDK_PARAMS, sdkAnswering, testContext } from './fixtures/anthropic-sdk.js';

type Message = ChatCompletion['choices'][number]['message'];

function chat(message: Message, finish: string | null = 'stop', usage: ChatCompletion['usage'] = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    model: 'Qwen/Qwen3-8B',
    created: 1760000000,
    choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', ...message } }],
    usage,
  };
}

function translate(c: ChatCompletion): any {
  return anthropicTranslator.responseJson(c, testContext());
}

describe('anthropic JSON answer', () => {
  it('a text answer', () => {
    expect(translate(chat({ content: 'Hello!' }))).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Hello!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 5 },
    });
  });

  it('maps every finish_reason', () => {
    const stop = (f: string | null) => translate(chat({ content: 'x' }, f)).stop_reason;
    expect(stop('stop')).toBe('end_turn');
    expect(stop('length')).toBe('max_tokens');
    expect(stop('tool_calls')).toBe('tool_use');
    expect(stop('content_filter')).toBe('refusal');
    expect(stop(null)).toBe('end_turn');
    expect(anthropicStopReason(undefined)).toBe('end_turn');
    expect(anthropicStopReason('abort')).toBe('end_turn');
  });

  it('orders thinking, text, then tool_use blocks', () => {
    const out = translate(
      chat(
        {
          content: 'Let me look.',
          reasoning_content: 'Need the weather.',
          tool_calls: [
            { id: 'chatcmpl-tool-1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: '', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        'tool_calls',
      ),
    );
    expect(out.content).toEqual([
      { type: 'thinking', thinking: 'Need the weather.', signature: '' },
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 'chatcmpl-tool-1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'toolu_1', name: 'get_time', input: {} },
    ]);
    expect(out.id).toBe('msg_2');
    expect(out.stop_reason).toBe('tool_use');
  });

  it('reads `reasoning` (newer vLLM) as well, and drops empty content', () => {
    const out = translate(chat({ content: '', reasoning: 'hmm', reasoning_content: null }));
    expect(out.content).toEqual([{ type: 'thinking', thinking: 'hmm', signature: '' }]);
    expect(translate(chat({ content: null })).content).toEqual([]);
  });

  it('tool arguments that are not a JSON object become {}', () => {
    const call = (args: string) => ({ id: 'c', type: 'function' as const, function: { name: 'f', arguments: args } });
    const out = translate(chat({ content: null, tool_calls: [call('[1,2]'), call('{"a":'), call('"s"'), call('')] }, 'tool_calls'));
    expect(out.content.map((b: any) => b.input)).toEqual([{}, {}, {}, {}]);
  });

  it('maps usage, cached prompt tokens as cache reads (Anthropic input_tokens excludes them)', () => {
    const usage = { prompt_tokens: 100, completion_tokens: 7, total_tokens: 107, prompt_tokens_details: { cached_tokens: 64 } };
    expect(translate(chat({ content: 'x' }, 'stop', usage)).usage).toEqual({ input_tokens: 36, output_tokens: 7, cache_read_input_tokens: 64 });
    const noDetail = { prompt_tokens: 100, completion_tokens: 7, prompt_tokens_details: { cached_tokens: null } };
    expect(translate(chat({ content: 'x' }, 'stop', noDetail)).usage).toEqual({ input_tokens: 100, output_tokens: 7 });
    expect(translate(chat({ content: 'x' }, 'stop', null)).usage).toEqual({ input_tokens: 0, output_tokens: 0 });
  });

  it('throws on an answer without choices', () => {
    expect(() => anthropicMessageFromChat({ choices: [] }, testContext())).toThrow(/no choices/);
    expect(() => anthropicMessageFromChat({} as ChatCompletion, testContext())).toThrow(/no choices/);
  });

  it('is read by the official SDK: text, thinking, tool_use input, stop_reason and usage', async () => {
    const usage = { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70, prompt_tokens_details: { cached_tokens: 32 } };
    const answer = translate(
      chat(
        {
          content: 'Checking.',
          reasoning_content: 'Think first.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon","days":[1,2]}' } }],
        },
        'tool_calls',
        usage,
      ),
    );
    const client = sdkAnswering([Buffer.from(JSON.stringify(answer))], { contentType: 'application/json' });
    const msg = await client.messages.create(SDK_PARAMS);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content).toEqual([
      { type: 'thinking', thinking: 'Think first.', signature: '' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Lyon', days: [1, 2] } },
    ]);
    expect(msg.usage).toEqual({ input_tokens: 18, output_tokens: 20, cache_read_input_tokens: 32 });
  });
});

describe('anthropic error body', () => {
  const body = (status: number, upstream: string | Buffer): any =>
    JSON.parse(anthropicTranslator.errorBody(status, Buffer.isBuffer(upstream) ? upstream : Buffer.from(upstream)).toString());

  it('reads an OpenAI-shaped error', () => {
    const upstream = JSON.stringify({ error: { message: "This model's maximum context length is 8192 tokens.", type: 'BadRequestError', param: null, code: 400 } });
    expect(body(400, upstream)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: "This model's maximum context length is 8192 tokens." } });
  });

  it('reads {message} (older vLLM ErrorResponse) and {detail} (FastAPI)', () => {
    expect(body(404, JSON.stringify({ object: 'error', message: 'The model `x` does not exist.', type: 'NotFoundError', code: 404 })).error).toEqual({
      type: 'not_found_error',
      message: 'The model `x` does not exist.',
    });
    expect(body(503, JSON.stringify({ detail: 'Service Unavailable' })).error).toEqual({ type: 'overloaded_error', message: 'Service Unavailable' });
    expect(body(422, JSON.stringify({ detail: [{ loc: ['body', 'x'], msg: 'field required', type: 'missing' }] })).error.message).toBe('field required');
  });

  it('falls back to a generic message for non-JSON or unknown JSON bodies', () => {
    expect(body(502, '<html>Bad Gateway</html>')).toEqual({ type: 'error', error: { type: 'api_error', message: 'the backend answered with HTTP status 502' } });
    expect(body(500, Buffer.alloc(0)).error.message).toBe('the backend answered with HTTP status 500');
    expect(body(429, '{"error":{"message":""}}').error).toEqual({ type: 'rate_limit_error', message: 'the backend answered with HTTP status 429' });
    expect(body(500, '[1,2]').error.message).toBe('the backend answered with HTTP status 500');
  });

  it('is read by the official SDK as an APIError of that status and type', async () => {
    const err = anthropicTranslator.errorBody(529, Buffer.from('{"error":{"message":"engine overloaded"}}'));
    const client = sdkAnswering([err], { status: 529, contentType: 'application/json' });
    const caught = await client.messages.create(SDK_PARAMS).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(APIError);
    expect((caught as APIError).status).toBe(529);
    expect((caught as APIError).type).toBe('overloaded_error');
    expect((caught as APIError).message).toMatch(/engine overloaded/);
  });
});
