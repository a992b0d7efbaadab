import { describe, expect, it } from '@jest/globals';
import type { RoutingRequest } from '../../../src/protocol/ir.js';
import { parseRequestBody } from '../../../src/protocol/parse.js';
import {
  cacheControl,
  cacheKeys,
  canonicalJson,
  nextTurnSessionIdentity,
  sessionIdentity,
  tenantOf,
  type PartitionInput,
} from '../../../src/state/identity.js';

const limits = { maxBodyBytes: 1 << 20, maxJsonDepth: 32, maxMessages: 100 };
const chat = (body: object): RoutingRequest =>
  parseRequestBody('openai.chat', Buffer.from(JSON.stringify({ model: 'auto', ...body })), limits).ir;
const completion = (body: object): RoutingRequest =>
  parseRequestBody('openai.completions', Buffer.from(JSON.stringify({ model: 'auto', ...body })), limits).ir;
const headers = (h: Record<string, string> = {}) => new Map(Object.entries(h));
const hex = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`);

describe('tenantOf', () => {
  const trusted = { tenant_header: 'X-Tenant-Id', trusted: true };
  const untrusted = { tenant_header: 'x-tenant-id', trusted: false };

  it('trusts the tenant header when configured, else anonymous', () => {
    expect(tenantOf(headers({ 'x-tenant-id': 'acme' }), trusted)).toBe('acme');
    expect(tenantOf(headers(), trusted)).toBe('anonymous');
    expect(tenantOf(headers({ 'x-tenant-id': 'x'.repeat(300) }), trusted)).toMatch(/^sha256:[0-9a-f]{32}$/);
  });

  it('hashes the Authorization header when untrusted, never returning the secret', () => {
    const auth = 'Bearer sk-secret-123';
    const tenant = tenantOf(headers({ authorization: auth, 'x-tenant-id': 'acme' }), untrusted);
    expect(tenant).toMatch(hex(32));
    expect(tenant).not.toContain('secret');
    expect(tenantOf(headers({ authorization: 'Bearer other' }), untrusted)).not.toBe(tenant);
    expect(tenantOf(headers({ 'x-tenant-id': 'acme' }), untrusted)).toBe('anonymous');
  });
});

describe('sessionIdentity', () => {
  const body = {
    user: 'u-1',
    previous_response_id: 'resp_1',
    metadata: { user_id: 'user_abc_session_1' },
    messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }],
  };

  it('takes the first source found, in precedence order', () => {
    const all = headers({ 'x-session-id': 's', 'x-conversation-id': 'c' });
    expect(sessionIdentity(chat(body), all, 't')?.source).toBe('x-session-id');
    expect(sessionIdentity(chat(body), headers({ 'x-conversation-id': 'c' }), 't')?.source).toBe('x-conversation-id');
    expect(sessionIdentity(chat(body), headers(), 't')?.source).toBe('previous_response_id');
    const noPrevious = { ...body, previous_response_id: undefined };
    expect(sessionIdentity(chat(noPrevious), headers(), 't')?.source).toBe('metadata.user_id');
    expect(sessionIdentity(chat({ ...noPrevious, metadata: {} }), headers(), 't')?.source).toBe('user+conversation');
    expect(sessionIdentity(chat({ messages: body.messages }), headers(), 't')).toBeUndefined();
  });

  it('hashes the identity with the tenant and source', () => {
    const id = sessionIdentity(chat(body), headers({ 'x-session-id': 'abc' }), 't')!;
    expect(id.key).toMatch(hex(64));
    expect(id.key).not.toContain('abc');
    expect(sessionIdentity(chat(body), headers({ 'x-conversation-id': 'abc' }), 't')!.key).not.toBe(id.key);
  });

  it('never shares a key between tenants', () => {
    const h = headers({ 'x-session-id': 'same' });
    expect(sessionIdentity(chat(body), h, 'tenant-a')!.key).not.toBe(sessionIdentity(chat(body), h, 'tenant-b')!.key);
    const u = chat({ user: 'u', messages: body.messages });
    expect(sessionIdentity(u, headers(), 'tenant-a')!.key).not.toBe(sessionIdentity(u, headers(), 'tenant-b')!.key);
  });

  it('ignores oversized or empty values and falls through to the next source', () => {
    const h = headers({ 'x-session-id': 'x'.repeat(257), 'x-conversation-id': '  ' });
    expect(sessionIdentity(chat(body), h, 't')?.source).toBe('previous_response_id');
    expect(sessionIdentity(chat({ ...body, previous_response_id: 'y'.repeat(300) }), headers(), 't')?.source).toBe('metadata.user_id');
  });

  it('keeps header keys stable across turns, reading what it writes', () => {
    const h = headers({ 'x-session-id': 's' });
    const turn1 = chat({ messages: [{ role: 'user', content: 'a' }] });
    const turn2 = chat({ messages: body.messages });
    expect(nextTurnSessionIdentity(turn1, h, 't')).toEqual(sessionIdentity(turn2, h, 't'));
    expect(sessionIdentity(turn1, h, 't')).toEqual(sessionIdentity(turn2, h, 't'));
  });

  describe('with the user + conversation fingerprint', () => {
    const system = { role: 'system', content: 'Be brief.' };
    const turns = [
      [system, { role: 'user', content: 'What is 2+2?' }],
      [system, { role: 'user', content: 'What is 2+2?' }, { role: 'assistant', content: '<think>x</think>4' }, { role: 'user', content: 'And 3+3?' }],
      [
        system,
        { role: 'user', content: 'What is 2+2?' },
        { role: 'assistant', content: '4' }, // the client stripped the reasoning: still the same conversation
        { role: 'user', content: ' And 3+3? ' },
        { role: 'assistant', content: '6' },
        { role: 'user', content: 'Thanks' },
      ],
    ].map((messages) => chat({ user: 'alice', messages }));

    it('reads nothing on a first turn', () => {
      expect(sessionIdentity(turns[0]!, headers(), 't')).toBeUndefined();
      expect(nextTurnSessionIdentity(turns[0]!, headers(), 't')?.source).toBe('user+conversation');
    });

    it('lets turn N+1 find the key written at turn N', () => {
      for (let n = 0; n + 1 < turns.length; n++) {
        const written = nextTurnSessionIdentity(turns[n]!, headers(), 't');
        expect(sessionIdentity(turns[n + 1]!, headers(), 't')).toEqual(written);
      }
    });

    it('gives a tool-loop continuation the key its turn wrote', () => {
      const toolCall = { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] };
      const continuation = chat({ user: 'alice', messages: [...(turns[1]!.body.messages as object[]), toolCall, { role: 'tool', tool_call_id: 'c1', content: 'r' }] });
      const written = nextTurnSessionIdentity(turns[1]!, headers(), 't');
      expect(sessionIdentity(continuation, headers(), 't')).toEqual(written);
      expect(nextTurnSessionIdentity(continuation, headers(), 't')).toEqual(written);
    });

    it('separates users and conversations', () => {
      const bob = chat({ user: 'bob', messages: turns[1]!.body.messages });
      expect(sessionIdentity(bob, headers(), 't')!.key).not.toBe(sessionIdentity(turns[1]!, headers(), 't')!.key);
      const other = chat({ user: 'alice', messages: [system, { role: 'user', content: 'Hi' }, { role: 'assistant', content: '?' }, { role: 'user', content: 'And 3+3?' }] });
      expect(sessionIdentity(other, headers(), 't')!.key).not.toBe(sessionIdentity(turns[1]!, headers(), 't')!.key);
    });
  });

  it('writes the next key under the response id for previous_response_id chains', () => {
    const ir = chat({ previous_response_id: 'resp_1', messages: body.messages });
    expect(nextTurnSessionIdentity(ir, headers(), 't')).toBeUndefined();
    const next = nextTurnSessionIdentity(ir, headers(), 't', 'resp_2');
    expect(sessionIdentity(chat({ previous_response_id: 'resp_2', messages: body.messages }), headers(), 't')).toEqual(next);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe('{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
  });
});

const exactKeyOf = (ir: ReturnType<typeof chat>, model: string) =>
  cacheKeys({ tenant: 't', decision: 'd', model, protocol: ir.protocol, stream: false, ir }).exactKey;

describe('the exact cache key', () => {
  const base = {
    temperature: 0.2,
    response_format: { type: 'json_object', schema: { b: 1, a: 2 } },
    messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'Hello' }],
  };
  const key = (body: object, model = 'm1') => exactKeyOf(chat({ ...base, ...body }), model);

  it('is a hex sha256 independent of key order, whitespace and neutral fields', () => {
    expect(key({})).toMatch(hex(64));
    expect(key({ response_format: { schema: { a: 2, b: 1 }, type: 'json_object' } })).toBe(key({}));
    expect(key({ messages: [{ role: 'system', content: ' S ' }, { content: 'Hello\n', role: 'user' }] })).toBe(key({}));
    expect(key({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: [{ type: 'text', text: 'Hello' }] }] })).toBe(key({}));
    expect(key({ stream: true, stream_options: { include_usage: true }, user: 'u', metadata: { a: 1 }, model: 'other' })).toBe(key({}));
  });

  it('changes with the model, the messages and every answer-changing parameter', () => {
    const keys = [
      key({}),
      key({}, 'm2'),
      key({ messages: [{ role: 'user', content: 'Hello' }] }),
      key({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'Hello!' }] }),
      key({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: [{ type: 'text', text: 'Hello' }, { type: 'image_url', image_url: { url: 'x' } }] }] }),
      ...[
        { temperature: 0.3 },
        { top_p: 0.5 },
        { max_tokens: 5 },
        { max_completion_tokens: 5 },
        { stop: ['\n'] },
        { seed: 1 },
        { n: 2 },
        { response_format: { type: 'text' } },
        { tools: [{ type: 'function', function: { name: 'f' } }] },
        { tool_choice: 'none' },
        { logprobs: true },
        { presence_penalty: 1 },
        { frequency_penalty: 1 },
        { chat_template_kwargs: { enable_thinking: true } },
      ].map((p) => key(p)),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keys completions by the exact prompt, token ids included', () => {
    const k = (prompt: unknown) => exactKeyOf(completion({ prompt }), 'm');
    expect(k('Once upon')).not.toBe(k('Once upon '));
    expect(k([1, 2, 3])).not.toBe(k([1, 2, 4]));
  });
});

describe('the cache partition', () => {
  const ir = chat({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'Hello' }] });
  const input: PartitionInput = { tenant: 't', decision: 'd', model: 'm', protocol: 'openai.chat', stream: false, ir };
  const id = (p: Partial<PartitionInput> = {}) => cacheKeys({ ...input, ...p }).partition.id;

  it('keeps the tenant and hashes every field', () => {
    expect(cacheKeys(input).partition).toEqual({ id: expect.stringMatching(hex(32)), tenant: 't' });
    const ids = [id(), id({ tenant: 'u' }), id({ decision: 'e' }), id({ model: 'n' }), id({ protocol: 'openai.completions' }), id({ stream: true })];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('does not depend on the newest user text, only on the conversation around it', () => {
    const same = chat({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'Hi there' }] });
    expect(id({ ir: same })).toBe(id());
    const otherSystem = chat({ messages: [{ role: 'system', content: 'T' }, { role: 'user', content: 'Hello' }] });
    const longer = chat({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'x' }, { role: 'assistant', content: 'y' }, { role: 'user', content: 'Hello' }] });
    const hotter = chat({ temperature: 1.5, messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'Hello' }] });
    expect(new Set([id(), id({ ir: otherSystem }), id({ ir: longer }), id({ ir: hotter })]).size).toBe(4);
  });
});

describe('the cache partition: a semantic hit differs from its request in the newest user text only', () => {
  const base = {
    messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Hello' }],
  };
  const id = (body: object, route?: string) =>
    cacheKeys({ tenant: 't', decision: 'd', model: 'm', protocol: 'openai.chat', stream: false, ir: chat({ ...base, ...body }), ...(route !== undefined ? { route } : {}) }).partition.id;

  it.each<[string, object]>([
    ['the system prompt', { messages: [{ role: 'system', content: 'You are verbose.' }, { role: 'user', content: 'Hello' }] }],
    ['a developer message', { messages: [{ role: 'developer', content: 'Answer in JSON.' }, { role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Hello' }] }],
    ['tools', { tools: [{ type: 'function', function: { name: 'get_weather', parameters: {} } }] }],
    ['tool_choice', { tool_choice: 'required' }],
    ['parallel_tool_calls', { parallel_tool_calls: false }],
    ['response_format', { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }],
    ['temperature', { temperature: 0 }],
    ['top_p', { top_p: 0.1 }],
    ['seed', { seed: 7 }],
    ['n', { n: 1 }],
    ['max_tokens', { max_tokens: 16 }],
    ['stop', { stop: ['.'] }],
    ['logprobs', { logprobs: true, top_logprobs: 2 }],
    ['reasoning_effort', { reasoning_effort: 'high' }],
    ['an unknown field (the default is: it changes the answer)', { brand_new_knob: 1 }],
    ['a tool result after the newest user message', { messages: [...base.messages, { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: '42' }] }],
  ])('changes with %s', (_, body) => {
    expect(id(body)).not.toBe(id({}));
  });

  it.each<[string, object]>([
    ['stream_options', { stream_options: { include_usage: true } }],
    ['user', { user: 'u-1' }],
    ['metadata', { metadata: { trace: 'x' } }],
    ['store', { store: true }],
    ['service_tier', { service_tier: 'auto' }],
  ])('does not change with %s', (_, body) => {
    expect(id(body)).toBe(id({}));
  });

  it('changes with what routing does to the forwarded request (the route fingerprint)', () => {
    expect(id({}, 'a:system_prompt:insert')).not.toBe(id({}, 'b:system_prompt:insert'));
    expect(id({}, 'a:')).not.toBe(id({}, 'a:reasoning:on'));
    expect(id({}, 'a:')).not.toBe(id({}));
  });
});

describe('cacheControl', () => {
  it('honours no-cache, no-store, both, and the bypass header', () => {
    expect(cacheControl(headers())).toEqual({ lookup: true, store: true });
    expect(cacheControl(headers({ 'cache-control': 'No-Cache' }))).toEqual({ lookup: false, store: true });
    expect(cacheControl(headers({ 'cache-control': 'no-store' }))).toEqual({ lookup: true, store: false });
    expect(cacheControl(headers({ 'cache-control': 'max-age=0, no-store ,no-cache' }))).toEqual({ lookup: false, store: false });
    expect(cacheControl(headers({ 'cache-control': 'no-cache="set-cookie"' }))).toEqual({ lookup: false, store: true });
    expect(cacheControl(headers({ 'x-semroute-cache': 'Bypass' }))).toEqual({ lookup: false, store: false });
    expect(cacheControl(headers({ 'x-semroute-cache': 'other' }))).toEqual({ lookup: true, store: true });
  });
});
