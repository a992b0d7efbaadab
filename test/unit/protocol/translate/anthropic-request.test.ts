import { describe, expect, it } from '@jest/globals';
import { RouterError } from '../../../../src/protocol/errors.js';
import { anthropicToChatRequest } from '../../../../src/protocol/translate/anthropic-request.js';
import { anthropicTranslator } from '../../../../src/protocol/translate/anthropic.js';

const base = { model: 'claude-sonnet-4-5', max_tokens: 100 };

function translate(extra: Record<string, unknown>): Record<string, any> {
  return anthropicToChatRequest({ ...base, messages: [{ role: 'user', content: 'hi' }], ...extra });
}

function messagesOf(messages: unknown[], extra: Record<string, unknown> = {}): any[] {
  return translate({ messages, ...extra }).messages;
}

function rejects(body: Record<string, unknown>, message: RegExp, param?: string): void {
  let err: unknown;
  try {
    anthropicToChatRequest({ ...base, messages: [{ role: 'user', content: 'hi' }], ...body });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(RouterError);
  expect((err as RouterError).code).toBe('invalid_request');
  expect((err as RouterError).message).toMatch(message);
  if (param !== undefined) expect((err as RouterError).param).toBe(param);
}

describe('anthropic request -> chat: the body', () => {
  it('translates a minimal request, copying the model as is', () => {
    expect(translate({})).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
  });

  it('is what anthropicTranslator.request does', () => {
    const body = { ...base, messages: [{ role: 'user', content: 'hi' }] };
    expect(anthropicTranslator.request(body)).toEqual(anthropicToChatRequest(body));
  });

  it('copies the sampling fields and maps stop_sequences and metadata.user_id', () => {
    const out = translate({ temperature: 0.2, top_p: 0.9, top_k: 40, stop_sequences: ['\n\nHuman:', 'END'], metadata: { user_id: 'u-42' } });
    expect(out).toMatchObject({ temperature: 0.2, top_p: 0.9, top_k: 40, stop: ['\n\nHuman:', 'END'], user: 'u-42', max_tokens: 100 });
  });

  it('asks for usage on streams', () => {
    expect(translate({ stream: true })).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(translate({ stream: false })).not.toHaveProperty('stream');
  });

  it('drops thinking and the other Anthropic-only fields', () => {
    const out = translate({
      thinking: { type: 'enabled', budget_tokens: 2000 },
      service_tier: 'auto',
      container: 'c1',
      mcp_servers: [],
      metadata: { user_id: null },
      anthropic_beta: ['x'],
    });
    expect(Object.keys(out).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });
});

describe('anthropic request -> chat: system', () => {
  it('a string becomes one leading system message', () => {
    expect(messagesOf([{ role: 'user', content: 'hi' }], { system: 'Be brief.' })[0]).toEqual({ role: 'system', content: 'Be brief.' });
  });

  it('text blocks are joined, cache_control dropped', () => {
    const system = [{ type: 'text', text: 'One.' }, { type: 'text', text: 'Two.', cache_control: { type: 'ephemeral' } }];
    expect(messagesOf([{ role: 'user', content: 'hi' }], { system })).toEqual([
      { role: 'system', content: 'One.\nTwo.' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('an empty system sends no system message', () => {
    expect(messagesOf([{ role: 'user', content: 'hi' }], { system: '' })).toEqual([{ role: 'user', content: 'hi' }]);
    expect(messagesOf([{ role: 'user', content: 'hi' }], { system: [] })).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('rejects a non-text system block', () => {
    rejects({ system: [{ type: 'image', source: {} }] }, /text block/, 'system.0');
  });
});

describe('anthropic request -> chat: user content', () => {
  it('text blocks alone become plain string content (cache_control dropped)', () => {
    const content = [{ type: 'text', text: 'a' }, { type: 'text', text: 'b', cache_control: { type: 'ephemeral' } }];
    expect(messagesOf([{ role: 'user', content }])).toEqual([{ role: 'user', content: 'a\nb' }]);
  });

  it('images (base64 and url) become image_url parts next to text parts', () => {
    const content = [
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0K' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' }, cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'What is this?' },
    ];
    expect(messagesOf([{ role: 'user', content }])).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          { type: 'text', text: 'What is this?' },
        ],
      },
    ]);
  });

  it('a plain-text document becomes text', () => {
    const content = [
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'The doc.' }, title: 'T' },
      { type: 'text', text: 'Summarize.' },
    ];
    expect(messagesOf([{ role: 'user', content }])).toEqual([{ role: 'user', content: 'The doc.\nSummarize.' }]);
  });

  it('rejects pdf and file documents and file images', () => {
    const pdf = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } };
    rejects({ messages: [{ role: 'user', content: [pdf] }] }, /document source of type base64 is not supported on a backend without \/v1\/messages/, 'messages.0.content.0.source');
    const file = { type: 'document', source: { type: 'file', file_id: 'file_1' } };
    rejects({ messages: [{ role: 'user', content: [file] }] }, /document source of type file/);
    const image = { type: 'image', source: { type: 'file', file_id: 'file_2' } };
    rejects({ messages: [{ role: 'user', content: [image] }] }, /image source of type file/);
    rejects({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64' } }] }] }, /media_type and data/);
  });

  it('tool_result blocks become tool messages before the rest of the user message', () => {
    const content = [
      { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
      { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '12:00' }, { type: 'text', text: 'CET' }] },
      { type: 'text', text: 'Thanks, now summarize.' },
    ];
    expect(messagesOf([{ role: 'user', content }])).toEqual([
      { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
      { role: 'tool', tool_call_id: 'toolu_2', content: '12:00\nCET' },
      { role: 'user', content: 'Thanks, now summarize.' },
    ]);
  });

  it('tool results come first even when text precedes them in the message', () => {
    const content = [{ type: 'text', text: 'here:' }, { type: 'tool_result', tool_use_id: 't', content: 'x' }];
    expect(messagesOf([{ role: 'user', content }]).map((m) => m.role)).toEqual(['tool', 'user']);
  });

  it('a user message of tool results only sends no empty user message; missing content is empty', () => {
    const content = [{ type: 'tool_result', tool_use_id: 't', cache_control: { type: 'ephemeral' } }];
    expect(messagesOf([{ role: 'user', content }])).toEqual([{ role: 'tool', tool_call_id: 't', content: '' }]);
  });

  it('an error result says so in its text (chat has no is_error)', () => {
    const content = [
      { type: 'tool_result', tool_use_id: 'a', content: 'file not found', is_error: true },
      { type: 'tool_result', tool_use_id: 'b', is_error: true },
      { type: 'tool_result', tool_use_id: 'c', content: 'ok', is_error: false },
    ];
    expect(messagesOf([{ role: 'user', content }]).map((m) => m.content)).toEqual(['Error: file not found', 'Error', 'ok']);
  });

  it('rejects a tool_result without tool_use_id, or with an image', () => {
    rejects({ messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] }, /tool_use_id/, 'messages.0.content.0.tool_use_id');
    const img = { type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: { type: 'url', url: 'u' } }] };
    rejects({ messages: [{ role: 'user', content: [img] }] }, /tool_result image block .* not supported/, 'messages.0.content.0.content.0');
  });

  it('rejects blocks that have no chat equivalent in a user message, and unknown ones', () => {
    rejects({ messages: [{ role: 'user', content: [{ type: 'search_result', source: 's', title: 't', content: [] }] }] }, /search_result/);
    rejects({ messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'x', name: 'n', input: {} }] }] }, /tool_use block/);
    rejects({ messages: [{ role: 'user', content: [{ type: 'hologram' }] }] }, /hologram/, 'messages.0.content.0');
    rejects({ messages: [{ role: 'user', content: [{ text: 'no type' }] }] }, /content block/, 'messages.0.content.0');
  });

  it('rejects bad message shapes', () => {
    rejects({ messages: 'hi' }, /messages must be an array/);
    rejects({ messages: [{ role: 'system', content: 'x' }] }, /role/, 'messages.0.role');
    rejects({ messages: [{ role: 'user', content: 7 }] }, /string or an array/);
    rejects({ messages: [{ role: 'user', content: [{ type: 'text', text: 3 }] }] }, /text must be a string/);
  });
});

describe('anthropic request -> chat: assistant content', () => {
  it('text and tool_use blocks become content and tool_calls; thinking is dropped', () => {
    const assistant = {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig' },
        { type: 'redacted_thinking', data: 'xx' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: { city: 'Paris' }, cache_control: { type: 'ephemeral' } },
      ],
    };
    const msgs = messagesOf([{ role: 'user', content: 'weather?' }, assistant, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'sunny' }] }]);
    expect(msgs).toEqual([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [{ id: 'toolu_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_9', content: 'sunny' },
    ]);
  });

  it('tool calls without text have null content; several tool_use blocks are several calls', () => {
    const assistant = {
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'a', name: 'f', input: {} },
        { type: 'tool_use', id: 'b', name: 'g', input: { n: [1, 2] } },
      ],
    };
    const msg = messagesOf([{ role: 'user', content: 'go' }, assistant, { role: 'user', content: 'next' }])[1];
    expect(msg.content).toBeNull();
    expect(msg.tool_calls.map((c: any) => c.function.arguments)).toEqual(['{}', '{"n":[1,2]}']);
  });

  it('an assistant message of thinking only becomes empty content', () => {
    const msgs = messagesOf([{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's' }] }, { role: 'user', content: 'b' }]);
    expect(msgs[1]).toEqual({ role: 'assistant', content: '' });
  });

  it('a trailing assistant message is a prefill the answer continues', () => {
    const out = translate({ messages: [{ role: 'user', content: 'JSON please' }, { role: 'assistant', content: '{"a":' }] });
    expect(out).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
    expect(out.messages.at(-1)).toEqual({ role: 'assistant', content: '{"a":' });
    expect(translate({})).not.toHaveProperty('continue_final_message');
  });

  it('rejects assistant blocks chat cannot carry, and tool_use without id or name', () => {
    rejects({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ type: 'image', source: { type: 'url', url: 'u' } }] }] }, /image block/, 'messages.1.content.0');
    rejects({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }] }] }, /server_tool_use/);
    rejects({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ type: 'tool_use', name: 'f', input: {} }] }] }, /string id and name/);
  });
});

describe('anthropic request -> chat: tools', () => {
  const weather = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

  it('custom tools become functions (cache_control dropped)', () => {
    const out = translate({ tools: [weather, { type: 'custom', name: 'noop', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }] });
    expect(out.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: weather.input_schema } },
      { type: 'function', function: { name: 'noop', parameters: { type: 'object' } } },
    ]);
  });

  it('rejects server tools and tools without a schema', () => {
    rejects({ tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] }, /server tool "web_search_20250305" is not supported/, 'tools.0');
    rejects({ tools: [weather, { type: 'bash_20250124', name: 'bash' }] }, /server tool/, 'tools.1');
    rejects({ tools: [{ name: 'f' }] }, /input_schema/, 'tools.0');
    rejects({ tools: ['f'] }, /must be an object/);
  });

  it('an empty tools list sends none', () => {
    expect(translate({ tools: [] })).not.toHaveProperty('tools');
  });

  it('maps every tool_choice and disable_parallel_tool_use', () => {
    const choice = (tool_choice: unknown) => translate({ tools: [weather], tool_choice });
    expect(choice({ type: 'auto' })).toMatchObject({ tool_choice: 'auto' });
    expect(choice({ type: 'any' })).toMatchObject({ tool_choice: 'required' });
    expect(choice({ type: 'none' })).toMatchObject({ tool_choice: 'none' });
    expect(choice({ type: 'tool', name: 'get_weather' })).toMatchObject({ tool_choice: { type: 'function', function: { name: 'get_weather' } } });
    expect(choice({ type: 'auto', disable_parallel_tool_use: true })).toMatchObject({ tool_choice: 'auto', parallel_tool_calls: false });
    expect(choice({ type: 'any', disable_parallel_tool_use: false })).not.toHaveProperty('parallel_tool_calls');
  });

  it('rejects a malformed tool_choice', () => {
    rejects({ tool_choice: { type: 'tool' } }, /tool_choice.name/, 'tool_choice.name');
    rejects({ tool_choice: { type: 'sometimes' } }, /tool_choice.type/, 'tool_choice.type');
    rejects({ tool_choice: 'auto' }, /must be an object/);
  });
});
