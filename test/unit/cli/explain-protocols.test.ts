// The explain trace, the admin explain route and the routing eval dataset for Responses and
// Anthropic Messages bodies: the protocol named or read off the body's shape, the egress (native,
// translated to chat completions, or refused) and the upstream body a translated request becomes.
import { describe, expect, it } from '@jest/globals';
import type { AdminRequest } from '../../../src/admin/server.js';
import { parseRoutingDataset } from '../../../src/cli/eval-routing-dataset.js';
import { protocolFor, protocolNamed } from '../../../src/cli/explain.js';
import { formatExplain } from '../../../src/cli/explain-format.js';
import { explainRoutes } from '../../../src/cli/explain-routes.js';
import { egressOf, explainRequest, inferProtocol, inferProtocolOf } from '../../../src/pipeline/explain.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { testConfig } from '../../helpers/config.js';

// small serves Anthropic Messages natively; large only chat and completions (Responses and
// Anthropic requests to it are translated); tiny only chat (text completions to it are refused).
const snap = new RoutingSnapshot(
  testConfig((d: any) => {
    d.models[0].api = ['chat', 'completions', 'messages'];
    d.models[1].reasoning_family = 'qwen3';
    d.models.push({ name: 'tiny', served_name: 'org/tiny-1b', cluster: 'tiny', endpoints: ['127.0.0.1:8103'], api: ['chat'] });
    d.decisions[0].models = [{ model: 'large', reasoning: 'on' }];
    d.decisions[0].plugins = { system_prompt: { text: 'Answer with code.' } };
  }),
);
const buf = (doc: unknown) => Buffer.from(JSON.stringify(doc));

const RESPONSES = { model: 'auto', instructions: 'Be brief.', input: 'Why does my python function crash?' };
const ANTHROPIC = { model: 'auto', max_tokens: 256, system: 'You are kind.', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }] }] };

describe('inferProtocol: the protocol of a body no protocol was named for', () => {
  it.each<[string, unknown, string, string]>([
    ['input', { model: 'auto', input: 'hi' }, 'openai.responses', 'the body has "input"'],
    ['instructions', { model: 'auto', instructions: 'x', messages: [] }, 'openai.responses', 'the body has "instructions"'],
    ['previous_response_id', { model: 'auto', previous_response_id: 'resp_1' }, 'openai.responses', 'the body has "previous_response_id"'],
    ['a top-level system', ANTHROPIC, 'anthropic.messages', 'the body has a top-level "system"'],
    [
      'a tool_result block',
      { model: 'auto', max_tokens: 9, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] }] },
      'anthropic.messages',
      'a message has a "tool_result" block',
    ],
    [
      'an Anthropic image block',
      { model: 'auto', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image', source: { type: 'url', url: 'u' } }] }] },
      'anthropic.messages',
      'a message has a "image" block',
    ],
    ['a prompt', { model: 'auto', prompt: 'def f(' }, 'openai.completions', 'the body has "prompt"'],
    ['a chat body', { model: 'auto', messages: [{ role: 'system', content: 's' }, { role: 'user', content: [{ type: 'image_url', image_url: { url: 'u' } }] }] }, 'openai.chat', 'no Responses, Anthropic or completions field: chat'],
    ['an Anthropic body with only text (ambiguous)', { model: 'auto', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }, 'openai.chat', 'no Responses, Anthropic or completions field: chat'],
    ['an array', [1], 'openai.chat', 'not a JSON object: chat'],
  ])('%s', (_what, doc, protocol, why) => {
    expect(inferProtocol(doc)).toEqual({ protocol, why });
  });

  it('reads bytes, and a named protocol wins over the shape', () => {
    expect(inferProtocolOf(Buffer.from('{"model":'))).toEqual({ protocol: 'openai.chat', why: 'not JSON: chat' });
    expect(protocolFor(undefined, buf(RESPONSES), 1 << 20)).toEqual({ protocol: 'openai.responses', inferred: 'the body has "input"' });
    expect(protocolFor('chat', buf(RESPONSES), 1 << 20)).toEqual({ protocol: 'openai.chat' });
    expect(protocolFor(undefined, buf(RESPONSES), 10)).toEqual({ protocol: 'openai.chat', inferred: 'too large to read: chat' });
    expect(protocolFor('embeddings', buf(RESPONSES), 1 << 20)).toBeUndefined();
    expect(['chat', 'completions', 'responses', 'messages'].map(protocolNamed)).toEqual(['openai.chat', 'openai.completions', 'openai.responses', 'anthropic.messages']);
  });
});

describe('egressOf', () => {
  const model = (api: string[]) => ({ name: 'm', api: api as any });
  it('is native, translated to chat completions, or refused for completions', () => {
    expect(egressOf(model(['chat', 'messages']), 'anthropic.messages')).toEqual({ native: true, protocol: 'anthropic.messages', path: '/v1/messages' });
    expect(egressOf(model(['chat']), 'openai.responses')).toEqual({ native: false, protocol: 'openai.chat', path: '/v1/chat/completions' });
    expect(egressOf(model(['chat']), 'openai.completions')).toEqual({
      native: false,
      refused: 'The model "m" does not serve /v1/completions; its backend serves /v1/chat/completions.',
    });
  });
});

describe('explain: Responses and Anthropic bodies', () => {
  it('a Responses body routed to a chat-only model: translated, with the chat body it becomes', async () => {
    const trace = await explainRequest(snap, 'openai.responses', buf(RESPONSES));
    expect(trace).toMatchObject({
      request: { protocol: 'openai.responses', model: 'auto', messages: 2 },
      route: 'auto',
      decision: 'coding',
      model: 'large',
      egress: { native: false, protocol: 'openai.chat', path: '/v1/chat/completions' },
      plugins: ['system_prompt:insert', 'reasoning:on'],
    });
    // The system prompt goes into instructions, is translated to a system message, and the
    // reasoning switch is chat's (qwen3's chat template kwarg).
    expect(trace.forwardedBody).toMatchObject({
      model: 'org/large-235b',
      messages: [
        { role: 'system', content: 'Answer with code.\n\nBe brief.' },
        { role: 'user', content: 'Why does my python function crash?' },
      ],
      chat_template_kwargs: { enable_thinking: true },
    });
    expect(trace.forwardedBody).not.toHaveProperty('input');
    const text = formatExplain({ ...trace, request: { ...trace.request, inferred: 'the body has "input"' } });
    expect(text).toContain('request: openai.responses (inferred: the body has "input"), model "auto", 2 messages, ~');
    expect(text).toContain(
      'model: large (first fitting candidate)\nplugins: system_prompt:insert, reasoning:on\negress: translated to chat completions (large does not serve responses; POST /v1/chat/completions, answer translated back to openai.responses)\n',
    );
  });

  it('an Anthropic body routed to a model that serves Messages: native, in Anthropic shape', async () => {
    const trace = await explainRequest(snap, 'anthropic.messages', buf(ANTHROPIC));
    expect(trace).toMatchObject({
      request: { protocol: 'anthropic.messages', model: 'auto', messages: 2 },
      decision: 'general',
      model: 'small',
      egress: { native: true, protocol: 'anthropic.messages', path: '/v1/messages' },
    });
    expect(trace.forwardedBody).toEqual({ ...ANTHROPIC, model: 'org/small-8b' });
    expect(formatExplain(trace)).toContain('plugins: none\negress: native anthropic.messages (small serves messages, POST /v1/messages)\n');
  });

  it('an explicit model: the egress too; a refused request: none', async () => {
    const named = await explainRequest(snap, 'anthropic.messages', buf({ ...ANTHROPIC, model: 'large' }));
    expect(named).toMatchObject({ route: 'explicit', model: 'large', egress: { native: false, protocol: 'openai.chat' } });
    expect(formatExplain(named)).toContain('model: large (named by the client)\negress: translated to chat completions (large does not serve messages;');
    const completions = await explainRequest(snap, 'openai.completions', buf({ model: 'tiny', prompt: 'hi' }));
    expect(completions.egress).toEqual({ native: false, refused: 'The model "tiny" does not serve /v1/completions; its backend serves /v1/chat/completions.' });
    expect(formatExplain(completions)).toContain('egress: refused: The model "tiny" does not serve /v1/completions;');
    const invalid = await explainRequest(snap, 'anthropic.messages', buf({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }));
    expect(invalid).toMatchObject({ route: 'error', reply: { status: 400, message: 'max_tokens: max_tokens is required' } });
    expect(invalid.egress).toBeUndefined();
  });
});

describe('POST /v1/explain: ?protocol= and inference', () => {
  const [route] = explainRoutes(() => snap);
  const call = async (body: unknown, query = '') => {
    const req: AdminRequest = { method: 'POST', path: '/v1/explain', headers: {}, query: new URLSearchParams(query), body: buf(body) };
    const res = await route!.handle(req);
    return { status: res.status, body: JSON.parse(res.body.toString()) };
  };

  it('infers the protocol when not named and says why', async () => {
    const r = await call(ANTHROPIC);
    expect(r.status).toBe(200);
    expect(r.body.request).toMatchObject({ protocol: 'anthropic.messages', inferred: 'the body has a top-level "system"' });
    expect(Object.keys(r.body.request).slice(0, 2)).toEqual(['protocol', 'inferred']);
    expect(r.body).toMatchObject({ decision: 'general', model: 'small', egress: { native: true } });
  });

  it('takes responses and messages by name, and refuses an unknown one', async () => {
    const plain = { model: 'auto', max_tokens: 64, messages: [{ role: 'user', content: 'fix my python' }] };
    const named = await call(plain, 'protocol=messages');
    expect(named.body).toMatchObject({ request: { protocol: 'anthropic.messages' }, decision: 'coding', model: 'large', egress: { native: false } });
    expect(named.body.request.inferred).toBeUndefined();
    const responses = await call(RESPONSES, 'protocol=responses');
    expect(responses.body).toMatchObject({ request: { protocol: 'openai.responses' }, egress: { native: false, protocol: 'openai.chat' } });
    const bad = await call(plain, 'protocol=embeddings');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_request', param: 'protocol', message: 'unknown protocol "embeddings" (chat, completions, responses or messages)' });
    // Named messages, a body Anthropic refuses: its own 400.
    const invalid = await call({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }, 'protocol=messages');
    expect(invalid.status).toBe(400);
  });
});

describe('the routing eval dataset: "body" lines', () => {
  it('keeps a body with its protocol, or none to infer, and the text to show', () => {
    const lines = [
      { body: RESPONSES, expected_decision: 'coding' },
      { body: ANTHROPIC, protocol: 'messages', expected_model: 'small' },
      { body: { input: [{ role: 'user', content: [{ type: 'input_text', text: 'items' }] }] }, expected_decision: 'general' },
      { body: 'x', expected_decision: 'general' },
      { body: ANTHROPIC, protocol: 'embeddings', expected_decision: 'general' },
      { body: ANTHROPIC, text: 'hi', expected_decision: 'general' },
      { text: 'hi', protocol: 'messages', expected_decision: 'general' },
      { text: 'hi', expected_decision: 'general' },
    ];
    const d = parseRoutingDataset(lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(d.lines).toBe(8);
    expect(d.cases).toEqual([
      { line: 1, messages: [], body: RESPONSES, text: 'Why does my python function crash?', expectedDecision: 'coding' },
      { line: 2, messages: [], body: ANTHROPIC, protocol: 'anthropic.messages', text: 'What is the capital of France?', expectedModel: 'small' },
      { line: 3, messages: [], body: lines[2]!.body, text: 'items', expectedDecision: 'general' },
      { line: 8, messages: [{ role: 'user', content: 'hi' }], text: 'hi', expectedDecision: 'general' },
    ]);
    expect(d.bad).toEqual([
      { line: 4, error: '"body" must be a JSON object (a request body)' },
      { line: 5, error: 'unknown protocol "embeddings" (chat, completions, responses or messages)' },
      { line: 6, error: 'give "body" alone, without "text" or "messages"' },
      { line: 7, error: '"protocol" goes with "body" ("text" and "messages" are chat)' },
    ]);
  });
});
