// The fake OpenAI-compatible vLLM upstream over real HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startFakeUpstream, type FakeUpstream } from '../../../src/dev/fake-upstream.js';
import { until } from '../../helpers/until.js';

let up: FakeUpstream;
let slow: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream({ name: 'small', port: 0, models: ['org/small-8b', 'small-alias'] });
  slow = await startFakeUpstream({ name: 'slow', port: 0, latencyMs: 300 });
});
afterAll(async () => {
  await up.close();
  await slow.close();
});
beforeEach(() => {
  up.requests.length = 0;
});

const post = (u: FakeUpstream, path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${u.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('completions', () => {
  it.each<[string, string, unknown, (b: any) => void]>([
    ['chat', '/v1/chat/completions', { model: 'org/small-8b', messages: [{ role: 'user', content: 'hello' }] }, (b) => {
      expect(b.object).toBe('chat.completion');
      expect(b.choices[0].message).toEqual({ role: 'assistant', content: '[small] org/small-8b: hello' });
    }],
    ['text', '/v1/completions', { model: 'x', prompt: 'p' }, (b) => {
      expect(b.object).toBe('text_completion');
      expect(b.choices[0].text).toBe('[small] x: p');
    }],
    ['chat without a model: the first served name', '/v1/chat/completions', { messages: [{ role: 'user', content: 'q' }] }, (b) => expect(b.model).toBe('org/small-8b')],
  ])('%s: JSON answer with usage and the x-upstream header', async (_name, path, body, check) => {
    const res = await post(up, path, JSON.stringify(body));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('small');
    expect(res.headers.get('content-type')).toBe('application/json');
    const json = (await res.json()) as any;
    check(json);
    expect(json.usage.total_tokens).toBe(json.usage.prompt_tokens + json.usage.completion_tokens);
  });

  it('records each request: method, path with query, lower-cased headers, raw body', async () => {
    const body = '{"model":"m",  "messages":[]}';
    await post(up, '/v1/chat/completions?trace=1', body, { 'X-Semroute-Model': 'small' });
    expect(up.requests).toEqual([
      expect.objectContaining({ method: 'POST', path: '/v1/chat/completions?trace=1', body, headers: expect.objectContaining({ 'x-semroute-model': 'small', 'content-length': String(body.length) }) }),
    ]);
  });

  it.each([
    ['malformed JSON', '{"model":'],
    ['a JSON array', '[]'],
  ])('answers %s with an OpenAI-shaped 400', async (_name, body) => {
    const res = await post(up, '/v1/chat/completions', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-upstream')).toBe('small');
    expect(await res.json()).toEqual({ error: { message: 'The request body is not valid JSON.', type: 'invalid_request_error', param: null, code: 'invalid_json' } });
    expect(up.requests).toHaveLength(1);
  });

  it.each([
    ['with include_usage', true],
    ['without include_usage', false],
  ])('streams SSE %s: role, 3+ content deltas over several writes, finish, usage, [DONE]', async (_name, includeUsage) => {
    const res = await post(up, '/v1/chat/completions', JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: includeUsage }, messages: [{ role: 'user', content: 'stream this please' }] }));
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('x-upstream')).toBe('small');
    const reader = res.body!.getReader();
    const parts: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(Buffer.from(value).toString());
    }
    expect(parts.length).toBeGreaterThan(3);
    const events = parts.join('').split('\n\n').filter(Boolean);
    expect(events[events.length - 1]).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)));
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const deltas = chunks.map((c) => c.choices[0]?.delta?.content).filter((c) => c);
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect(deltas.join('')).toBe('[small] m: stream this please');
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(chunks.some((c) => c.usage)).toBe(includeUsage);
  });
});

describe('models, metrics and the rest', () => {
  it('lists the served models', async () => {
    const body = (await (await fetch(`${up.url}/v1/models`)).json()) as any;
    expect(body.object).toBe('list');
    expect(body.data.map((m: { id: string }) => m.id)).toEqual(['org/small-8b', 'small-alias']);
    const def = (await (await fetch(`${slow.url}/v1/models`)).json()) as any;
    expect(def.data.map((m: { id: string }) => m.id)).toEqual(['slow']);
  });

  it('reports in-flight completions in vLLM gauges, per model', async () => {
    // An upstream that would answer after 10 minutes: the request stays in flight until the client
    // goes away, however slow the checks below are.
    const held = await startFakeUpstream({ name: 'held', port: 0, latencyMs: 600_000 });
    const metric = async () => (await (await fetch(`${held.url}/metrics`)).text());
    try {
      expect(await metric()).toContain('vllm:num_requests_running{model_name="held"} 0');
      const ctl = new AbortController();
      const pending = fetch(`${held.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"messages":[]}', signal: ctl.signal });
      await until(() => held.requests.length === 1, 10_000, 'request received');
      const during = await metric();
      expect(during).toContain('vllm:num_requests_running{model_name="held"} 1');
      expect(during).toContain('vllm:num_requests_waiting{model_name="held"} 0');
      expect(during).toMatch(/vllm:gpu_cache_usage_perc\{model_name="held"\} 0\.05/);
      ctl.abort();
      await expect(pending).rejects.toThrow();
      await until(async () => (await metric()).includes('vllm:num_requests_running{model_name="held"} 0'), 10_000, 'request gone');
    } finally {
      await held.close();
    }
  });

  it('answers after latencyMs, and no longer counts the request once answered', async () => {
    const t0 = Date.now();
    const res = await post(slow, '/v1/chat/completions', '{"messages":[]}');
    expect(res.status).toBe(200);
    // A lower bound only: a slow machine can make it longer, never shorter.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(await (await fetch(`${slow.url}/metrics`)).text()).toContain('vllm:num_requests_running{model_name="slow"} 0');
  });

  it('answers unknown paths with an OpenAI-shaped 404', async () => {
    const res = await fetch(`${up.url}/v2/nothing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe('not_found');
  });
});
