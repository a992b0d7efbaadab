// The fake vLLM upstream's four APIs over real HTTP, driven by the official openai and
// @anthropic-ai/sdk clients: the SDKs parsing the answers (JSON and SSE) is the proof of the shapes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../../../src/dev/fake-upstream.js';

let up: FakeUpstream;
let plain: FakeUpstream;
let openai: OpenAI;
let anthropic: Anthropic;
beforeAll(async () => {
  up = await startFakeUpstream({ name: 'small', port: 0, models: ['org/small-8b'], apis: ['chat', 'completions', 'responses', 'messages'] });
  plain = await startFakeUpstream({ name: 'plain', port: 0 });
  openai = new OpenAI({ baseURL: `${up.url}/v1`, apiKey: 'test', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: up.url, apiKey: 'test', maxRetries: 0 });
});
afterAll(async () => {
  await up.close();
  await plain.close();
});
beforeEach(() => {
  up.requests.length = 0;
});

const M = 'org/small-8b';
const chatTools: OpenAI.Chat.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'lookup', description: 'Looks things up', parameters: { type: 'object', properties: { query: { type: 'string' } } } } },
  { type: 'function', function: { name: 'other', parameters: { type: 'object', properties: {} } } },
];
const responseTools: OpenAI.Responses.FunctionTool[] = [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { query: { type: 'string' } } }, strict: false }];
const anthropicTools: Anthropic.Tool[] = [
  { name: 'lookup', description: 'Looks things up', input_schema: { type: 'object', properties: { query: { type: 'string' } } } },
  { name: 'other', input_schema: { type: 'object' } },
];

describe('chat completions', () => {
  it('answers a tool call to the first tool, then echoes the tool result', async () => {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'weather in Paris' }];
    const first = await openai.chat.completions.create({ model: M, messages, tools: chatTools });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0]!;
    expect(call).toEqual({ id: expect.stringMatching(/^call_\d+$/), type: 'function', function: { name: 'lookup', arguments: '{"query":"weather in Paris"}' } });
    messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21C' });
    const second = await openai.chat.completions.create({ model: M, messages, tools: chatTools });
    expect(second.choices[0]!.finish_reason).toBe('stop');
    expect(second.choices[0]!.message.content).toBe('[small] org/small-8b: tool said: sunny, 21C');
    expect(second.usage!.prompt_tokens).toBeGreaterThan(first.usage!.prompt_tokens);
  });

  it('streams a tool call as vLLM does: id, type and name first, then argument fragments', async () => {
    const stream = await openai.chat.completions.create({ model: M, stream: true, messages: [{ role: 'user', content: 'find the docs' }], tools: chatTools, tool_choice: { type: 'function', function: { name: 'other' } } });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toEqual({ index: 0, id: expect.stringMatching(/^call_\d+$/), type: 'function', function: { name: 'other', arguments: '' } });
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls.map((c) => c.function?.arguments ?? '').join('')).toBe('{"query":"find the docs"}');
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
    expect(chunks.some((c) => c.usage)).toBe(false);

    const final = await openai.chat.completions.stream({ model: M, messages: [{ role: 'user', content: 'find the docs' }], tools: chatTools, stream_options: { include_usage: true } }).finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls![0]).toMatchObject({ type: 'function', function: { name: 'lookup', arguments: '{"query":"find the docs"}' } });
    expect(final.usage!.total_tokens).toBe(final.usage!.prompt_tokens + final.usage!.completion_tokens);
  });

  it('reasons when asked: reasoning_content in JSON, reasoning deltas before the content when streamed', async () => {
    const json = await openai.chat.completions.create({ model: M, messages: [{ role: 'user', content: 'why?' }], reasoning_effort: 'low' });
    expect(json.choices[0]!.message).toMatchObject({ content: '[small] org/small-8b: why?', reasoning_content: 'thinking about: why?' });
    const body = { model: M, stream: true, messages: [{ role: 'user', content: 'why?' }], chat_template_kwargs: { enable_thinking: true } } as OpenAI.Chat.ChatCompletionCreateParamsStreaming;
    const deltas: Array<Record<string, unknown>> = [];
    for await (const c of await openai.chat.completions.create(body)) if (c.choices[0]) deltas.push(c.choices[0].delta as Record<string, unknown>);
    const reasoning = deltas.filter((d) => d.reasoning_content).map((d) => d.reasoning_content);
    const content = deltas.filter((d) => d.content).map((d) => d.content);
    expect(reasoning.join('')).toBe('thinking about: why?');
    expect(content.join('')).toBe('[small] org/small-8b: why?');
    expect(deltas.findLastIndex((d) => d.reasoning_content)).toBeLessThan(deltas.findIndex((d) => d.content));
    const plainAnswer = await openai.chat.completions.create({ model: M, messages: [{ role: 'user', content: 'why?' }] });
    expect(plainAnswer.choices[0]!.message).not.toHaveProperty('reasoning_content');
  });
});

describe('responses', () => {
  it('answers a plain input with a message item and usage', async () => {
    const r = await openai.responses.create({ model: M, input: 'hello there', instructions: 'be brief' });
    expect(r).toMatchObject({ id: expect.stringMatching(/^resp_/), object: 'response', status: 'completed', model: M, instructions: 'be brief', store: true, previous_response_id: null, error: null, incomplete_details: null });
    expect(r.output_text).toBe('[small] org/small-8b: hello there');
    expect(r.output).toEqual([{ id: expect.stringMatching(/^msg_/), type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: r.output_text, annotations: [], logprobs: [] }] }]);
    expect(r.usage).toEqual({ input_tokens: Math.ceil('hello therebe brief'.length / 4), input_tokens_details: { cached_tokens: 0 }, output_tokens: Math.ceil(r.output_text.length / 4), output_tokens_details: { reasoning_tokens: 0 }, total_tokens: r.usage!.input_tokens + r.usage!.output_tokens });
    expect(await openai.responses.retrieve(r.id)).toEqual(r);
  });

  it('streams reasoning and text: every event typed and numbered in order, the SDK rebuilds the response', async () => {
    const stream = openai.responses.stream({ model: M, input: [{ role: 'user', content: [{ type: 'input_text', text: 'explain' }] }], reasoning: { effort: 'low' } });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const final = await stream.finalResponse();
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_e, i) => i));
    const types = [...new Set(events.map((e) => e.type))];
    expect(types).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added', 'response.reasoning_text.delta', 'response.reasoning_text.done', 'response.content_part.done', 'response.output_item.done', 'response.output_text.delta', 'response.output_text.done', 'response.completed']);
    expect(events.filter((e) => e.type === 'response.output_text.delta').length).toBeGreaterThanOrEqual(3);
    expect(final.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    expect(final.output[0]).toMatchObject({ content: [{ type: 'reasoning_text', text: 'thinking about: explain' }] });
    expect(final.output_text).toBe('[small] org/small-8b: explain');
    expect(final.usage!.output_tokens_details.reasoning_tokens).toBe(Math.ceil('thinking about: explain'.length / 4));
  });

  it('calls a function tool, and continues the chain by previous_response_id (JSON and streamed)', async () => {
    const first = await openai.responses.create({ model: M, input: 'what is six times seven', tools: responseTools });
    expect(first.output).toEqual([{ id: expect.stringMatching(/^fc_\d+$/), type: 'function_call', call_id: expect.stringMatching(/^call_\d+$/), name: 'lookup', arguments: '{"query":"what is six times seven"}', status: 'completed' }]);
    const call = first.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    const second = await openai.responses.create({ model: M, previous_response_id: first.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: '42' }], tools: responseTools });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toBe('[small] org/small-8b: tool said: 42');
    // The chain's user text is still the newest user text.
    const third = await openai.responses.create({ model: M, previous_response_id: second.id, input: 'and plus one?' });
    expect(third.output_text).toBe('[small] org/small-8b: and plus one?');
    expect(third.usage!.input_tokens).toBeGreaterThan(second.usage!.input_tokens);

    const stream = openai.responses.stream({ model: M, input: 'streamed call', tools: responseTools });
    const types: string[] = [];
    for await (const e of stream) types.push(e.type);
    const final = await stream.finalResponse();
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types).toContain('response.function_call_arguments.done');
    expect(final.output[0]).toMatchObject({ type: 'function_call', name: 'lookup', arguments: '{"query":"streamed call"}' });
    const done = await openai.responses.create({ model: M, previous_response_id: final.id, input: [{ type: 'function_call_output', call_id: (final.output[0] as OpenAI.Responses.ResponseFunctionToolCall).call_id, output: 'found it' }] });
    expect(done.output_text).toBe('[small] org/small-8b: tool said: found it');
  });

  it('answers 404 for an unknown or deleted previous_response_id, and keeps nothing with store: false', async () => {
    const err = await openai.responses.create({ model: M, input: 'x', previous_response_id: 'resp_nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toEqual({ message: "Response with id 'resp_nope' not found.", type: 'invalid_request_error', param: 'previous_response_id', code: 'response_not_found' });
    const unstored = await openai.responses.create({ model: M, input: 'x', store: false });
    expect((unstored as unknown as { store: boolean }).store).toBe(false);
    await expect(openai.responses.retrieve(unstored.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const kept = await openai.responses.create({ model: M, input: 'y' });
    await openai.responses.delete(kept.id);
    await expect(openai.responses.retrieve(kept.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(openai.responses.create({ model: M, input: 'z', previous_response_id: kept.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('keeps only the newest storedResponses', async () => {
    const tiny = await startFakeUpstream({ name: 'tiny', port: 0, apis: ['responses'], storedResponses: 2 });
    try {
      const client = new OpenAI({ baseURL: `${tiny.url}/v1`, apiKey: 'test', maxRetries: 0 });
      const ids = [];
      for (const input of ['a', 'b', 'c']) ids.push((await client.responses.create({ model: 'm', input })).id);
      await expect(client.responses.retrieve(ids[0]!)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      expect((await client.responses.retrieve(ids[2]!)).id).toBe(ids[2]);
    } finally {
      await tiny.close();
    }
  });
});

describe('anthropic messages', () => {
  it('answers a Message, and records what arrived', async () => {
    const m = await anthropic.messages.create({ model: M, max_tokens: 64, system: 'be kind', messages: [{ role: 'user', content: 'hello' }] });
    expect(m).toEqual({ id: expect.stringMatching(/^msg_/), type: 'message', role: 'assistant', model: M, content: [{ type: 'text', text: '[small] org/small-8b: hello' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: Math.ceil('be kindhello'.length / 4), output_tokens: Math.ceil('[small] org/small-8b: hello'.length / 4) } });
    expect(up.requests).toEqual([expect.objectContaining({ method: 'POST', path: '/v1/messages', headers: expect.objectContaining({ 'anthropic-version': expect.any(String), 'user-agent': expect.stringContaining('Anthropic/JS') }) })]);
    expect(JSON.parse(up.requests[0]!.body)).toMatchObject({ model: M, max_tokens: 64, system: 'be kind' });
  });

  it('runs a tool_use -> tool_result loop, streamed and not', async () => {
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: [{ type: 'text', text: 'weather in Oslo' }] }];
    const first = await anthropic.messages.stream({ model: M, max_tokens: 64, messages, tools: anthropicTools }).finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([{ type: 'tool_use', id: expect.stringMatching(/^toolu_\d+$/), name: 'lookup', input: { query: 'weather in Oslo' } }]);
    const json = await anthropic.messages.create({ model: M, max_tokens: 64, messages, tools: anthropicTools, tool_choice: { type: 'tool', name: 'other' } });
    expect(json.content[0]).toMatchObject({ type: 'tool_use', name: 'other', input: { query: 'weather in Oslo' } });
    const use = first.content[0] as Anthropic.ToolUseBlock;
    messages.push({ role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: [{ type: 'text', text: 'snow' }] }] });
    const second = await anthropic.messages.create({ model: M, max_tokens: 64, messages, tools: anthropicTools });
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content).toEqual([{ type: 'text', text: '[small] org/small-8b: tool said: snow' }]);
    const streamed = await anthropic.messages.stream({ model: M, max_tokens: 64, messages, tools: anthropicTools }).finalMessage();
    expect(streamed.content).toEqual(second.content);
    expect(streamed.usage).toEqual(second.usage);
  });

  it('thinks when thinking is enabled: a signed thinking block before the text', async () => {
    const stream = anthropic.messages.stream({ model: M, max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'ponder' }] });
    const types: string[] = [];
    stream.on('streamEvent', (e) => types.push(e.type === 'content_block_delta' ? e.delta.type : e.type));
    const final = await stream.finalMessage();
    expect(final.content).toEqual([
      { type: 'thinking', thinking: 'thinking about: ponder', signature: expect.any(String) },
      { type: 'text', text: '[small] org/small-8b: ponder' },
    ]);
    expect((final.content[0] as Anthropic.ThinkingBlock).signature.length).toBeGreaterThan(0);
    expect(types).toEqual(['message_start', 'content_block_start', 'thinking_delta', 'thinking_delta', 'thinking_delta', 'signature_delta', 'content_block_stop',
      'content_block_start', 'text_delta', 'text_delta', 'text_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    // On the wire: `event:` names matching each data's type, a ping after message_start.
    const res = await fetch(`${up.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: M, max_tokens: 8, stream: true, messages: [{ role: 'user', content: 'ponder' }] }) });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const wire = (await res.text()).split('\n\n').filter(Boolean).map((e) => {
      const [name, data] = e.split('\n');
      expect(JSON.parse(data!.slice('data: '.length)).type).toBe(name!.slice('event: '.length));
      return name!.slice('event: '.length);
    });
    expect(wire.slice(0, 3)).toEqual(['message_start', 'ping', 'content_block_start']);
    expect(wire.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const json = await anthropic.messages.create({ model: M, max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'ponder' }] });
    expect(json.content.map((b) => b.type)).toEqual(['thinking', 'text']);
  });

  it('counts tokens, and requires max_tokens with an Anthropic-shaped 400', async () => {
    const count = await anthropic.messages.countTokens({ model: M, system: 'be kind', messages: [{ role: 'user', content: 'hello' }] });
    expect(count).toEqual({ input_tokens: Math.ceil('be kindhello'.length / 4) });
    const res = await fetch(`${up.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: M, messages: [] }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
    const bad = await fetch(`${up.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(await bad.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'The request body is not valid JSON.' } });
  });
});

describe('apis', () => {
  it.each([
    ['POST', '/v1/messages'],
    ['POST', '/v1/messages/count_tokens'],
    ['POST', '/v1/responses'],
    ['GET', '/v1/responses/resp_x'],
  ])('an upstream without the API answers %s %s with the unknown-path 404', async (method, path) => {
    const res = await fetch(`${plain.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{"model":"m","max_tokens":1,"messages":[],"input":"x"}' } : {}) });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { message: `No route for ${method} ${path}.`, type: 'invalid_request_error', param: null, code: 'not_found' } });
  });

  it('serves only the APIs listed', async () => {
    const only = await startFakeUpstream({ name: 'only', port: 0, apis: ['messages'] });
    try {
      const client = new Anthropic({ baseURL: only.url, apiKey: 'test', maxRetries: 0 });
      expect((await client.messages.create({ model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })).content).toEqual([{ type: 'text', text: '[only] m: hi' }]);
      const chat = new OpenAI({ baseURL: `${only.url}/v1`, apiKey: 'test', maxRetries: 0 });
      await expect(chat.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      expect(only.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/messages', 'POST /v1/chat/completions']);
    } finally {
      await only.close();
    }
  });
});
