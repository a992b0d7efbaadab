import { describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { responsesTranslator } from '../../../../src/protocol/translate/responses.js';
import type { ChatCompletion } from '../../../../src/protocol/translate/types.js';
import { fixedContext } from './fixtures/responses-streams.js';

const USAGE = { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42, prompt_tokens_details: { cached_tokens: 16 } };

function chat(message: ChatCompletion['choices'][number]['message'], finish = 'stop', usage: ChatCompletion['usage'] = USAGE): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    model: 'Qwen/Qwen3-8B',
    created: 1,
    choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', ...message } }],
    usage,
  };
}

function translate(c: ChatCompletion, request: Record<string, unknown> = { model: 'qwen3-8b', input: 'hi' }): any {
  return responsesTranslator.responseJson(c, fixedContext(request));
}

const CALL = { id: 'chatcmpl-tool-1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };

describe('responses JSON answer', () => {
  it('builds a completed Response with defaults for the echoed fields', () => {
    expect(translate(chat({ content: 'Hello!' }))).toEqual({
      id: 'resp_1',
      object: 'response',
      created_at: 1_750_000_000,
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: 'qwen3-8b',
      output: [
        {
          type: 'message',
          id: 'msg_1',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Hello!', annotations: [], logprobs: [] }],
        },
      ],
      usage: {
        input_tokens: 30,
        input_tokens_details: { cached_tokens: 16, cache_write_tokens: 0 },
        output_tokens: 12,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 42,
      },
      parallel_tool_calls: true,
      tool_choice: 'auto',
      tools: [],
      temperature: null,
      top_p: null,
      max_output_tokens: null,
      instructions: null,
      previous_response_id: null,
      store: true,
      text: { format: { type: 'text' } },
      reasoning: { effort: null, summary: null },
      metadata: {},
      user: null,
    });
  });

  it('orders reasoning, message, then function calls', () => {
    const r = translate(chat({ reasoning_content: 'Need weather.', content: 'Let me check.', tool_calls: [CALL, { ...CALL, id: 'c2' }] }, 'tool_calls'));
    expect(r.output).toEqual([
      { type: 'reasoning', id: 'rs_1', summary: [], content: [{ type: 'reasoning_text', text: 'Need weather.' }] },
      expect.objectContaining({ type: 'message', id: 'msg_1' }),
      { type: 'function_call', id: 'fc_1', call_id: 'chatcmpl-tool-1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
      { type: 'function_call', id: 'fc_2', call_id: 'c2', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
    ]);
    expect(r.status).toBe('completed');
  });

  it('reads the newer `reasoning` field and leaves out empty content', () => {
    const r = translate(chat({ reasoning: 'Hmm.', content: '', tool_calls: [CALL] }, 'tool_calls'));
    expect(r.output.map((o: any) => o.type)).toEqual(['reasoning', 'function_call']);
    expect(translate(chat({ content: null })).output).toEqual([]);
  });

  it('marks a length stop incomplete (max_output_tokens) and its last item too', () => {
    const r = translate(chat({ content: 'Once upon a' }, 'length'));
    expect(r.status).toBe('incomplete');
    expect(r.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(r.output[0].status).toBe('incomplete');
  });

  it('marks a content_filter stop incomplete', () => {
    const r = translate(chat({ content: 'x' }, 'content_filter'));
    expect(r).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } });
  });

  it('derives total_tokens and cached_tokens when vLLM leaves them out; null usage when absent', () => {
    const r = translate(chat({ content: 'x' }, 'stop', { prompt_tokens: 3, completion_tokens: 4 }));
    expect(r.usage).toMatchObject({ input_tokens: 3, output_tokens: 4, total_tokens: 7, input_tokens_details: { cached_tokens: 0 } });
    expect(translate(chat({ content: 'x' }, 'stop', null)).usage).toBeNull();
  });

  it('echoes the request fields', () => {
    const echoed = {
      instructions: 'Be brief.',
      tools: [{ type: 'function', name: 'f', parameters: {} }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      temperature: 0.3,
      top_p: 0.9,
      max_output_tokens: 100,
      previous_response_id: 'resp_prev',
      store: false,
      text: { format: { type: 'json_object' }, verbosity: 'low' },
      reasoning: { effort: 'high', summary: null },
      metadata: { k: 'v' },
      user: 'u1',
    };
    const request = { model: 'qwen3-8b', input: 'hi', ...echoed };
    expect(translate(chat({ content: '{}' }), request)).toMatchObject(echoed);
    expect(translate(chat({ content: '{}' }), { text: { verbosity: 'low' } }).text).toEqual({ verbosity: 'low', format: { type: 'text' } });
  });

  it('is parsed by the official SDK, with output_text', async () => {
    const body = JSON.stringify(translate(chat({ reasoning_content: 'r', content: 'Bonjour !', tool_calls: [CALL] }, 'tool_calls')));
    const client = new OpenAI({
      apiKey: 'x',
      baseURL: 'http://test.invalid/v1',
      fetch: () => Promise.resolve(new Response(body, { headers: { 'content-type': 'application/json' } })),
    });
    const r = await client.responses.create({ model: 'qwen3-8b', input: 'hi' });
    expect(r.output_text).toBe('Bonjour !');
    expect(r.output.map((o) => o.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(r.usage?.total_tokens).toBe(42);
  });
});

describe('responses error bodies', () => {
  const errorBody = (status: number, body: string) => JSON.parse(responsesTranslator.errorBody(status, Buffer.from(body)).toString());

  it('keeps an OpenAI-shaped error byte for byte', () => {
    const body = Buffer.from('{"error":{"message":"max_tokens is too large","type":"BadRequestError","param":"max_tokens","code":400}}');
    expect(responsesTranslator.errorBody(400, body).equals(body)).toBe(true);
  });

  it("wraps vLLM's flat error", () => {
    expect(errorBody(400, '{"object":"error","message":"bad prompt","type":"BadRequestError","param":null,"code":400}')).toEqual({
      error: { message: 'bad prompt', type: 'BadRequestError', param: null, code: null },
    });
  });

  it("wraps FastAPI's detail, string or list", () => {
    expect(errorBody(404, '{"detail":"Not Found"}')).toEqual({ error: { message: 'Not Found', type: 'invalid_request_error', param: null, code: null } });
    expect(errorBody(422, '{"detail":[{"loc":["body","model"],"msg":"field required"}]}').error.message).toContain('field required');
  });

  it('wraps plain text and an empty body, typed by status', () => {
    expect(errorBody(502, 'upstream connect error\n')).toEqual({ error: { message: 'upstream connect error', type: 'server_error', param: null, code: null } });
    expect(errorBody(503, '').error.message).toBe('the model server answered HTTP 503');
    expect(errorBody(429, 'slow down').error.type).toBe('rate_limit_error');
    expect(errorBody(401, 'no').error.type).toBe('authentication_error');
  });

  it('is what the SDK reads as an APIError', async () => {
    const body = responsesTranslator.errorBody(400, Buffer.from('{"detail":"bad"}'));
    const client = new OpenAI({
      apiKey: 'x',
      baseURL: 'http://test.invalid/v1',
      maxRetries: 0,
      fetch: () => Promise.resolve(new Response(new Uint8Array(body), { status: 400, headers: { 'content-type': 'application/json' } })),
    });
    await expect(client.responses.create({ model: 'm', input: 'hi' })).rejects.toMatchObject({ status: 400, error: { message: 'bad' } });
  });
});
