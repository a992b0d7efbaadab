import { describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { SseParser } from '../../../../src/protocol/sse.js';
import { responsesTranslator } from '../../../../src/protocol/translate/responses.js';
import { createResponsesStream } from '../../../../src/protocol/translate/responses-stream.js';
import {
  ALL_FIXTURES,
  BROKEN_JSON,
  CUT_OFF,
  INTERLEAVED_TOOLS,
  LENGTH,
  NO_DONE_AFTER_FINISH,
  PLAIN_TEXT,
  REASONING_FIELD,
  REASONING_THEN_TEXT,
  SEQUENTIAL_TOOLS,
  UPSTREAM_ERROR,
  fixedContext,
  stream,
} from './fixtures/responses-streams.js';

const REQUEST = { model: 'qwen3-8b', input: 'hi', stream: true };

function translate(chunks: Buffer[], request: Record<string, unknown> = REQUEST) {
  const t = responsesTranslator.responseStream(fixedContext(request));
  const out = [...chunks.map((c) => t.push(c)), t.end()];
  return { bytes: Buffer.concat(out), translator: t };
}

function events(bytes: Buffer): Array<{ event: string | undefined; data: any }> {
  const parser = new SseParser();
  return parser.push(bytes).map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
}

function types(bytes: Buffer): string[] {
  return events(bytes).map((e) => e.data.type);
}

function client(bytes: Buffer): OpenAI {
  return new OpenAI({
    apiKey: 'x',
    baseURL: 'http://test.invalid/v1',
    maxRetries: 0,
    fetch: () => Promise.resolve(new Response(new Uint8Array(bytes), { headers: { 'content-type': 'text/event-stream' } })),
  });
}

const MESSAGE_EVENTS = [
  'response.output_item.added',
  'response.content_part.added',
  'response.output_text.delta',
];

describe('responses stream: event shapes', () => {
  it('translates plain text into the message events, in order, numbered, with usage', () => {
    const { bytes, translator } = translate([PLAIN_TEXT]);
    const all = events(bytes);
    expect(all.map((e) => e.data.type)).toEqual([
      'response.created',
      'response.in_progress',
      ...MESSAGE_EVENTS,
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    all.forEach((e, i) => {
      expect(e.event).toBe(e.data.type);
      expect(e.data.sequence_number).toBe(i);
    });
    expect(all[0]!.data.response).toMatchObject({ id: 'resp_1', status: 'in_progress', output: [], usage: null });
    expect(all[2]!.data).toMatchObject({
      output_index: 0,
      item: { type: 'message', id: 'msg_1', status: 'in_progress', role: 'assistant', content: [] },
    });
    expect(all[3]!.data).toMatchObject({ item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } });
    expect(all.slice(4, 7).map((e) => e.data.delta)).toEqual(['Hello', ', wörld', ' 日本 🎉!']);
    expect(all[7]!.data).toMatchObject({ text: 'Hello, wörld 日本 🎉!', item_id: 'msg_1' });
    const completed = all.at(-1)!.data.response;
    expect(completed).toMatchObject({
      id: 'resp_1',
      object: 'response',
      created_at: 1_750_000_000,
      status: 'completed',
      model: 'qwen3-8b',
      output: [{ type: 'message', id: 'msg_1', status: 'completed', content: [{ type: 'output_text', text: 'Hello, wörld 日本 🎉!' }] }],
      usage: { input_tokens: 12, input_tokens_details: { cached_tokens: 8 }, output_tokens: 5, total_tokens: 17 },
    });
    expect(translator.completed).toEqual(completed);
    expect(translator.usage).toEqual({ prompt_tokens: 12, total_tokens: 17, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 8 } });
  });

  it('puts reasoning in its own item before the message', () => {
    const all = events(translate([REASONING_THEN_TEXT]).bytes);
    expect(all.map((e) => e.data.type).slice(2, 9)).toEqual([
      'response.output_item.added',
      'response.content_part.added',
      'response.reasoning_text.delta',
      'response.reasoning_text.delta',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
    ]);
    expect(all[2]!.data.item).toEqual({ type: 'reasoning', id: 'rs_1', summary: [], content: [] });
    expect(all[3]!.data.part).toEqual({ type: 'reasoning_text', text: '' });
    expect(all[6]!.data).toMatchObject({ item_id: 'rs_1', text: 'The user greets me.' });
    const output = all.at(-1)!.data.response.output;
    expect(output.map((o: any) => o.type)).toEqual(['reasoning', 'message']);
    expect(output[0].content).toEqual([{ type: 'reasoning_text', text: 'The user greets me.' }]);
    expect(output[1]).toMatchObject({ id: 'msg_1', content: [{ text: 'Hi there.' }] });
    expect(all.find((e) => e.data.type === 'response.output_text.delta')!.data.output_index).toBe(1);
  });

  it('reads the newer `reasoning` delta field too', () => {
    const output = events(translate([REASONING_FIELD]).bytes).at(-1)!.data.response.output;
    expect(output.map((o: any) => o.content[0].text)).toEqual(['Think.', 'Done.']);
  });

  it('streams the first of interleaved tool calls live and sends a later one whole when its turn comes', () => {
    const all = events(translate([INTERLEAVED_TOOLS]).bytes);
    const calls = all.filter((e) => e.data.type.includes('function_call') || e.data.item?.type === 'function_call');
    expect(calls.map((e) => [e.data.type, e.data.output_index])).toEqual([
      ['response.output_item.added', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.done', 1],
      ['response.output_item.done', 1],
      ['response.output_item.added', 2],
      ['response.function_call_arguments.delta', 2],
      ['response.function_call_arguments.done', 2],
      ['response.output_item.done', 2],
    ]);
    expect(calls[0]!.data.item).toEqual({
      type: 'function_call', id: 'fc_1', call_id: 'chatcmpl-tool-aa1', name: 'get_weather', arguments: '', status: 'in_progress',
    });
    expect(calls[6]!.data).toMatchObject({ item_id: 'fc_2', delta: '{"tz": "CET"}' });
    expect(calls[3]!.data).toMatchObject({ name: 'get_weather', arguments: '{"city": "Paris"}' });
    expect(all.at(-1)!.data.response.output).toEqual([
      { type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Checking both.', annotations: [], logprobs: [] }] },
      { type: 'function_call', id: 'fc_1', call_id: 'chatcmpl-tool-aa1', name: 'get_weather', arguments: '{"city": "Paris"}', status: 'completed' },
      { type: 'function_call', id: 'fc_2', call_id: 'chatcmpl-tool-bb2', name: 'get_time', arguments: '{"tz": "CET"}', status: 'completed' },
    ]);
    // The message closed when the first call began.
    const messageDone = all.findIndex((e) => e.data.type === 'response.output_item.done');
    expect(all[messageDone + 1]!.data).toMatchObject({ type: 'response.output_item.added', item: { type: 'function_call' } });
  });

  it('buffers a tool call whose name has not arrived yet', () => {
    const head = '"object":"chat.completion.chunk","choices":[{"index":0,"delta":';
    const input = stream(
      `data: {${head}{"tool_calls":[{"index":0,"id":"c1","function":{"arguments":"{\\"a\\""}}]}}]}\n\n`,
      `data: {${head}{"tool_calls":[{"index":0,"function":{"name":"f","arguments":":1}"}}]}}]}\n\n`,
      `data: {${head}{},"finish_reason":"tool_calls"}]}\n\n`,
      'data: [DONE]\n\n',
    );
    const all = events(translate([input]).bytes);
    expect(all[2]!.data.item).toMatchObject({ type: 'function_call', name: 'f', call_id: 'c1' });
    expect(all[3]!.data.delta).toBe('{"a":1}');
    expect(all.at(-1)!.data.response.output[0].arguments).toBe('{"a":1}');
  });

  it('ends a length-truncated answer with response.incomplete', () => {
    const { bytes, translator } = translate([LENGTH]);
    const last = events(bytes).at(-1)!.data;
    expect(last.type).toBe('response.incomplete');
    expect(last.response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [{ type: 'message', status: 'incomplete', content: [{ text: 'Once upon a time' }] }],
    });
    expect(translator.completed).toEqual(last.response);
  });

  it('echoes the request fields in every response object', () => {
    const request = { ...REQUEST, instructions: 'Be brief.', temperature: 0.2, store: false, metadata: { a: 'b' } };
    const all = events(translate([PLAIN_TEXT], request).bytes);
    for (const e of [all[0]!, all[1]!, all.at(-1)!]) {
      expect(e.data.response).toMatchObject({ instructions: 'Be brief.', temperature: 0.2, store: false, metadata: { a: 'b' }, tools: [], tool_choice: 'auto' });
    }
  });
});

describe('responses stream: chunking', () => {
  it.each(Object.entries(ALL_FIXTURES))('%s split at every byte boundary gives the same bytes', (_name, input) => {
    const whole = translate([input]).bytes;
    for (let cut = 0; cut <= input.length; cut++) {
      const split = translate([input.subarray(0, cut), input.subarray(cut)]).bytes;
      if (!split.equals(whole)) throw new Error(`output differs when cut at byte ${cut}`);
    }
    const bytewise = translate([...input].map((b) => Buffer.from([b]))).bytes;
    expect(bytewise.equals(whole)).toBe(true);
  });

  it('reassembles a multi-byte character split across chunks', () => {
    const at = PLAIN_TEXT.indexOf(Buffer.from('🎉')) + 2; // inside the 4-byte emoji
    const { bytes } = translate([PLAIN_TEXT.subarray(0, at), PLAIN_TEXT.subarray(at)]);
    const deltas = events(bytes).filter((e) => e.data.type === 'response.output_text.delta');
    expect(deltas.map((e) => e.data.delta).join('')).toBe('Hello, wörld 日本 🎉!');
    expect(bytes.toString('utf8')).not.toContain('\uFFFD');
  });
});

describe('responses stream: error endings', () => {
  function expectErrorEnding(bytes: Buffer, message: RegExp): any {
    const all = events(bytes);
    const [error, failed] = all.slice(-2).map((e) => e.data);
    expect(error).toMatchObject({ type: 'error', code: 'server_error', param: null });
    expect(error.message).toMatch(message);
    expect(failed.type).toBe('response.failed');
    expect(failed.response).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
    expect(failed.response.error.message).toBe(error.message);
    all.forEach((e, i) => expect(e.data.sequence_number).toBe(i));
    return failed.response;
  }

  it('turns an upstream error chunk into error + response.failed and ignores the rest', () => {
    const t = responsesTranslator.responseStream(fixedContext(REQUEST));
    const bytes = t.push(UPSTREAM_ERROR);
    const response = expectErrorEnding(bytes, /CUDA out of memory/);
    expect(response.output).toEqual([
      { type: 'message', id: 'msg_1', status: 'incomplete', role: 'assistant', content: [{ type: 'output_text', text: 'Partial', annotations: [], logprobs: [] }] },
    ]);
    expect(t.push(Buffer.from('data: {"choices":[]}\n\n')).length).toBe(0);
    expect(t.end().length).toBe(0);
    expect(t.completed).toBeUndefined();
  });

  it('fails a stream that ends without finish_reason or [DONE]', () => {
    const { bytes, translator } = translate([CUT_OFF]);
    expectErrorEnding(bytes, /ended the stream/);
    expect(translator.completed).toBeUndefined();
  });

  it('completes a stream that has its finish_reason but no [DONE]', () => {
    const { bytes, translator } = translate([NO_DONE_AFTER_FINISH]);
    expect(types(bytes).at(-1)).toBe('response.completed');
    expect(translator.completed).toMatchObject({ status: 'completed', usage: null });
  });

  it('fails on broken JSON', () => {
    expectErrorEnding(translate([BROKEN_JSON]).bytes, /invalid stream event/);
  });

  it('fails on an event over the size bound', () => {
    const t = createResponsesStream(fixedContext(REQUEST), { maxEventBytes: 64 });
    const big = `data: {"choices":[{"index":0,"delta":{"content":"${'x'.repeat(100)}"}}]}\n\n`;
    const bytes = Buffer.concat([t.push(Buffer.from(big)), t.end()]);
    expectErrorEnding(bytes, /exceeds 64 bytes/);
  });

  it('fails on an event over the default 1 MiB bound, never buffering without limit', () => {
    const t = responsesTranslator.responseStream(fixedContext(REQUEST));
    const piece = Buffer.from('x'.repeat(64 * 1024));
    const out = [t.push(Buffer.from('data: {"choices":[{"delta":{"content":"'))];
    for (let i = 0; i < 20; i++) out.push(t.push(piece));
    out.push(t.end());
    expectErrorEnding(Buffer.concat(out), /exceeds 1048576 bytes/);
  });

  it('fails when a closed tool call gets more arguments', () => {
    const head = '"choices":[{"index":0,"delta":';
    const input = stream(
      `data: {${head}{"tool_calls":[{"index":0,"id":"c1","function":{"name":"f","arguments":"{"}}]}}]}\n\n`,
      `data: {${head}{"content":"text in between"}}]}\n\n`,
      `data: {${head}{"tool_calls":[{"index":0,"function":{"arguments":"}"}}]}}]}\n\n`,
    );
    const response = expectErrorEnding(translate([input]).bytes, /after the call was closed/);
    expect(response.output.map((o: any) => o.type)).toEqual(['function_call', 'message']);
  });
});

describe('responses stream: the official openai SDK', () => {
  it('iterates client.responses.create({stream: true}) to response.completed', async () => {
    const events: string[] = [];
    const s = await client(translate([PLAIN_TEXT]).bytes).responses.create({ model: 'qwen3-8b', input: 'hi', stream: true });
    for await (const e of s) events.push(e.type);
    expect(events[0]).toBe('response.created');
    expect(events.at(-1)).toBe('response.completed');
  });

  it('gives output_text and usage from responses.stream().finalResponse()', async () => {
    const runner = client(translate([PLAIN_TEXT]).bytes).responses.stream({ model: 'qwen3-8b', input: 'hi' });
    const deltas: string[] = [];
    runner.on('response.output_text.delta', (e) => deltas.push(e.snapshot));
    const final = await runner.finalResponse();
    expect(final.output_text).toBe('Hello, wörld 日本 🎉!');
    expect(deltas.at(-1)).toBe('Hello, wörld 日本 🎉!');
    expect(final.usage).toMatchObject({ input_tokens: 12, output_tokens: 5, total_tokens: 17 });
  });

  it('accumulates reasoning and text through the stream helper', async () => {
    const final = await client(translate([REASONING_THEN_TEXT]).bytes).responses.stream({ model: 'm', input: 'hi' }).finalResponse();
    expect(final.output_text).toBe('Hi there.');
    const reasoning = final.output[0];
    expect(reasoning?.type === 'reasoning' && reasoning.content?.[0]?.text).toBe('The user greets me.');
  });

  it.each([
    ['interleaved', INTERLEAVED_TOOLS, [['get_weather', '{"city": "Paris"}'], ['get_time', '{"tz": "CET"}']]],
    ['sequential', SEQUENTIAL_TOOLS, [['a', '{}'], ['b', '{"x":1}']]],
  ])('gives the %s function calls from the stream helper', async (_name, input, expected) => {
    const runner = client(translate([input]).bytes).responses.stream({ model: 'm', input: 'hi' });
    const snapshots: string[] = [];
    runner.on('response.function_call_arguments.delta', (e) => snapshots.push(e.snapshot));
    const final = await runner.finalResponse();
    const calls = final.output.flatMap((o) => (o.type === 'function_call' ? [[o.name, o.arguments]] : []));
    expect(calls).toEqual(expected);
    expect(snapshots.length).toBeGreaterThan(0);
  });

  it('parses strict tools arguments in the final response', async () => {
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: {}, strict: true }];
    const bytes = translate([INTERLEAVED_TOOLS], { ...REQUEST, tools }).bytes;
    const final = await client(bytes).responses.stream({ model: 'm', input: 'hi', tools }).finalResponse();
    const call = final.output.find((o) => o.type === 'function_call');
    expect(call?.type === 'function_call' && call.parsed_arguments).toEqual({ city: 'Paris' });
  });

  it('gives an incomplete final response for a length stop', async () => {
    const final = await client(translate([LENGTH]).bytes).responses.stream({ model: 'm', input: 'hi' }).finalResponse();
    expect(final.status).toBe('incomplete');
    expect(final.incomplete_details?.reason).toBe('max_output_tokens');
    expect(final.output_text).toBe('Once upon a time');
  });

  it.each([
    ['an upstream error chunk', UPSTREAM_ERROR],
    ['a cut-off stream', CUT_OFF],
  ])('makes the stream helper throw on %s, and raw iteration end', async (_name, input) => {
    const bytes = translate([input]).bytes;
    await expect(client(bytes).responses.stream({ model: 'm', input: 'hi' }).finalResponse()).rejects.toMatchObject({
      type: 'error',
      code: 'server_error',
    });
    const seen: string[] = [];
    const s = await client(bytes).responses.create({ model: 'm', input: 'hi', stream: true });
    for await (const e of s) seen.push(e.type);
    expect(seen.slice(-2)).toEqual(['error', 'response.failed']);
  });
});
