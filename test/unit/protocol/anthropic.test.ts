// Anthropic Messages ingress: the body parsed (through parseRequestBody) into the chat-shaped IR.
import { describe, expect, it } from '@jest/globals';
import { ANTHROPIC_BLOCK_TYPES, anthropicIRMessages, anthropicMessagesSchema, anthropicTools, blocksText } from '../../../src/protocol/anthropic.js';
import { RouterError } from '../../../src/protocol/errors.js';
import { inToolLoop, lastUserText, systemText } from '../../../src/protocol/ir.js';
import { parseRequestBody } from '../../../src/protocol/parse.js';

const limits = { maxBodyBytes: 1024 * 1024, maxJsonDepth: 32, maxMessages: 4 };
const parse = (body: unknown, countTokens = false) => parseRequestBody('anthropic.messages', Buffer.from(JSON.stringify(body)), limits, countTokens);
const messages = (body: unknown) => parse(body).ir.messages;
const base = { model: 'auto', max_tokens: 256 };

function errorOf(fn: () => unknown): RouterError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RouterError) return e;
    throw e;
  }
  throw new Error('expected a RouterError');
}

const image = (data: string) => ({ type: 'image', source: { type: 'base64', media_type: 'image/png', data } });

describe('anthropic.messages: the IR', () => {
  it('a minimal request: protocol, model, stream, max_tokens as maxOutputTokens, the body kept', () => {
    const { ir, modelSpan } = parse({ ...base, stream: true, messages: [{ role: 'user', content: 'Hello' }], top_k: 5 });
    expect(ir).toMatchObject({ protocol: 'anthropic.messages', model: 'auto', stream: true, maxOutputTokens: 256, hasTools: false, tools: [] });
    expect(ir.messages).toEqual([{ role: 'user', text: 'Hello', toolCalls: 0 }]);
    expect(ir.body.top_k).toBe(5);
    expect(modelSpan).toBeDefined();
    expect(ir.previousResponseId).toBeUndefined();
  });

  it('stream defaults to false', () => {
    expect(parse({ ...base, messages: [{ role: 'user', content: 'x' }] }).ir.stream).toBe(false);
  });

  it('a system string becomes a leading system message (no extra)', () => {
    const ms = messages({ ...base, system: 'Be terse.', messages: [{ role: 'user', content: 'Hi' }] });
    expect(ms).toEqual([
      { role: 'system', text: 'Be terse.', toolCalls: 0 },
      { role: 'user', text: 'Hi', toolCalls: 0 },
    ]);
  });

  it('system blocks become one leading system message, texts joined, their other fields (cache_control) in extra', () => {
    const ms = messages({
      ...base,
      system: [
        { type: 'text', text: 'You are a helper.' },
        { type: 'text', text: 'Cite sources.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(ms[0]).toEqual({
      role: 'system',
      text: 'You are a helper.\nCite sources.',
      toolCalls: 0,
      extra: [{ type: 'text' }, { type: 'text', cache_control: { type: 'ephemeral' } }],
    });
    expect(ms).toHaveLength(2);
  });

  it('system blocks that differ only in cache_control give different extras', () => {
    const sys = (cc?: object) => messages({ ...base, system: [{ type: 'text', text: 'S', ...(cc ? { cache_control: cc } : {}) }], messages: [{ role: 'user', content: 'Hi' }] })[0]!;
    expect(sys().text).toBe(sys({ type: 'ephemeral' }).text);
    expect(sys().extra).not.toEqual(sys({ type: 'ephemeral' }).extra);
  });

  it('a system that is not a string or text blocks is refused', () => {
    const err = errorOf(() => parse({ ...base, system: [{ type: 'image', source: {} }], messages: [{ role: 'user', content: 'x' }] }));
    expect(err.code).toBe('invalid_request');
    expect(err.status).toBe(400);
    expect(err.param).toMatch(/^system/);
  });

  it('tool_result blocks become tool messages before the rest of the user turn', () => {
    const ms = messages({
      ...base,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'tu_1', name: 'weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'tu_2', name: 'clock', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'tu_1', content: '18C sunny' },
            { type: 'tool_result', tool_use_id: 'tu_2', content: [{ type: 'text', text: '14:00' }, { type: 'text', text: 'CEST' }] },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    });
    expect(ms.map((m) => [m.role, m.text, m.toolCalls])).toEqual([
      ['user', 'Weather in Paris?', 0],
      ['assistant', 'Checking.', 2],
      ['tool', '18C sunny', 0],
      ['tool', '14:00\nCEST', 0],
      ['user', 'And tomorrow?', 0],
    ]);
    // The tool_use blocks (ids, names, input) are what the assistant message carries besides text.
    expect(ms[1]!.extra).toEqual([
      { type: 'tool_use', id: 'tu_1', name: 'weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'tu_2', name: 'clock', input: {} },
    ]);
    // A tool message carries its block's fields (tool_use_id) and the result's non-text blocks.
    expect(ms[2]!.extra).toEqual([{ type: 'tool_result', tool_use_id: 'tu_1' }, []]);
    expect(ms[3]!.extra).toEqual([{ type: 'tool_result', tool_use_id: 'tu_2' }, []]);
  });

  it('a user turn of only tool_result blocks adds no user message: the request is in a tool loop', () => {
    const { ir } = parse({
      ...base,
      system: 'sys',
      messages: [
        { role: 'user', content: 'Use the tool.' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'done' }] },
      ],
    });
    expect(ir.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(ir.messages[2]).toMatchObject({ text: '', toolCalls: 1 });
    expect(inToolLoop(ir)).toBe(true);
    expect(lastUserText(ir)).toBe('Use the tool.');
    expect(systemText(ir)).toBe('sys');
  });

  it('tool results with a non-text block (an image) carry it in extra', () => {
    const tool = (data: string) =>
      messages({ ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'shot' }, image(data)] }] }] })[0]!;
    expect(tool('AAAA')).toMatchObject({ role: 'tool', text: 'shot' });
    expect(tool('AAAA').extra).toEqual([{ type: 'tool_result', tool_use_id: 't' }, [image('AAAA')]]);
    expect(tool('AAAA').extra).not.toEqual(tool('BBBB').extra);
  });

  it('is_error and cache_control on a tool_result are part of its extra', () => {
    const tool = (fields: object) => messages({ ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'x', ...fields }] }] })[0]!.extra;
    expect(tool({ is_error: true })).not.toEqual(tool({}));
    expect(tool({ cache_control: { type: 'ephemeral' } })).not.toEqual(tool({}));
  });

  it('images in a user turn: text joined, the image in extra; two requests differing only in the image differ in extra', () => {
    const user = (data: string) =>
      messages({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is' }, image(data), { type: 'text', text: 'this?' }] }] })[0]!;
    expect(user('AAAA')).toEqual({ role: 'user', text: 'What is\nthis?', toolCalls: 0, extra: [image('AAAA')] });
    expect(user('AAAA').text).toBe(user('BBBB').text);
    expect(user('AAAA').extra).not.toEqual(user('BBBB').extra);
  });

  // cache_control on a text block does not change the answer (only what the backend caches), so
  // it is not part of the fingerprint, as chat text parts' extra fields are not (ir.ts).
  it('user text blocks that differ only in cache_control give equal extras (the same cached answer)', () => {
    const user = (cc?: object) =>
      messages({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'Long doc', ...(cc ? { cache_control: cc } : {}) }] }] })[0]!;
    expect(user().extra).toEqual(user({ type: 'ephemeral' }).extra);
  });

  it('an assistant turn with text only: no tool calls, no extra blocks', () => {
    const ms = messages({ ...base, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ type: 'text', text: 'b' }] }, { role: 'user', content: 'c' }] });
    expect(ms[1]).toEqual({ role: 'assistant', text: 'b', toolCalls: 0, extra: [] });
    expect(ms.map((m) => m.text)).toEqual(['a', 'b', 'c']);
  });

  it('thinking blocks are not text: they stay out of the assistant text and in extra', () => {
    const thinking = { type: 'thinking', thinking: 'secret chain', signature: 'sig' };
    const ms = messages({ ...base, messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: [thinking, { type: 'text', text: 'answer' }] }, { role: 'user', content: 'r' }] });
    expect(ms[1]).toEqual({ role: 'assistant', text: 'answer', toolCalls: 0, extra: [thinking] });
  });

  it('an empty user block list still yields one (empty) user message', () => {
    expect(messages({ ...base, messages: [{ role: 'user', content: [] }] })).toEqual([{ role: 'user', text: '', toolCalls: 0, extra: [] }]);
  });

  it('every documented block type is accepted', () => {
    const content = ANTHROPIC_BLOCK_TYPES.map((type) => ({ type, ...(type === 'text' ? { text: 't' } : {}) }));
    expect(() => parse({ ...base, messages: [{ role: 'user', content }] })).not.toThrow();
  });

  it('an unknown content block type is refused as invalid_request', () => {
    const err = errorOf(() => parse({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'hologram' }] }] }));
    expect(err).toBeInstanceOf(RouterError);
    expect(err.code).toBe('invalid_request');
    expect(err.status).toBe(400);
    expect(err.param).toMatch(/^messages\.0\.content/);
  });

  it('the refusal of an unknown block type names the type', () => {
    const err = errorOf(() => parse({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'hologram' }] }] }));
    expect(err.message).toContain('hologram');
  });

  it('the schema alone names an unknown block type (the message the ingress intends to send)', () => {
    // anthropicMessagesSchema refuses the body; the issue deep in the union names the type.
    const r = anthropicMessagesSchema(4).safeParse({ ...base, messages: [{ role: 'user', content: [{ type: 'hologram' }] }] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).toContain('unknown content block type \\"hologram\\"');
  });

  it('an unknown role is refused', () => {
    expect(errorOf(() => parse({ ...base, messages: [{ role: 'system', content: 'x' }] })).code).toBe('invalid_request');
  });

  it('a missing max_tokens is refused, naming max_tokens', () => {
    const err = errorOf(() => parse({ model: 'auto', messages: [{ role: 'user', content: 'x' }] }));
    expect(err.code).toBe('invalid_request');
    expect(err.message).toContain('max_tokens');
    expect(err.param).toBe('max_tokens');
  });

  it('a non-integer or zero max_tokens is refused', () => {
    expect(errorOf(() => parse({ model: 'auto', max_tokens: 1.5, messages: [{ role: 'user', content: 'x' }] })).message).toContain('max_tokens');
    expect(errorOf(() => parse({ model: 'auto', max_tokens: 0, messages: [{ role: 'user', content: 'x' }] })).param).toBe('max_tokens');
  });

  it('count_tokens bodies have no max_tokens: accepted with countTokens', () => {
    const { ir } = parse({ model: 'auto', messages: [{ role: 'user', content: 'x' }] }, true);
    expect(ir.protocol).toBe('anthropic.messages');
    expect(ir.maxOutputTokens).toBeUndefined();
    expect(ir.messages).toEqual([{ role: 'user', text: 'x', toolCalls: 0 }]);
  });

  it('countTokens still validates the rest (unknown blocks, empty messages)', () => {
    expect(errorOf(() => parse({ model: 'auto', messages: [] }, true)).code).toBe('invalid_request');
    expect(errorOf(() => parse({ model: 'auto', messages: [{ role: 'user', content: [{ type: 'nope' }] }] }, true)).code).toBe('invalid_request');
  });

  it('maxMessages is enforced', () => {
    const turns = (n: number) => Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` }));
    expect(parse({ ...base, messages: turns(4) }).ir.messages).toHaveLength(4);
    const err = errorOf(() => parse({ ...base, messages: turns(5) }));
    expect(err.code).toBe('invalid_request');
    expect(err.param).toBe('messages');
    // The count_tokens body has the same limit.
    expect(errorOf(() => parse({ model: 'auto', messages: turns(5) }, true)).param).toBe('messages');
  });

  it('tools: names and descriptions, hasTools', () => {
    const { ir } = parse({
      ...base,
      tools: [
        { name: 'weather', description: 'Current weather', input_schema: { type: 'object' } },
        { name: 'clock', input_schema: { type: 'object' } },
      ],
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(ir.hasTools).toBe(true);
    expect(ir.tools).toEqual([{ name: 'weather', description: 'Current weather' }, { name: 'clock' }]);
  });

  it('a tool without a name is refused', () => {
    expect(errorOf(() => parse({ ...base, tools: [{ description: 'x' }], messages: [{ role: 'user', content: 'x' }] })).param).toMatch(/^tools\.0/);
  });
});

describe('anthropic helpers', () => {
  it('blocksText: a string as is, text blocks joined, other blocks and non-arrays ignored', () => {
    expect(blocksText('plain')).toBe('plain');
    expect(blocksText([{ type: 'text', text: 'a' }, image('x'), { type: 'text', text: 'b' }])).toBe('a\nb');
    expect(blocksText([{ type: 'text' }, null, 3])).toBe('');
    expect(blocksText(undefined)).toBe('');
    expect(blocksText({ type: 'text', text: 'x' })).toBe('');
  });

  it('anthropicIRMessages and anthropicTools read a schema-parsed body directly', () => {
    const body = anthropicMessagesSchema(8).parse({ ...base, system: 'S', tools: [{ name: 't' }], messages: [{ role: 'user', content: 'U' }] });
    expect(anthropicIRMessages(body).map((m) => m.text)).toEqual(['S', 'U']);
    expect(anthropicTools(body)).toEqual([{ name: 't' }]);
    expect(anthropicTools(anthropicMessagesSchema(8).parse({ ...base, messages: [{ role: 'user', content: 'U' }] }))).toEqual([]);
  });
});

describe('IR helpers on Anthropic requests', () => {
  it('systemText: the system text (string or blocks); empty without one', () => {
    expect(systemText(parse({ ...base, system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }], messages: [{ role: 'user', content: 'x' }] }).ir)).toBe('A\nB');
    expect(systemText(parse({ ...base, messages: [{ role: 'user', content: 'x' }] }).ir)).toBe('');
  });

  it('lastUserText: the newest user text, not tool results', () => {
    const { ir } = parse({
      ...base,
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'result' }, { type: 'text', text: 'second' }] },
      ],
    });
    expect(lastUserText(ir)).toBe('second');
    expect(inToolLoop(ir)).toBe(false);
  });

  it('inToolLoop: false when the newest message is an assistant or user turn', () => {
    expect(inToolLoop(parse({ ...base, messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'partial' }] }).ir)).toBe(false);
  });
});
