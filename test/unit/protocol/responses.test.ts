// OpenAI Responses ingress: the body parsed (through parseRequestBody) into the chat-shaped IR.
import { describe, expect, it } from '@jest/globals';
import { RouterError } from '../../../src/protocol/errors.js';
import { inToolLoop, lastUserText, systemText } from '../../../src/protocol/ir.js';
import { parseRequestBody } from '../../../src/protocol/parse.js';
import { RESPONSES_ITEM_TYPES, RESPONSES_PART_TYPES, responsesIRMessages, responsesSchema, responsesTools } from '../../../src/protocol/responses.js';

const limits = { maxBodyBytes: 1024 * 1024, maxJsonDepth: 32, maxMessages: 4 };
const parse = (body: unknown) => parseRequestBody('openai.responses', Buffer.from(JSON.stringify(body)), limits);
const messages = (body: unknown) => parse(body).ir.messages;

function errorOf(fn: () => unknown): RouterError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RouterError) return e;
    throw e;
  }
  throw new Error('expected a RouterError');
}

describe('openai.responses: the IR', () => {
  it('an input string is one user message', () => {
    const { ir, modelSpan } = parse({ model: 'auto', input: 'Hello there', stream: true, store: false });
    expect(ir).toMatchObject({ protocol: 'openai.responses', model: 'auto', stream: true, hasTools: false, tools: [], maxOutputTokens: undefined });
    expect(ir.messages).toEqual([{ role: 'user', text: 'Hello there', toolCalls: 0 }]);
    expect(ir.previousResponseId).toBeUndefined();
    expect(ir.body.store).toBe(false);
    expect(modelSpan).toBeDefined();
  });

  it('stream defaults to false (also when null)', () => {
    expect(parse({ model: 'auto', input: 'x' }).ir.stream).toBe(false);
    expect(parse({ model: 'auto', input: 'x', stream: null }).ir.stream).toBe(false);
  });

  it('instructions become a leading system message (string input)', () => {
    const { ir } = parse({ model: 'auto', instructions: 'Answer in French.', input: 'Hi' });
    expect(ir.messages).toEqual([
      { role: 'system', text: 'Answer in French.', toolCalls: 0 },
      { role: 'user', text: 'Hi', toolCalls: 0 },
    ]);
    expect(systemText(ir)).toBe('Answer in French.');
  });

  it('instructions before input items; message items by role, an item with a role and no type is a message', () => {
    const ms = messages({
      model: 'auto',
      instructions: 'Be kind.',
      input: [
        { role: 'developer', content: 'No emojis.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Describe' }, { type: 'input_text', text: 'this' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Sure.' }] },
      ],
    });
    expect(ms.map((m) => [m.role, m.text, m.toolCalls])).toEqual([
      ['system', 'Be kind.', 0],
      ['developer', 'No emojis.', 0],
      ['user', 'Describe\nthis', 0],
      ['assistant', 'Sure.', 0],
    ]);
    expect(ms[2]!.extra).toEqual([]);
  });

  it('non-text parts are extra: two requests differing only in an image differ in extra', () => {
    const user = (url: string) =>
      messages({ model: 'auto', input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is this?' }, { type: 'input_image', image_url: url }] }] })[0]!;
    expect(user('data:a')).toEqual({ role: 'user', text: 'What is this?', toolCalls: 0, extra: [{ type: 'input_image', image_url: 'data:a' }] });
    expect(user('data:a').text).toBe(user('data:b').text);
    expect(user('data:a').extra).not.toEqual(user('data:b').extra);
  });

  it('consecutive function_call items are one assistant message with their tool calls', () => {
    const ms = messages({
      model: 'auto',
      input: [
        { role: 'user', content: 'Weather and time in Paris?' },
        { type: 'function_call', call_id: 'c1', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'c2', name: 'clock', arguments: '{}' },
      ],
    });
    expect(ms.map((m) => [m.role, m.text, m.toolCalls])).toEqual([
      ['user', 'Weather and time in Paris?', 0],
      ['assistant', '', 2],
    ]);
    expect(ms[1]!.extra).toEqual([
      { name: 'weather', arguments: '{"city":"Paris"}', call_id: 'c1' },
      { name: 'clock', arguments: '{}', call_id: 'c2' },
    ]);
  });

  it('function calls after an assistant message join its turn; after a tool output they open a new one', () => {
    const ms = messages({
      model: 'auto',
      input: [
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me check.' }] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'one' },
        { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
      ],
    });
    expect(ms.map((m) => [m.role, m.text, m.toolCalls])).toEqual([
      ['assistant', 'Let me check.', 1],
      ['tool', 'one', 0],
      ['assistant', '', 1],
    ]);
  });

  it('function_call_output: a tool message from a string output or output parts; the request is in a tool loop', () => {
    const { ir } = parseRequestBody('openai.responses', Buffer.from(JSON.stringify({
      model: 'auto',
      input: [
        { role: 'user', content: 'Go' },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: '42' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'part one' }, { type: 'input_text', text: 'part two' }] },
      ],
    })), { ...limits, maxMessages: 8 });
    expect(ir.messages.slice(2)).toEqual([
      { role: 'tool', text: '42', toolCalls: 0, extra: { call_id: 'c1', parts: [] } },
      { role: 'tool', text: 'part one\npart two', toolCalls: 0, extra: { call_id: 'c2', parts: [] } },
    ]);
    expect(inToolLoop(ir)).toBe(true);
    expect(lastUserText(ir)).toBe('Go');
  });

  it('function_call_output images are in extra: two outputs differing only in an image differ', () => {
    const tool = (url: string) =>
      messages({ model: 'auto', input: [{ type: 'function_call_output', call_id: 'c', output: [{ type: 'input_text', text: 'shot' }, { type: 'input_image', image_url: url }] }] })[0]!;
    expect(tool('data:a').text).toBe('shot');
    expect(tool('data:a').extra).not.toEqual(tool('data:b').extra);
  });

  it('reasoning items and item references are skipped', () => {
    const ms = messages({
      model: 'auto',
      input: [
        { role: 'user', content: 'q' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thinking hard' }] },
        { type: 'item_reference', id: 'msg_1' },
        { role: 'user', content: 'r' },
      ],
    });
    expect(ms.map((m) => [m.role, m.text])).toEqual([
      ['user', 'q'],
      ['user', 'r'],
    ]);
  });

  it('every documented item and part type is accepted', () => {
    const input = [
      ...RESPONSES_ITEM_TYPES.map((type) => ({ type })),
      { role: 'user', content: RESPONSES_PART_TYPES.map((type) => ({ type })) },
    ].slice(0, 4);
    expect(() => parse({ model: 'auto', input })).not.toThrow();
    expect(() => parseRequestBody('openai.responses', Buffer.from(JSON.stringify({ model: 'auto', input: RESPONSES_ITEM_TYPES.map((type) => ({ type })) })), { ...limits, maxMessages: 64 })).not.toThrow();
  });

  it('an unknown item type is refused', () => {
    const err = errorOf(() => parse({ model: 'auto', input: [{ role: 'user', content: 'x' }, { type: 'teleport' }] }));
    expect(err.code).toBe('invalid_request');
    expect(err.status).toBe(400);
    expect(err.param).toMatch(/^input/);
  });

  it('an unknown content part type is refused', () => {
    const err = errorOf(() => parse({ model: 'auto', input: [{ role: 'user', content: [{ type: 'input_text', text: 'a' }, { type: 'input_smell' }] }] }));
    expect(err.code).toBe('invalid_request');
    expect(err.param).toMatch(/^input/);
  });

  it('the refusal of an unknown item or part type names the type', () => {
    expect(errorOf(() => parse({ model: 'auto', input: [{ type: 'teleport' }] })).message).toContain('teleport');
    expect(errorOf(() => parse({ model: 'auto', input: [{ role: 'user', content: [{ type: 'input_smell' }] }] })).message).toContain('input_smell');
  });

  it('an unknown role is refused', () => {
    expect(errorOf(() => parse({ model: 'auto', input: [{ role: 'tool', content: 'x' }] })).code).toBe('invalid_request');
  });

  it('a missing input without previous_response_id is refused', () => {
    const err = errorOf(() => parse({ model: 'auto', instructions: 'x' }));
    expect(err.code).toBe('invalid_request');
    expect(err.param).toBe('input');
    expect(err.message).toContain('input');
    expect(errorOf(() => parse({ model: 'auto', previous_response_id: null })).param).toBe('input');
  });

  it('previous_response_id: set on the IR, and input may then be left out', () => {
    const { ir } = parse({ model: 'auto', previous_response_id: 'resp_123' });
    expect(ir.previousResponseId).toBe('resp_123');
    expect(ir.messages).toEqual([]);
    expect(parse({ model: 'auto', previous_response_id: 'resp_9', input: 'next' }).ir).toMatchObject({ previousResponseId: 'resp_9', messages: [{ role: 'user', text: 'next' }] });
  });

  it('an empty previous_response_id is refused', () => {
    expect(errorOf(() => parse({ model: 'auto', previous_response_id: '', input: 'x' })).param).toBe('previous_response_id');
  });

  it('maxOutputTokens from max_output_tokens', () => {
    expect(parse({ model: 'auto', input: 'x', max_output_tokens: 321 }).ir.maxOutputTokens).toBe(321);
    expect(parse({ model: 'auto', input: 'x', max_output_tokens: null }).ir.maxOutputTokens).toBeUndefined();
    expect(errorOf(() => parse({ model: 'auto', input: 'x', max_output_tokens: 0 })).param).toBe('max_output_tokens');
  });

  it('maxMessages limits the input items', () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ role: 'user', content: `m${i}` }));
    expect(parse({ model: 'auto', input: items(4) }).ir.messages).toHaveLength(4);
    const err = errorOf(() => parse({ model: 'auto', input: items(5) }));
    expect(err.code).toBe('invalid_request');
    expect(err.param).toMatch(/^input/);
    // A string input is one message whatever its length.
    expect(parse({ model: 'auto', input: 'word '.repeat(1000) }).ir.messages).toHaveLength(1);
  });

  it('tools: function names and descriptions; built-in tools by their type', () => {
    const { ir } = parse({
      model: 'auto',
      input: 'x',
      tools: [
        { type: 'function', name: 'weather', description: 'Current weather', parameters: { type: 'object' } },
        { type: 'function', name: 'clock' },
        { type: 'web_search_preview' },
      ],
    });
    expect(ir.hasTools).toBe(true);
    expect(ir.tools).toEqual([{ name: 'weather', description: 'Current weather' }, { name: 'clock' }, { name: 'web_search_preview' }]);
    expect(parse({ model: 'auto', input: 'x', tools: [] }).ir.hasTools).toBe(false);
    expect(parse({ model: 'auto', input: 'x', tools: null }).ir.tools).toEqual([]);
  });

  it('a tool without a type is refused', () => {
    expect(errorOf(() => parse({ model: 'auto', input: 'x', tools: [{ name: 'f' }] })).param).toMatch(/^tools\.0/);
  });
});

describe('responses helpers', () => {
  it('responsesIRMessages and responsesTools read a schema-parsed body directly', () => {
    const body = responsesSchema(8).parse({ model: 'm', instructions: 'I', input: [{ role: 'user', content: 'U' }], tools: [{ type: 'function', name: 'f' }] });
    expect(responsesIRMessages(body).map((m) => [m.role, m.text])).toEqual([
      ['system', 'I'],
      ['user', 'U'],
    ]);
    expect(responsesTools(body)).toEqual([{ name: 'f' }]);
  });

  it('empty or null instructions add no system message', () => {
    expect(responsesIRMessages(responsesSchema(8).parse({ model: 'm', instructions: '', input: 'x' }))).toEqual([{ role: 'user', text: 'x', toolCalls: 0 }]);
    expect(responsesIRMessages(responsesSchema(8).parse({ model: 'm', instructions: null, input: 'x' }))).toHaveLength(1);
  });
});

describe('IR helpers on Responses requests', () => {
  it('systemText joins instructions and system/developer items', () => {
    const { ir } = parse({ model: 'auto', instructions: 'A', input: [{ role: 'system', content: 'B' }, { role: 'developer', content: [{ type: 'input_text', text: 'C' }] }, { role: 'user', content: 'q' }] });
    expect(systemText(ir)).toBe('A\nB\nC');
    expect(systemText(parse({ model: 'auto', input: 'q' }).ir)).toBe('');
  });

  it('lastUserText: the newest user item; empty when there is none', () => {
    const { ir } = parse({ model: 'auto', input: [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'two' }, { role: 'user', content: [{ type: 'input_text', text: 'three' }] }] });
    expect(lastUserText(ir)).toBe('three');
    expect(inToolLoop(ir)).toBe(false);
    expect(lastUserText(parse({ model: 'auto', previous_response_id: 'resp_1' }).ir)).toBe('');
  });

  it('inToolLoop: false when the newest item is a function call (the model has not answered it yet)', () => {
    expect(inToolLoop(parse({ model: 'auto', input: [{ role: 'user', content: 'q' }, { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' }] }).ir)).toBe(false);
  });
});
