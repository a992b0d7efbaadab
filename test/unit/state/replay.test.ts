import { describe, expect, it } from '@jest/globals';
import type { Protocol } from '../../../src/protocol/ir.js';
import { SseParser } from '../../../src/protocol/sse.js';
import { AnswerCapture, type CapturedAnswer } from '../../../src/state/capture.js';
import { replayAnswer, splitText } from '../../../src/state/replay.js';

/** A lone surrogate does not survive a UTF-8 round trip (it becomes U+FFFD). */
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8') === s;
const now = () => 1_700_000_000_000;
const answer: CapturedAnswer = {
  content: 'The answer is 42. '.repeat(10) + 'Emoji at edges: 🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉',
  reasoning: 'First, recall the question. 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters follow. '.repeat(3),
  finishReason: 'stop',
  model: 'qwen3-8b',
  usage: { promptTokens: 20, completionTokens: 30 },
  storedAtMs: 1,
};

const request = (protocol: Protocol, stream: boolean, includeUsage = false) => ({
  protocol,
  stream,
  body: includeUsage ? { stream_options: { include_usage: true } } : {},
});

function recapture(body: Buffer, contentType: string): CapturedAnswer {
  const c = new AnswerCapture({ status: 200, contentType, cacheToolCalls: true, maxEntryBytes: 1 << 20, now: () => 1 });
  c.push(body);
  const r = c.finish();
  if (!r.storable) throw new Error(`not storable: ${r.reason}`);
  return r.answer;
}

function events(body: Buffer): string[] {
  return new SseParser().push(body).map((e) => e.data);
}

describe('replayAnswer, streamed', () => {
  it('round-trips through capture: content, reasoning, finish reason and usage', () => {
    const r = replayAnswer(answer, request('openai.chat', true, true), { now });
    expect(r.status).toBe(200);
    expect(r.headers).toContainEqual(['content-type', 'text/event-stream; charset=utf-8']);
    expect(recapture(r.body, 'text/event-stream')).toEqual(answer);
  });

  it('emits chunks the OpenAI SDKs accept, ending with [DONE]', () => {
    const r = replayAnswer(answer, request('openai.chat', true, true), { now });
    const data = events(r.body);
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    const ids = new Set(chunks.map((c) => c.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^chatcmpl-cache-[0-9a-f]{24}$/);
    for (const c of chunks) {
      expect(c).toMatchObject({ object: 'chat.completion.chunk', created: 1_700_000_000, model: 'qwen3-8b' });
      expect(Array.isArray(c.choices)).toBe(true);
      for (const choice of c.choices) {
        expect(choice.index).toBe(0);
        expect(typeof choice.delta).toBe('object');
        expect('finish_reason' in choice).toBe(true);
      }
    }
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 20, completion_tokens: 30, total_tokens: 50 });
    expect(chunks[chunks.length - 2].choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
  });

  it('sends a usage chunk only when the request asked for it', () => {
    const data = events(replayAnswer(answer, request('openai.chat', true), { now }).body);
    expect(data.slice(0, -1).every((d) => JSON.parse(d).usage === undefined)).toBe(true);
    expect(recapture(replayAnswer(answer, request('openai.chat', true)).body, 'text/event-stream').usage).toBeUndefined();
  });

  it('keeps deltas within the chunk size without splitting surrogate pairs', () => {
    const data = events(replayAnswer(answer, request('openai.chat', true), { maxChunkChars: 7 }).body);
    const deltas = data.slice(0, -1).map((d) => JSON.parse(d).choices[0].delta);
    const pieces = deltas.flatMap((d) => [d.content, d.reasoning_content]).filter((p): p is string => !!p);
    expect(pieces.length).toBeGreaterThan(20);
    for (const p of pieces) {
      expect(p.length).toBeLessThanOrEqual(7);
      expect(wellFormed(p)).toBe(true);
    }
  });

  it('replays tool calls', () => {
    const withTools: CapturedAnswer = {
      content: '',
      finishReason: 'tool_calls',
      model: 'm',
      usage: { promptTokens: 1, completionTokens: 2 },
      storedAtMs: 1,
      toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
    };
    const r = replayAnswer(withTools, request('openai.chat', true, true));
    expect(recapture(r.body, 'text/event-stream')).toEqual(withTools);
    const json = replayAnswer(withTools, request('openai.chat', false));
    expect(JSON.parse(json.body.toString()).choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
    });
  });

  it('streams legacy completions as text_completion chunks', () => {
    const plain = { content: 'Once upon a time 🎉', finishReason: 'stop', model: 'm', storedAtMs: 1 };
    const r = replayAnswer(plain, request('openai.completions', true), { maxChunkChars: 4 });
    const chunks = events(r.body).slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.object === 'text_completion' && c.id.startsWith('cmpl-cache-'))).toBe(true);
    expect(recapture(r.body, 'text/event-stream')).toEqual(plain);
  });
});

describe('replayAnswer, one JSON body', () => {
  it('returns a chat.completion that round-trips through capture', () => {
    const r = replayAnswer(answer, request('openai.chat', false), { now });
    expect(r.headers).toEqual([['content-type', 'application/json']]);
    const body = JSON.parse(r.body.toString('utf8'));
    expect(body).toMatchObject({
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'qwen3-8b',
      choices: [{ index: 0, message: { role: 'assistant', content: answer.content, reasoning_content: answer.reasoning }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 20, completion_tokens: 30, total_tokens: 50 },
    });
    expect(body.id).toMatch(/^chatcmpl-cache-/);
    expect(recapture(r.body, 'application/json')).toEqual(answer);
  });

  it('returns a text_completion for legacy completions', () => {
    const r = replayAnswer(answer, request('openai.completions', false));
    const body = JSON.parse(r.body.toString('utf8'));
    expect(body).toMatchObject({ object: 'text_completion', choices: [{ index: 0, text: answer.content, finish_reason: 'stop' }] });
    expect(body.id).toMatch(/^cmpl-cache-/);
  });

  it('gives every replay a fresh id', () => {
    const id = () => JSON.parse(replayAnswer(answer, request('openai.chat', false)).body.toString()).id;
    expect(id()).not.toBe(id());
  });
});

describe('splitText', () => {
  it('never splits a surrogate pair and loses nothing', () => {
    const text = 'a🎉🎉b🎉';
    for (let max = 1; max <= 6; max++) {
      const pieces = splitText(text, max);
      expect(pieces.join('')).toBe(text);
      for (const p of pieces) {
        expect(wellFormed(p)).toBe(true);
        expect(p.length).toBeLessThanOrEqual(Math.max(max, 2));
      }
    }
    expect(splitText('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
    expect(splitText('', 4)).toEqual([]);
  });
});
