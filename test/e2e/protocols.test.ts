// The official openai and @anthropic-ai/sdk clients, unmodified, through the local gateway to
// semroute and fake vLLM upstreams: "large" serves all four APIs natively, "small" only chat and
// completions, so the same client call takes the native path to one and the translated path to
// the other. Each case checks the routed model, what the upstream received and what the SDK parsed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { RecordedRequest } from '../../src/dev/fake-upstream.js';
import { startE2EStack, type E2EStack } from '../helpers/dev-stack.js';
import { until } from '../helpers/until.js';

const ALL_APIS = ['chat', 'completions', 'responses', 'messages'] as const;
/** The coding decision routes to large (native), anything else to small (translated). */
const NATIVE_PROMPT = 'Why does my python function crash?';
const TRANSLATED_PROMPT = 'Tell me about giraffes';

let stack: E2EStack;
let anthropic: Anthropic;
let openai: OpenAI;
beforeAll(async () => {
  stack = await startE2EStack(
    (doc) => {
      doc.models[1].api = [...ALL_APIS];
      doc.models[0].reasoning_family = 'qwen3';
    },
    undefined,
    { large: [...ALL_APIS] },
  );
  anthropic = new Anthropic({ apiKey: 'test', baseURL: stack.url, maxRetries: 0 });
  openai = new OpenAI({ apiKey: 'test', baseURL: `${stack.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => {
  stack.small.requests.length = 0;
  stack.large.requests.length = 0;
});

const lastBody = (reqs: RecordedRequest[]) => JSON.parse(reqs.at(-1)!.body) as Record<string, any>;

const paths = [
  ['native', NATIVE_PROMPT, 'large', 'org/large-235b'],
  ['translated', TRANSLATED_PROMPT, 'small', 'org/small-8b'],
] as const;

describe('Anthropic Messages with @anthropic-ai/sdk', () => {
  it.each(paths)('messages.create (%s)', async (kind, prompt, model, served) => {
    const { data, response } = await anthropic.messages
      .create({ model: 'auto', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: prompt }] })
      .withResponse();
    expect(response.headers.get('x-semroute-model')).toBe(model);
    const text = data.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(text).toBe(`[${model}] ${served}: ${prompt}`);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    const upstream = stack[model].requests.at(-1)!;
    if (kind === 'native') {
      expect(upstream.path).toBe('/v1/messages');
      expect(lastBody(stack[model].requests)).toMatchObject({ model: served, system: 'Be brief.', max_tokens: 64 });
    } else {
      expect(upstream.path).toBe('/v1/chat/completions');
      expect(lastBody(stack[model].requests)).toMatchObject({
        model: served,
        max_tokens: 64,
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: prompt }],
      });
    }
  });

  it.each(paths)('messages.stream() and its final message (%s)', async (kind, prompt, model, served) => {
    const stream = anthropic.messages.stream({ model: 'auto', max_tokens: 64, messages: [{ role: 'user', content: prompt }] });
    const deltas: string[] = [];
    stream.on('text', (t) => deltas.push(t));
    const final = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(`[${model}] ${served}: ${prompt}`);
    expect(final.content).toEqual([{ type: 'text', text: deltas.join(''), ...(final.content[0] as any).citations !== undefined ? { citations: null } : {} }]);
    expect(final.stop_reason).toBe('end_turn');
    if (kind === 'translated') expect(lastBody(stack.small.requests)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    else expect(stack.large.requests.at(-1)!.path).toBe('/v1/messages');
  });

  it.each(paths)('a tool_use -> tool_result loop (%s)', async (_kind, prompt, model, served) => {
    const tools: Anthropic.Tool[] = [{ name: 'lookup', description: 'Look a thing up', input_schema: { type: 'object', properties: { query: { type: 'string' } } } }];
    const first = await anthropic.messages.create({ model: 'auto', max_tokens: 64, tools, messages: [{ role: 'user', content: prompt }] });
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
    expect(call.name).toBe('lookup');
    expect(call.input).toEqual({ query: prompt });
    const second = await anthropic.messages
      .create({
        model: 'auto',
        max_tokens: 64,
        tools,
        messages: [
          { role: 'user', content: prompt },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'forty-two' }] },
        ],
      })
      .withResponse();
    // The tool loop stays on the model that made the call (the tool result has no routing text of its own).
    expect(second.response.headers.get('x-semroute-model')).toBe(model);
    expect(second.data.content).toEqual([expect.objectContaining({ type: 'text', text: `[${model}] ${served}: tool said: forty-two` })]);
  });

  it.each(paths)('thinking enabled (%s)', async (kind, prompt, model, _served) => {
    const msg = await anthropic.messages.create({
      model: 'auto',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: prompt }],
    });
    const thinking = msg.content.find((b): b is Anthropic.ThinkingBlock => b.type === 'thinking');
    expect(thinking?.thinking).toBe(`thinking about: ${prompt}`);
    // Translated: the client's thinking becomes the model's own switch (qwen3: enable_thinking).
    if (kind === 'translated') expect(lastBody(stack[model].requests).chat_template_kwargs).toEqual({ enable_thinking: true });
    else expect(lastBody(stack[model].requests).thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
  });

  it('messages.countTokens is answered by semroute, never by a GPU', async () => {
    const counted = await anthropic.messages.countTokens({ model: 'auto', messages: [{ role: 'user', content: TRANSLATED_PROMPT }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(stack.small.requests.length + stack.large.requests.length).toBe(0);
  });

  it('models.list in Anthropic shape', async () => {
    const ids: string[] = [];
    for await (const m of anthropic.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['auto', 'small', 'large']));
  });

  it('a request without max_tokens gets an Anthropic error and never reaches a GPU', async () => {
    const err = await anthropic.messages.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] } as any).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).error).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') } });
    expect(stack.small.requests.length + stack.large.requests.length).toBe(0);
  });
});

describe('OpenAI Responses with openai', () => {
  it.each(paths)('responses.create (%s)', async (kind, prompt, model, served) => {
    const { data, response } = await openai.responses.create({ model: 'auto', instructions: 'Be brief.', input: prompt }).withResponse();
    expect(response.headers.get('x-semroute-model')).toBe(model);
    expect(data.output_text).toBe(`[${model}] ${served}: ${prompt}`);
    expect(data.status).toBe('completed');
    const upstream = stack[model].requests.at(-1)!;
    if (kind === 'native') {
      expect(upstream.path).toBe('/v1/responses');
      expect(lastBody(stack[model].requests)).toMatchObject({ model: served, instructions: 'Be brief.', input: prompt });
    } else {
      expect(upstream.path).toBe('/v1/chat/completions');
      expect(lastBody(stack[model].requests).messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: prompt }]);
    }
  });

  it.each(paths)('streaming with responses.stream() and finalResponse() (%s)', async (_kind, prompt, model, served) => {
    const stream = openai.responses.stream({ model: 'auto', input: prompt });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas.join('')).toBe(`[${model}] ${served}: ${prompt}`);
    expect(final.output_text).toBe(deltas.join(''));
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
  });

  it.each(paths)('a function tool (%s)', async (_kind, prompt, _model, _served) => {
    const res = await openai.responses.create({
      model: 'auto',
      input: prompt,
      tools: [{ type: 'function', name: 'lookup', description: 'Look a thing up', parameters: { type: 'object', properties: { query: { type: 'string' } } }, strict: false }],
    });
    const call = res.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
    expect(call?.name).toBe('lookup');
    expect(JSON.parse(call!.arguments)).toEqual({ query: prompt });
  });

  it.each(paths)('a second turn with previous_response_id stays on the first turn\'s model (%s)', async (kind, prompt, model, served) => {
    const first = await openai.responses.create({ model: 'auto', input: prompt });
    // On its own this text would go to the small model: the pin under the response id keeps the chain.
    const follow = 'And what about elephants?';
    const { data: second, response } = await openai.responses.create({ model: 'auto', input: follow, previous_response_id: first.id }).withResponse();
    expect(response.headers.get('x-semroute-model')).toBe(model);
    expect(second.output_text).toBe(`[${model}] ${served}: ${follow}`);
    if (kind === 'native') {
      // vLLM holds the chain: it gets the id, not the conversation.
      expect(lastBody(stack[model].requests)).toMatchObject({ previous_response_id: first.id, input: follow });
    } else {
      // semroute holds it: the backend gets the whole conversation as chat messages.
      expect(lastBody(stack[model].requests).messages).toEqual([
        { role: 'user', content: prompt },
        { role: 'assistant', content: [{ type: 'text', text: first.output_text }] },
        { role: 'user', content: follow },
      ]);
      const stored = await openai.responses.retrieve(second.id);
      expect(stored.output_text).toBe(second.output_text);
    }
  });

  it('an unknown previous_response_id on a translated backend is a 404 in OpenAI\'s shape, before any GPU', async () => {
    const err = await openai.responses.create({ model: 'auto', input: TRANSLATED_PROMPT, previous_response_id: 'resp_unknown' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('response_not_found');
    expect(stack.small.requests.length + stack.large.requests.length).toBe(0);
  });

  it('DELETE /v1/responses/{id} removes a stored response', async () => {
    const res = await openai.responses.create({ model: 'auto', input: TRANSLATED_PROMPT });
    await openai.responses.delete(res.id);
    const err = await openai.responses.retrieve(res.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('token usage of every answer', () => {
  /** semroute_tokens_total{model,decision,type} from the router's own metrics. */
  async function tokens(model: string, type: string): Promise<number> {
    const text = await stack.dev.router.metrics.render();
    const line = text.split('\n').find((l) => l.startsWith('semroute_tokens_total{') && l.includes(`model="${model}"`) && l.includes(`type="${type}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('a streaming chat request that did not ask for usage gets none, and its tokens are still counted', async () => {
    const before = await tokens('small', 'output');
    // The count lands when the body's last message has been answered, which may be just after the
    // client has read a body of known length: waited for below, never assumed.
    const stream = await openai.chat.completions.create({ model: 'auto', stream: true, messages: [{ role: 'user', content: TRANSLATED_PROMPT }] });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(`[small] org/small-8b: ${TRANSLATED_PROMPT}`);
    // No usage-only chunk reached the client.
    expect(chunks.filter((c) => c.choices.length === 0 || c.usage)).toEqual([]);
    expect(lastBody(stack.small.requests).stream_options).toEqual({ include_usage: true });
    await until(async () => (await tokens('small', 'output')) > before, 10_000, 'output tokens counted');
  });

  it('a client that asked for usage keeps its usage chunk', async () => {
    const stream = await openai.chat.completions.create({ model: 'auto', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: TRANSLATED_PROMPT }] });
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const c of stream) if (c.usage) usage = c.usage;
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it.each(paths)('Anthropic and Responses answers are counted (%s)', async (_kind, prompt, model, _served) => {
    const before = await tokens(model, 'input');
    await anthropic.messages.create({ model: 'auto', max_tokens: 64, messages: [{ role: 'user', content: prompt }] });
    await until(async () => (await tokens(model, 'input')) > before, 10_000, 'Anthropic input tokens counted');
    const mid = await tokens(model, 'input');
    const stream = openai.responses.stream({ model: 'auto', input: prompt });
    await stream.finalResponse();
    await until(async () => (await tokens(model, 'input')) > mid, 10_000, 'Responses input tokens counted');
  });
});
