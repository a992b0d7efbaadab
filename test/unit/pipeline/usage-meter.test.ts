// The usage meter: tokens read from each protocol's own usage report, and the chat usage chunk that
// semroute asked for taken out of the stream whatever byte boundaries the chunks have.
import { describe, expect, it } from '@jest/globals';
import { UsageMeter } from '../../../src/pipeline/usage-meter.js';

const sse = (events: unknown[], eol = '\n') => events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}${eol}${eol}`).join('');
const chunk = (content: string) => ({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
const usageChunk = { id: 'c1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, prompt_tokens_details: { cached_tokens: 4 } } };
const chatStream = (eol = '\n') => sse([chunk('Hel'), chunk('lo é😀'), usageChunk, '[DONE]'], eol);

/** Feeds `text` cut at `cuts`; returns what the client receives. */
function feed(meter: UsageMeter, text: string, cuts: number[]): string {
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(meter.push(bytes.subarray(from, cut)) ?? bytes.subarray(from, cut));
    from = cut;
  }
  const tail = meter.end();
  if (tail) out.push(tail);
  return Buffer.concat(out).toString('utf8');
}

describe('UsageMeter', () => {
  it('removes the usage chunk it asked for, split at every byte boundary, and keeps its tokens', () => {
    for (const eol of ['\n', '\r\n']) {
      const text = chatStream(eol);
      const expected = sse([chunk('Hel'), chunk('lo é😀'), '[DONE]'], eol);
      for (let cut = 0; cut <= Buffer.byteLength(text); cut++) {
        const meter = new UsageMeter('openai.chat', true, true);
        expect(feed(meter, text, [cut])).toBe(expected);
        expect(meter.usage).toEqual({ input: 11, output: 7, cached: 4 });
      }
    }
  });

  it('passes a stream unchanged when the client asked for usage itself, and still reads it', () => {
    const text = chatStream();
    const meter = new UsageMeter('openai.chat', true, false);
    expect(feed(meter, text, [5, 40, 90])).toBe(text);
    expect(meter.usage).toEqual({ input: 11, output: 7, cached: 4 });
  });

  it('hands back an unterminated last event at the end rather than dropping it', () => {
    const meter = new UsageMeter('openai.chat', true, true);
    expect(feed(meter, 'data: {"partial":', [3])).toBe('data: {"partial":');
  });

  it('reads a chat JSON answer cut anywhere', () => {
    const body = JSON.stringify({ choices: [{ message: { content: 'x' } }], usage: { prompt_tokens: 3, completion_tokens: 2 } });
    const meter = new UsageMeter('openai.chat', false, false);
    expect(feed(meter, body, [1, 17])).toBe(body);
    expect(meter.usage).toEqual({ input: 3, output: 2, cached: 0 });
  });

  it('reads Anthropic usage from message_start and message_delta, and from a Message JSON', () => {
    const events = sse([
      { type: 'message_start', message: { id: 'msg_1', usage: { input_tokens: 20, output_tokens: 1, cache_read_input_tokens: 6 } } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } },
      { type: 'message_stop' },
    ]);
    const streamed = new UsageMeter('anthropic.messages', true, false);
    feed(streamed, events, [30]);
    expect(streamed.usage).toEqual({ input: 20, output: 9, cached: 6 });
    const json = new UsageMeter('anthropic.messages', false, false);
    feed(json, JSON.stringify({ type: 'message', usage: { input_tokens: 5, output_tokens: 8 } }), []);
    expect(json.usage).toEqual({ input: 5, output: 8, cached: 0 });
  });

  it('reads Responses usage from response.completed and from a Response JSON', () => {
    const usage = { input_tokens: 14, input_tokens_details: { cached_tokens: 2 }, output_tokens: 3, total_tokens: 17 };
    const events = sse([
      { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', usage: null } },
      { type: 'response.output_text.delta', sequence_number: 1, delta: 'hi' },
      { type: 'response.completed', sequence_number: 2, response: { id: 'resp_1', usage } },
    ]);
    const streamed = new UsageMeter('openai.responses', true, false);
    feed(streamed, events, [50]);
    expect(streamed.usage).toEqual({ input: 14, output: 3, cached: 2 });
    const json = new UsageMeter('openai.responses', false, false);
    feed(json, JSON.stringify({ object: 'response', usage }), []);
    expect(json.usage).toEqual({ input: 14, output: 3, cached: 2 });
  });

  it('counts nothing from a body that is not JSON', () => {
    const meter = new UsageMeter('openai.chat', false, false);
    feed(meter, '<html>bad gateway</html>', []);
    expect(meter.usage).toBeUndefined();
  });
});
