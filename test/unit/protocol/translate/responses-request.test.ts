import { describe, expect, it } from '@jest/globals';
import { RouterError } from '../../../../src/protocol/errors.js';
import { responsesTranslator } from '../../../../src/protocol/translate/responses.js';

const toChat = (body: Record<string, unknown>) => responsesTranslator.request({ model: 'qwen3-8b', ...body });
const messages = (input: unknown, extra: Record<string, unknown> = {}) => toChat({ input, ...extra }).messages;

function rejects(body: Record<string, unknown>, message: RegExp, param?: string): void {
  let caught: unknown;
  try {
    toChat(body);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(RouterError);
  const err = caught as RouterError;
  expect(err.code).toBe('invalid_request');
  expect(err.message).toMatch(message);
  if (param !== undefined) expect(err.param).toBe(param);
}

describe('responses request: messages', () => {
  it('maps instructions and a string input', () => {
    expect(toChat({ instructions: 'Be brief.', input: 'Hi' })).toEqual({
      model: 'qwen3-8b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
  });

  it('maps message items and easy input messages, keeping developer and system roles', () => {
    expect(
      messages([
        { role: 'developer', content: 'Dev rules.' },
        { type: 'message', role: 'system', content: 'Sys.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Q1' }] },
        { type: 'message', role: 'assistant', id: 'msg_1', status: 'completed', content: [{ type: 'output_text', text: 'A1', annotations: [] }] },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] },
      ]),
    ).toEqual([
      { role: 'developer', content: 'Dev rules.' },
      { role: 'system', content: 'Sys.' },
      { role: 'user', content: [{ type: 'text', text: 'Q1' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'A1' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'No.' }] },
    ]);
  });

  it('maps input_image with an image_url, detail kept when given', () => {
    const content = [
      { type: 'input_text', text: 'What is this?' },
      { type: 'input_image', image_url: 'https://x/cat.png', detail: 'low' },
      { type: 'input_image', image_url: 'data:image/png;base64,AAAA' },
    ];
    expect(messages([{ role: 'user', content }])).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'https://x/cat.png', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ],
      },
    ]);
  });

  it('refuses file-backed images, files and unknown parts', () => {
    rejects({ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] }, /file_id/, 'input[0].content[0].image_url');
    rejects({ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }] }, /input_file/, 'input[0].content[0].type');
    rejects({ input: [{ role: 'user', content: [{ type: 'input_audio' }] }] }, /input_audio/);
  });

  it('merges consecutive function calls into one assistant message, and into the assistant message before', () => {
    const call = (id: string, name: string) => ({ type: 'function_call', id: `fc_${id}`, call_id: id, name, arguments: '{}', status: 'completed' });
    const tc = (id: string, name: string) => ({ id, type: 'function', function: { name, arguments: '{}' } });
    expect(
      messages([
        { role: 'user', content: 'Weather and time?' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        call('c1', 'weather'),
        call('c2', 'time'),
        { type: 'function_call_output', call_id: 'c1', output: 'sunny' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: '12:' }, { type: 'input_text', text: '00' }] },
        { role: 'assistant', content: 'Let me look again.' },
        call('c3', 'weather'),
      ]),
    ).toEqual([
      { role: 'user', content: 'Weather and time?' },
      { role: 'assistant', content: null, tool_calls: [tc('c1', 'weather'), tc('c2', 'time')] },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      { role: 'tool', tool_call_id: 'c2', content: '12:00' },
      { role: 'assistant', content: 'Let me look again.', tool_calls: [tc('c3', 'weather')] },
    ]);
  });

  it('drops reasoning items', () => {
    expect(messages([{ type: 'reasoning', id: 'rs_1', summary: [], content: [{ type: 'reasoning_text', text: 't' }] }, { role: 'user', content: 'x' }])).toEqual([
      { role: 'user', content: 'x' },
    ]);
  });

  it('refuses item references, other item types and malformed items', () => {
    rejects({ input: [{ type: 'item_reference', id: 'msg_1' }] }, /item_reference/, 'input[0].type');
    rejects({ input: [{ type: 'web_search_call', id: 'ws_1' }] }, /web_search_call/);
    rejects({ input: [{ role: 'tool', content: 'x' }] }, /role/, 'input[0].role');
    rejects({ input: [{ role: 'user', content: 5 }] }, /content/);
    rejects({ input: ['text'] }, /must be an object/, 'input[0]');
    rejects({ input: [{ type: 'function_call', call_id: 'c', arguments: '{}' }] }, /name/, 'input[0].name');
    rejects({ input: [{ type: 'function_call_output', call_id: 'c', output: [{ type: 'input_image', image_url: 'u' }] }] }, /other than text/);
    rejects({ input: 42 }, /input/, 'input');
    rejects({ instructions: ['x'], input: 'hi' }, /instructions/, 'instructions');
    rejects({ prompt: { id: 'pmpt_1' }, input: 'hi' }, /prompt/, 'prompt');
  });
});

describe('responses request: tools and options', () => {
  it('maps function tools and refuses built-in tools by type', () => {
    const tools = [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true }];
    expect(toChat({ input: 'x', tools }).tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true } },
    ]);
    for (const type of ['web_search', 'file_search', 'code_interpreter', 'computer_use_preview', 'mcp', 'image_generation']) {
      rejects({ input: 'x', tools: [...tools, { type }] }, new RegExp(type), 'tools[1].type');
    }
    expect(toChat({ input: 'x', tools: [] })).not.toHaveProperty('tools');
  });

  it('maps tool_choice and copies parallel_tool_calls', () => {
    for (const choice of ['auto', 'none', 'required']) expect(toChat({ input: 'x', tool_choice: choice }).tool_choice).toBe(choice);
    expect(toChat({ input: 'x', tool_choice: { type: 'function', name: 'f' }, parallel_tool_calls: false })).toMatchObject({
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
    });
    rejects({ input: 'x', tool_choice: { type: 'file_search' } }, /tool_choice/, 'tool_choice');
    rejects({ input: 'x', tool_choice: 'sometimes' }, /tool_choice/);
  });

  it('maps sampling, reasoning, user and streaming', () => {
    expect(
      toChat({ input: 'x', max_output_tokens: 256, temperature: 0.5, top_p: 0.9, reasoning: { effort: 'low', summary: 'auto' }, user: 'u', stream: true }),
    ).toEqual({
      model: 'qwen3-8b',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 256,
      temperature: 0.5,
      top_p: 0.9,
      reasoning_effort: 'low',
      user: 'u',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(toChat({ input: 'x', stream: false })).not.toHaveProperty('stream');
  });

  it('maps text.format', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(toChat({ input: 'x', text: { format: { type: 'json_schema', name: 'out', schema, strict: true, description: 'd' } } }).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'out', schema, strict: true, description: 'd' },
    });
    expect(toChat({ input: 'x', text: { format: { type: 'json_object' } } }).response_format).toEqual({ type: 'json_object' });
    expect(toChat({ input: 'x', text: { format: { type: 'text' }, verbosity: 'low' } })).not.toHaveProperty('response_format');
    rejects({ input: 'x', text: { format: { type: 'grammar' } } }, /text.format/, 'text.format.type');
  });

  it('drops the Responses-only fields', () => {
    const chat = toChat({
      input: 'x',
      store: true,
      previous_response_id: 'resp_1',
      metadata: { a: 'b' },
      include: ['reasoning.encrypted_content'],
      truncation: 'auto',
      background: false,
      service_tier: 'auto',
      prompt_cache_key: 'k',
      safety_identifier: 's',
      top_logprobs: 2,
    });
    expect(Object.keys(chat).sort()).toEqual(['messages', 'model']);
  });
});
