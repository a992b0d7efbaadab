import { describe, expect, it } from '@jest/globals';
import { APIError } from '@anthropic-ai/sdk';
import { anthropicTranslator } from '../../../../src/protocol/translate/anthropic.js';
import { anthropicStream } from '../../../../src/protocol/translate/anthropic-stream.js';
import type { StreamTranslator } from '../../../../src/protocol/translate/types.js';
import { SDK_PARAMS, sdkAnswering, testContext } from './fixtures/anthropic-sdk.js';
import * as fx from './fixtures/vllm-chat-streams.js';

interface Ev {
  event: string;
  data: any;
}

function translator(maxEventBytes?: number): StreamTranslator {
  return maxEventBytes === undefined ? anthropicTranslator.responseStream(testContext()) : anthropicStream(testContext(), { maxEventBytes });
}

/** Feeds `input` in the given pieces; returns each push's output and end()'s, in order. */
function feed(input: string | Buffer, cuts: number[] = [], t = translator()): { parts: Buffer[]; t: StreamTranslator } {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, buf.length]) {
    parts.push(t.push(buf.subarray(from, cut)));
    from = cut;
  }
  parts.push(t.end());
  return { parts, t };
}

function whole(input: string | Buffer, t?: StreamTranslator): Buffer {
  return Buffer.concat(feed(input, [], t).parts);
}

function events(out: Buffer): Ev[] {
  const text = out.toString('utf8');
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((raw) => {
      const m = /^event: (.+)\ndata: (.+)$/.exec(raw);
      if (!m) throw new Error(`not an event: ${raw}`);
      const data = JSON.parse(m[2]!);
      expect(data.type).toBe(m[1]);
      return { event: m[1]!, data };
    });
}

function sequence(out: Buffer): string[] {
  return events(out).map((e) => {
    const d = e.data;
    if (e.event === 'content_block_start') return `start ${d.index} ${d.content_block.type}`;
    if (e.event === 'content_block_delta') return `delta ${d.index} ${d.delta.type}`;
    if (e.event === 'content_block_stop') return `stop ${d.index}`;
    return e.event;
  });
}

/** The SDK's final message, less `parsed_output` (its structured-output helper adds it). */
async function sdkFinal(parts: Buffer[]): Promise<any> {
  const msg: any = { ...(await sdkAnswering(parts).messages.stream(SDK_PARAMS).finalMessage()) };
  delete msg.parsed_output;
  return msg;
}

describe('anthropic stream: plain text', () => {
  it('writes exactly the events Anthropic streams', () => {
    const out = whole(fx.PLAIN_TEXT).toString('utf8');
    const start = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } };
    expect(out).toBe(
      [
        `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: start })}\n\n`,
        'event: ping\ndata: {"type":"ping"}\n\n',
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", wörld"}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" 😀!"}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":11,"output_tokens":4}}\n\n',
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
      ].join(''),
    );
  });

  it('streams as it goes: message_start on the first chunk, the end at [DONE]', () => {
    const t = translator();
    const first = fx.PLAIN_TEXT.indexOf('\n\n') + 2;
    expect(sequence(t.push(Buffer.from(fx.PLAIN_TEXT.slice(0, first))))).toEqual(['message_start', 'ping']);
    expect(sequence(t.push(Buffer.from(fx.PLAIN_TEXT.slice(first)))).at(-1)).toBe('message_stop');
    expect(t.end().length).toBe(0);
    expect(t.push(Buffer.from(fx.streamChunk({ content: 'late' }))).length).toBe(0);
    expect(t.end().length).toBe(0);
  });

  it('exposes usage and the completed message, which the SDK agrees with', async () => {
    const { parts, t } = feed(fx.PLAIN_TEXT);
    expect(t.usage).toEqual({ prompt_tokens: 11, total_tokens: 15, completion_tokens: 4 });
    expect(t.completed).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Hello, wörld 😀!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 11, output_tokens: 4 },
    });
    const msg = await sdkFinal(parts);
    expect(msg).toEqual(t.completed);
    const text = await sdkAnswering(feed(fx.PLAIN_TEXT).parts).messages.stream(SDK_PARAMS).finalText();
    expect(text).toBe('Hello, wörld 😀!');
  });

  it('a length cut ends with max_tokens', async () => {
    const msg = await sdkFinal(feed(fx.MAX_TOKENS).parts);
    expect(msg.stop_reason).toBe('max_tokens');
    expect(msg.content).toEqual([{ type: 'text', text: 'Once upon a time' }]);
  });

  it('the finish chunk and usage without [DONE] still end cleanly', async () => {
    const { parts, t } = feed(fx.NO_DONE);
    expect(sequence(parts.at(-1)!)).toEqual(['stop 0', 'message_delta', 'message_stop']);
    expect((await sdkFinal(parts)).usage).toEqual({ input_tokens: 3, output_tokens: 3 });
    expect(t.completed).toBeDefined();
  });
});

describe('anthropic stream: thinking', () => {
  it('a thinking block, then a text block, with cache reads in usage', async () => {
    const { parts, t } = feed(fx.THINKING_THEN_TEXT);
    expect(sequence(Buffer.concat(parts))).toEqual([
      'message_start', 'ping',
      'start 0 thinking', 'delta 0 thinking_delta', 'delta 0 thinking_delta', 'delta 0 thinking_delta', 'stop 0',
      'start 1 text', 'delta 1 text_delta', 'delta 1 text_delta', 'stop 1',
      'message_delta', 'message_stop',
    ]);
    const msg = await sdkFinal(parts);
    expect(msg.content).toEqual([
      { type: 'thinking', thinking: 'The user wants 2+2. Easy.', signature: '' },
      { type: 'text', text: '2 + 2 = 4.' },
    ]);
    expect(msg.usage).toEqual({ input_tokens: 4, output_tokens: 15, cache_read_input_tokens: 16 });
    expect(msg).toEqual(t.completed);
  });
});

describe('anthropic stream: tool calls', () => {
  it('interleaved tool calls: the first streams live, the other is sent whole after it', async () => {
    const { parts, t } = feed(fx.INTERLEAVED_TOOLS);
    expect(sequence(Buffer.concat(parts))).toEqual([
      'message_start', 'ping',
      'start 0 text', 'delta 0 text_delta', 'stop 0',
      'start 1 tool_use', 'delta 1 input_json_delta', 'delta 1 input_json_delta', 'delta 1 input_json_delta', 'stop 1',
      'start 2 tool_use', 'delta 2 input_json_delta', 'stop 2',
      'message_delta', 'message_stop',
    ]);
    const msg = await sdkFinal(parts);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content).toEqual([
      { type: 'text', text: 'Checking both cities.' },
      { type: 'tool_use', id: 'chatcmpl-tool-aaa111', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } },
      { type: 'tool_use', id: 'chatcmpl-tool-bbb222', name: 'get_time', input: { tz: 'Europe/Paris' } },
    ]);
    expect(msg.usage).toEqual({ input_tokens: 120, output_tokens: 42 });
    expect(msg).toEqual(t.completed);
  });

  it('sequential tool calls give the same blocks', async () => {
    const msg = await sdkFinal(feed(fx.SEQUENTIAL_TOOLS).parts);
    expect(msg.content).toEqual([
      { type: 'tool_use', id: 'chatcmpl-tool-ccc333', name: 'read_file', input: { path: '/etc/hosts' } },
      { type: 'tool_use', id: 'chatcmpl-tool-ddd444', name: 'list_dir', input: { path: '/etc' } },
    ]);
  });

  it('a call without id gets one; arguments before its name wait; text after a tool call comes after it', async () => {
    const input = [
      fx.streamChunk({ content: 'a' }),
      fx.streamChunk({ tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] }),
      fx.streamChunk({ content: 'b' }),
      fx.streamChunk({ tool_calls: [{ index: 0, type: 'function', function: { name: 'f', arguments: '1}' } }] }),
      fx.streamChunk({ content: '\n' }),
      fx.streamChunk({ reasoning_content: 'hm' }),
      fx.streamChunk({}, 'tool_calls'),
      'data: [DONE]\n\n',
    ].join('');
    const { parts, t } = feed(input);
    expect(sequence(Buffer.concat(parts))).toEqual([
      'message_start', 'ping',
      'start 0 text', 'delta 0 text_delta', 'delta 0 text_delta', 'stop 0',
      'start 1 tool_use', 'delta 1 input_json_delta', 'stop 1',
      'start 2 text', 'delta 2 text_delta', 'stop 2',
      'start 3 thinking', 'delta 3 thinking_delta', 'stop 3',
      'message_delta', 'message_stop',
    ]);
    const msg = await sdkFinal(parts);
    expect(msg.content[1]).toEqual({ type: 'tool_use', id: 'toolu_2', name: 'f', input: { x: 1 } });
    expect(msg.usage).toEqual({ input_tokens: 0, output_tokens: 0 });
    expect(msg).toEqual(t.completed);
  });

  it('a tool call whose arguments are not a JSON object completes with input {}', () => {
    const input = [
      fx.streamChunk({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '[1]' } }] }),
      fx.streamChunk({}, 'tool_calls'),
      'data: [DONE]\n\n',
    ].join('');
    const { t } = feed(input);
    expect((t.completed as any).content).toEqual([{ type: 'tool_use', id: 'c1', name: 'f', input: {} }]);
  });
});

describe('anthropic stream: bytes cut anywhere', () => {
  for (const [name, input] of Object.entries(fx.ALL_STREAMS)) {
    it(`${name}: every split point gives the bytes of the whole`, () => {
      const buf = Buffer.from(input, 'utf8');
      const expected = whole(buf);
      for (let cut = 0; cut <= buf.length; cut++) {
        const got = Buffer.concat(feed(buf, [cut]).parts);
        if (!got.equals(expected)) throw new Error(`${name}: split at byte ${cut} differs`);
      }
    });
  }

  it('one byte at a time gives the bytes of the whole', () => {
    const buf = Buffer.from(fx.THINKING_THEN_TEXT, 'utf8');
    const cuts = Array.from({ length: buf.length - 1 }, (_, i) => i + 1);
    expect(Buffer.concat(feed(buf, cuts).parts).equals(whole(buf))).toBe(true);
  });

  it('a multi-byte character cut between chunks comes out whole', async () => {
    const buf = Buffer.from(fx.PLAIN_TEXT, 'utf8');
    const emoji = buf.indexOf(Buffer.from('😀', 'utf8'));
    const e = buf.indexOf(Buffer.from('ö', 'utf8'));
    const { parts } = feed(buf, [e + 1, emoji + 1, emoji + 2, emoji + 3]);
    const texts = events(Buffer.concat(parts)).filter((ev) => ev.event === 'content_block_delta').map((ev) => ev.data.delta.text);
    expect(texts).toEqual(['Hello', ', wörld', ' 😀!']);
    expect(Buffer.concat(parts).toString('utf8')).not.toContain('\uFFFD');
    expect((await sdkFinal(parts)).content[0].text).toBe('Hello, wörld 😀!');
  });
});

describe('anthropic stream: failures end with an error event', () => {
  async function sdkThrows(parts: Buffer[]): Promise<APIError> {
    const caught = await sdkAnswering(parts).messages.stream(SDK_PARAMS).finalMessage().catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(APIError);
    return caught as APIError;
  }

  it('an upstream error chunk mid-stream: the open block closes, then the error, nothing after', async () => {
    const { parts, t } = feed(fx.ERROR_MID_STREAM);
    const out = Buffer.concat(parts);
    expect(sequence(out)).toEqual(['message_start', 'ping', 'start 0 text', 'delta 0 text_delta', 'stop 0', 'error']);
    expect(events(out).at(-1)!.data).toEqual({ type: 'error', error: { type: 'api_error', message: 'EngineCore encountered an issue.' } });
    expect(t.completed).toBeUndefined();
    expect(parts.at(-1)!.length).toBe(0);
    const err = await sdkThrows(parts);
    expect(err.type).toBe('api_error');
    expect(err.message).toMatch(/EngineCore encountered an issue/);
  });

  it('an overloaded engine is an overloaded_error; the older flat error shape is read too', () => {
    const overloaded = `data: ${JSON.stringify({ error: { message: 'queue full', type: 'ServiceUnavailableError', code: 503 } })}\n\n`;
    expect(events(whole(overloaded))).toEqual([{ event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'queue full' } } }]);
    const flat = `data: ${JSON.stringify({ object: 'error', message: 'boom', type: 'InternalServerError', code: 500 })}\n\n`;
    expect(events(whole(flat)).at(-1)!.data.error).toEqual({ type: 'api_error', message: 'boom' });
  });

  it('input ending without [DONE] or a finish_reason', async () => {
    const { parts, t } = feed(fx.CUT_OFF);
    const out = Buffer.concat(parts);
    expect(sequence(parts.at(-1)!)).toEqual(['stop 0', 'error']);
    expect(events(out).at(-1)!.data.error.message).toMatch(/ended before the answer was complete/);
    expect(t.completed).toBeUndefined();
    expect(t.usage).toBeUndefined();
    await sdkThrows(parts);
  });

  it('an empty upstream body', async () => {
    const { parts } = feed('');
    expect(sequence(Buffer.concat(parts))).toEqual(['error']);
    await sdkThrows(parts);
  });

  it('a chunk that is not JSON', async () => {
    const input = fx.streamChunk({ content: 'ok' }) + 'data: {"choices":[{"delta":\n\n' + fx.streamChunk({ content: 'never' });
    const { parts } = feed(input);
    const evs = events(Buffer.concat(parts));
    expect(evs.map((e) => e.event).slice(-2)).toEqual(['content_block_stop', 'error']);
    expect(evs.at(-1)!.data.error).toEqual({ type: 'api_error', message: 'the backend sent a malformed stream chunk' });
    expect(Buffer.concat(parts).toString()).not.toContain('never');
    await sdkThrows(parts);
  });

  it('an event over the size limit (option, and the 1 MiB default)', async () => {
    const big = fx.streamChunk({ content: 'x'.repeat(300) });
    const { parts, t } = feed(fx.streamChunk({ content: 'a' }) + big + fx.PLAIN_TEXT, [], translator(256));
    const evs = events(Buffer.concat(parts));
    expect(evs.map((e) => e.event)).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_stop', 'error']);
    expect(evs.at(-1)!.data.error.message).toMatch(/exceeds 256 bytes/);
    expect(t.completed).toBeUndefined();
    await sdkThrows(parts);

    const huge = Buffer.from(fx.streamChunk({ content: 'y'.repeat(1024 * 1024) }));
    const d = feed(huge, [1000, 600_000]);
    expect(sequence(Buffer.concat(d.parts))).toEqual(['error']);
    expect(d.parts.at(-1)!.length).toBe(0);
  });
});
