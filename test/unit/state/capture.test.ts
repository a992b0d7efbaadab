import { describe, expect, it } from '@jest/globals';
import { AnswerCapture, type CaptureOptions, type CaptureResult } from '../../../src/state/capture.js';

const SSE = 'text/event-stream; charset=utf-8';
const JSON_TYPE = 'application/json';
const base: CaptureOptions = { status: 200, contentType: SSE, cacheToolCalls: false, maxEntryBytes: 64 * 1024, now: () => 1234 };

function capture(chunks: Array<string | Buffer>, opts: Partial<CaptureOptions> = {}): CaptureResult {
  const c = new AnswerCapture({ ...base, ...opts });
  for (const chunk of chunks) c.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return c.finish();
}

const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'qwen3-8b' };
const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
  ...head,
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  ...extra,
});
const sse = (events: unknown[], done = true) =>
  events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '');

const USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
const STREAM = sse([
  chunk({ role: 'assistant', content: '' }),
  chunk({ reasoning_content: 'Let me think… ' }),
  chunk({ reasoning_content: 'done 🤔' }),
  chunk({ content: 'Héllo, ' }),
  chunk({ content: 'wörld 🎉' }),
  chunk({}, 'stop'),
  { ...head, choices: [], usage: USAGE },
]);
const ANSWER = {
  content: 'Héllo, wörld 🎉',
  reasoning: 'Let me think… done 🤔',
  finishReason: 'stop',
  model: 'qwen3-8b',
  usage: { promptTokens: 11, completionTokens: 7 },
  storedAtMs: 1234,
};

const reason = (r: CaptureResult) => (r.storable ? 'storable' : r.reason);

describe('AnswerCapture, streamed', () => {
  it('reassembles content, reasoning, finish reason, usage and model', () => {
    expect(capture([STREAM])).toEqual({ storable: true, answer: ANSWER });
  });

  it('gives the same answer for every chunk boundary', () => {
    const bytes = Buffer.from(STREAM, 'utf8');
    for (let i = 0; i <= bytes.length; i++) {
      expect(capture([bytes.subarray(0, i), bytes.subarray(i)])).toEqual({ storable: true, answer: ANSWER });
    }
  });

  it('accepts the newer reasoning field', () => {
    const r = capture([sse([chunk({ reasoning: 'hmm' }), chunk({ content: 'ok' }, 'stop')])]);
    expect(r).toMatchObject({ storable: true, answer: { content: 'ok', reasoning: 'hmm' } });
  });

  it('captures legacy text_completion streams', () => {
    const c = (text: string, finish: string | null = null) => ({
      id: 'cmpl-1',
      object: 'text_completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, text, logprobs: null, finish_reason: finish }],
    });
    const r = capture([sse([c('Once '), c('upon'), c('', 'stop')])]);
    expect(r).toEqual({ storable: true, answer: { content: 'Once upon', finishReason: 'stop', model: 'm', storedAtMs: 1234 } });
  });

  it('is not storable without [DONE], without finish_reason, or when aborted', () => {
    expect(capture([sse([chunk({ content: 'a' }, 'stop')], false)])).toMatchObject({ reason: 'incomplete', detail: 'no [DONE]' });
    expect(capture([sse([chunk({ content: 'a' })])])).toMatchObject({ reason: 'incomplete', detail: 'no finish_reason' });
    const c = new AnswerCapture(base);
    c.push(Buffer.from(STREAM));
    c.abort();
    expect(c.finish()).toMatchObject({ storable: false, reason: 'incomplete', detail: 'aborted' });
  });

  it('is not storable when cut by length or a content filter', () => {
    expect(capture([sse([chunk({ content: 'a' }, 'length')])])).toMatchObject({ reason: 'finish_reason', detail: 'length' });
    expect(reason(capture([sse([chunk({ content: 'a' }, 'content_filter')])]))).toBe('finish_reason');
  });

  it('is not storable with more than one choice', () => {
    const second = { ...head, choices: [{ index: 1, delta: { content: 'b' }, finish_reason: null }] };
    expect(reason(capture([sse([chunk({ content: 'a' }), second, chunk({}, 'stop')])]))).toBe('multiple_choices');
  });

  it('is not storable for an error event, a malformed event, logprobs or a function_call', () => {
    expect(reason(capture([sse([chunk({ content: 'a' }), { error: { message: 'boom' } }])]))).toBe('upstream_error');
    expect(reason(capture(['data: {"choices": [\n\n']))).toBe('invalid_json');
    const withLogprobs = { ...head, choices: [{ index: 0, delta: { content: 'a' }, logprobs: { content: [] }, finish_reason: 'stop' }] };
    expect(capture([sse([withLogprobs])])).toMatchObject({ reason: 'unsupported', detail: 'logprobs' });
    expect(capture([sse([chunk({ function_call: { name: 'f' } }, 'stop')])])).toMatchObject({ reason: 'unsupported' });
  });

  const toolStream = sse([
    chunk({ role: 'assistant', content: null }),
    chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
    chunk({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'now', arguments: '{}' } }] }),
    chunk({}, 'tool_calls'),
  ]);

  it('is not storable with tool calls unless cache_tool_calls', () => {
    expect(reason(capture([toolStream]))).toBe('tool_calls');
  });

  it('stores reassembled tool calls with cache_tool_calls', () => {
    const r = capture([toolStream], { cacheToolCalls: true });
    expect(r).toMatchObject({
      storable: true,
      answer: {
        content: '',
        finishReason: 'tool_calls',
        toolCalls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'now', arguments: '{}' } },
        ],
      },
    });
  });

  it('gives up as soon as the answer outgrows max_entry_bytes', () => {
    const c = new AnswerCapture({ ...base, maxEntryBytes: 100 });
    for (let i = 0; i < 20; i++) c.push(Buffer.from(sse([chunk({ content: '0123456789' })], false)));
    expect(c.finish()).toMatchObject({ storable: false, reason: 'too_large' });
  });

  it('gives up on one oversized event without buffering it all', () => {
    const c = new AnswerCapture({ ...base, maxEntryBytes: 100 });
    c.push(Buffer.from('data: {"choices":[{"index":0,"delta":{"content":"'));
    for (let i = 0; i < 100; i++) c.push(Buffer.from('x'.repeat(1000)));
    expect(c.finish()).toMatchObject({ storable: false, reason: 'too_large' });
  });

  it('counts the answer in UTF-8 bytes', () => {
    const text = '日'.repeat(40); // 40 characters, 120 bytes
    expect(reason(capture([sse([chunk({ content: text }, 'stop')])], { maxEntryBytes: 120 }))).toBe('storable');
    expect(reason(capture([sse([chunk({ content: text }, 'stop')])], { maxEntryBytes: 119 }))).toBe('too_large');
  });
});

describe('AnswerCapture, one JSON body', () => {
  const body = {
    id: 'chatcmpl-2',
    object: 'chat.completion',
    created: 1,
    model: 'llama-70b',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour 👋', reasoning_content: 'greet' }, logprobs: null, finish_reason: 'stop' }],
    usage: USAGE,
  };
  const text = JSON.stringify(body);
  const expected = {
    storable: true,
    answer: { content: 'Bonjour 👋', reasoning: 'greet', finishReason: 'stop', model: 'llama-70b', usage: { promptTokens: 11, completionTokens: 7 }, storedAtMs: 1234 },
  };
  const json = (chunks: Array<string | Buffer>, opts: Partial<CaptureOptions> = {}) => capture(chunks, { contentType: JSON_TYPE, ...opts });

  it('captures a chat.completion body at every chunk boundary', () => {
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i <= bytes.length; i++) expect(json([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(expected);
  });

  it('captures a text_completion body', () => {
    const completion = { id: 'cmpl-1', object: 'text_completion', model: 'm', choices: [{ index: 0, text: 'abc', logprobs: null, finish_reason: 'stop' }] };
    expect(json([JSON.stringify(completion)])).toMatchObject({ storable: true, answer: { content: 'abc', model: 'm' } });
  });

  it('knows at the headers when the answer cannot be stored', () => {
    expect(new AnswerCapture({ ...base, status: 502 }).failed).toBe(true);
    expect(new AnswerCapture({ ...base, contentType: 'text/html' }).failed).toBe(true);
    expect(new AnswerCapture({ ...base, contentType: JSON_TYPE }).failed).toBe(false);
  });

  it('is not storable for non-2xx, other content types or encodings', () => {
    expect(json([text], { status: 500 })).toMatchObject({ reason: 'status', detail: '500' });
    expect(reason(json([text], { status: 304 }))).toBe('status');
    expect(reason(json([text], { contentType: 'text/plain' }))).toBe('content_type');
    expect(reason(json([text], { contentType: undefined }))).toBe('content_type');
    expect(reason(json([text], { contentEncoding: 'gzip' }))).toBe('content_type');
    expect(reason(json([text], { contentEncoding: 'identity' }))).toBe('storable');
  });

  it('is not storable for unparseable JSON, an error body, or no choice', () => {
    expect(reason(json([text.slice(0, -1)]))).toBe('invalid_json');
    expect(reason(json(['[1,2]']))).toBe('invalid_json');
    expect(reason(json([JSON.stringify({ error: { message: 'x' } })]))).toBe('upstream_error');
    expect(reason(json([JSON.stringify({ ...body, choices: [] })]))).toBe('incomplete');
  });

  it('is not storable for n > 1, length, or a missing finish_reason', () => {
    const choice = body.choices[0]!;
    expect(reason(json([JSON.stringify({ ...body, choices: [choice, { ...choice, index: 1 }] })]))).toBe('multiple_choices');
    expect(reason(json([JSON.stringify({ ...body, choices: [{ ...choice, finish_reason: 'length' }] })]))).toBe('finish_reason');
    expect(reason(json([JSON.stringify({ ...body, choices: [{ ...choice, finish_reason: null }] })]))).toBe('incomplete');
  });

  it('handles tool calls per cache_tool_calls', () => {
    const call = { id: 'call_9', type: 'function', function: { name: 'f', arguments: '{"x":1}' } };
    const withTools = { ...body, choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }] };
    expect(reason(json([JSON.stringify(withTools)]))).toBe('tool_calls');
    expect(json([JSON.stringify(withTools)], { cacheToolCalls: true })).toMatchObject({
      storable: true,
      answer: { content: '', finishReason: 'tool_calls', toolCalls: [call] },
    });
  });

  it('stops buffering a body far larger than max_entry_bytes', () => {
    const c = new AnswerCapture({ ...base, contentType: JSON_TYPE, maxEntryBytes: 1000 });
    for (let i = 0; i < 100; i++) c.push(Buffer.alloc(1000, 0x20));
    expect(c.finish()).toMatchObject({ storable: false, reason: 'too_large' });
  });

  it('checks the parsed answer against max_entry_bytes exactly', () => {
    expect(reason(json([text], { maxEntryBytes: 17 }))).toBe('storable'); // 'Bonjour 👋' 12 bytes + 'greet' 5
    expect(reason(json([text], { maxEntryBytes: 16 }))).toBe('too_large');
  });
});
