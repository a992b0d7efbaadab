// The fake upstream's deterministic answers, read the same way from each API's request.
import { describe, expect, it } from '@jest/globals';
import { makeAnswer, pickTool, type Conversation } from '../../../src/dev/fake-answer.js';
import { chatConversation, completionEvents, completionJson, makeCompletion } from '../../../src/dev/fake-completions.js';
import { answerMessages, messagesConversation } from '../../../src/dev/fake-messages.js';
import { answerResponses, inputItems, ResponseStore, responseEvents, responsesConversation, type ResponseObject } from '../../../src/dev/fake-responses.js';

const conv = (c: Partial<Conversation>): Conversation => ({ userText: 'q', reasoning: false, inputBytes: 8, ...c });

describe('the answer', () => {
  it.each<[string, Partial<Conversation>, Record<string, unknown>]>([
    ['echoes the newest user text', { userText: 'hi' }, { text: '[up] m: hi', toolCall: undefined, reasoning: undefined }],
    ['truncates the echo to 200 chars', { userText: 'x'.repeat(300) }, { text: `[up] m: ${'x'.repeat(200)}` }],
    ['calls the tool with the user text as query', { userText: 'find "it"', tool: 't' }, { text: '', toolCall: { n: 5, name: 't', arguments: '{"query":"find \\"it\\""}' } }],
    ['echoes a tool result instead of calling again', { tool: 't', toolResult: 'done' }, { text: '[up] m: tool said: done', toolCall: undefined }],
    ['reasons about the user text', { userText: 'why', reasoning: true }, { reasoning: 'thinking about: why', reasoningTokens: 5 }],
  ])('%s', (_name, c, expected) => {
    expect(makeAnswer('up', 'm', conv(c), 5)).toMatchObject(expected);
  });

  it('counts tokens as UTF-8 bytes / 4, reasoning included in the output', () => {
    const a = makeAnswer('up', 'm', conv({ userText: 'é', inputBytes: 9, reasoning: true }), 1);
    expect(a.inputTokens).toBe(3);
    expect(a.outputTokens).toBe(Math.ceil(Buffer.byteLength('[up] m: é') / 4) + a.reasoningTokens);
  });

  it('picks the named tool, none for "none", else the first', () => {
    expect(pickTool(['a', 'b'], 'b')).toBe('b');
    expect(pickTool(['a', 'b'], 'none')).toBeUndefined();
    expect(pickTool(['a', 'b'], 'missing')).toBe('a');
    expect(pickTool([], undefined)).toBeUndefined();
  });
});

describe('reading each API', () => {
  const tools = [{ type: 'function', function: { name: 'f' } }];
  it('chat: trailing tool messages are the tool result; reasoning by enable_thinking or reasoning_effort', () => {
    const loop = { messages: [{ role: 'user', content: 'u' }, { role: 'assistant', tool_calls: [{ function: { arguments: '{}' } }] }, { role: 'tool', content: 'r1' }, { role: 'tool', content: [{ type: 'text', text: 'r2' }] }], tools };
    expect(chatConversation(loop, true)).toEqual({ userText: 'u', toolResult: 'r1 r2', tool: 'f', reasoning: false, inputBytes: 7 });
    expect(chatConversation({ messages: [], tools, tool_choice: 'none' }, true).tool).toBeUndefined();
    expect(chatConversation({ messages: [], chat_template_kwargs: { enable_thinking: true } }, true).reasoning).toBe(true);
    expect(chatConversation({ messages: [], reasoning_effort: 'none' }, true).reasoning).toBe(false);
    expect(chatConversation({ prompt: 'p', tools }, false)).toMatchObject({ tool: undefined, reasoning: false });
  });

  it('messages: a user message of tool results (no text) is the tool result; system and blocks count as input', () => {
    const c = messagesConversation({
      system: [{ type: 'text', text: 'sys' }],
      messages: [
        { role: 'user', content: 'ask' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
      ],
      tools: [{ name: 'f', input_schema: {} }, { type: 'web_search_20250305', name: 'web_search' }],
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    expect(c).toEqual({ userText: 'ask', toolResult: 'ok', tool: 'f', reasoning: true, inputBytes: 3 + 3 + 2 + 2 });
    const withText = messagesConversation({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'ok' }, { type: 'text', text: 'more' }] }] });
    expect(withText).toMatchObject({ userText: 'more', toolResult: undefined });
    expect(messagesConversation({ messages: [], tools: [{ name: 'f' }], tool_choice: { type: 'none' } }).tool).toBeUndefined();
  });

  it('responses: trailing function_call_output items are the tool result; easy messages have no type', () => {
    const items = [...inputItems('first'), { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' }, { type: 'function_call_output', call_id: 'c', output: 'out' }];
    expect(responsesConversation(items, { instructions: 'be', tools: [{ type: 'function', name: 'f' }, { type: 'web_search' }], reasoning: { effort: 'high' } })).toEqual({ userText: 'first', toolResult: 'out', tool: 'f', reasoning: true, inputBytes: 2 + 5 + 2 + 3 });
    expect(responsesConversation([{ role: 'user', content: [{ type: 'input_text', text: 'a' }] }], {})).toMatchObject({ userText: 'a', toolResult: undefined, tool: undefined, reasoning: false });
  });
});

describe('shapes', () => {
  it('chat: a tool call in JSON and SSE, with reasoning deltas first', () => {
    const c = makeCompletion('u', 'm', { messages: [{ role: 'user', content: 'hey' }], tools: [{ type: 'function', function: { name: 'f' } }], reasoning_effort: 'low' }, true, 3);
    expect((completionJson(c) as any).choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: null, reasoning_content: 'thinking about: hey', tool_calls: [{ id: 'call_3', type: 'function', function: { name: 'f', arguments: '{"query":"hey"}' } }] },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
    const deltas = completionEvents(c, false).slice(0, -1).map((e) => JSON.parse(e.slice(6)).choices[0]);
    expect(deltas.slice(1, 4).map((d) => d.delta.reasoning_content).join('')).toBe('thinking about: hey');
    expect(deltas[4].delta).toEqual({ tool_calls: [{ index: 0, id: 'call_3', type: 'function', function: { name: 'f', arguments: '' } }] });
    expect(deltas.slice(5, -1).map((d) => d.delta.tool_calls[0].function.arguments).join('')).toBe('{"query":"hey"}');
    expect(deltas.at(-1)).toMatchObject({ delta: {}, finish_reason: 'tool_calls' });
  });

  it('messages: 400 without max_tokens; a tool_use block with the parsed input', () => {
    expect(answerMessages('u', 'm', { messages: [] }, 1)).toEqual({ status: 400, json: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } } });
    const r = answerMessages('u', 'd', { max_tokens: 9, messages: [{ role: 'user', content: 'go' }], tools: [{ name: 'f' }] }, 4) as { json: any };
    expect(r.json).toMatchObject({ id: 'msg_u_4', model: 'd', stop_reason: 'tool_use', content: [{ type: 'tool_use', id: 'toolu_4', name: 'f', input: { query: 'go' } }] });
  });

  it('responses: numbered events for a function call; the store chains and forgets the oldest', () => {
    const store = new ResponseStore(2);
    const r = (answerResponses(store, 'u', 'm', { input: 'go', tools: [{ type: 'function', name: 'f' }] }, 1) as { json: ResponseObject }).json;
    expect(r.output).toEqual([{ id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"query":"go"}', status: 'completed' }]);
    const events = responseEvents(r).map((e) => JSON.parse(e.split('\n')[1]!.slice(6)));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_e, i) => i));
    expect(events[0]).toMatchObject({ type: 'response.created', response: { status: 'in_progress', output: [] } });
    expect(events[2]).toMatchObject({ type: 'response.output_item.added', item: { arguments: '', status: 'in_progress' } });
    expect(events.at(-2)).toMatchObject({ type: 'response.output_item.done', item: r.output[0] });
    const next = (answerResponses(store, 'u', 'm', { previous_response_id: r.id, input: [{ type: 'function_call_output', call_id: 'call_1', output: 'x' }] }, 2) as { json: ResponseObject }).json;
    expect(next.output[0]).toMatchObject({ content: [{ text: '[u] m: tool said: x' }] });
    answerResponses(store, 'u', 'm', { input: 'three' }, 3);
    expect(store.size).toBe(2);
    expect(store.get(r.id)).toBeUndefined();
    expect(answerResponses(store, 'u', 'm', {}, 4)).toMatchObject({ status: 400, json: { error: { param: 'input' } } });
  });
});
