// Real HTTP through the local gateway (Envoy's ext_proc behaviour) to semroute over gRPC and on to
// fake vLLM upstreams.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startE2EStack, type E2EStack } from '../helpers/dev-stack.js';

let stack: E2EStack;
beforeAll(async () => {
  stack = await startE2EStack();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => {
  stack.small.requests.length = 0;
  stack.large.requests.length = 0;
});

const chat = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }], ...extra });

async function post(body: string, headers: Record<string, string> = {}, path = '/v1/chat/completions') {
  const res = await fetch(stack.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { res, text: await res.text() };
}

describe('routing through the local gateway', () => {
  it.each([
    ['a coding question goes to the large model', 'Why does my python function crash?', 'coding', 'large', 'org/large-235b'],
    ['anything else goes to the small model', 'What is the capital of France?', 'general', 'small', 'org/small-8b'],
  ])('%s', async (_name, prompt, decision, model, served) => {
    const { res, text } = await post(chat(prompt, { temperature: 0.2 }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-semroute-decision')).toBe(decision);
    expect(res.headers.get('x-semroute-model')).toBe(model);
    expect(res.headers.get('x-upstream')).toBe(model);
    expect(JSON.parse(text).choices[0].message.content).toContain(served);

    const upstream = model === 'large' ? stack.large : stack.small;
    const other = model === 'large' ? stack.small : stack.large;
    expect(upstream.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
    const got = upstream.requests[0]!;
    expect(got.headers['x-semroute-model']).toBe(model);
    const sent = JSON.parse(got.body);
    expect(sent).toEqual({ model: served, messages: [{ role: 'user', content: prompt }], temperature: 0.2 });
    if (process.env.SEMROUTE_E2E_BODY_MODE === 'FULL_DUPLEX_STREAMED') {
      // Envoy drops content-length in this mode (and ignores mutations of it): the body goes chunked.
      expect(got.headers['content-length']).toBeUndefined();
      expect(got.headers['transfer-encoding']).toBe('chunked');
    } else {
      expect(Number(got.headers['content-length'])).toBe(Buffer.byteLength(got.body));
    }
  });

  it('routes text completions too', async () => {
    const { res, text } = await post(JSON.stringify({ model: 'semroute/auto', prompt: '# a python function', max_tokens: 5 }), {}, '/v1/completions');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-semroute-model')).toBe('large');
    expect(JSON.parse(text).object).toBe('text_completion');
    expect(JSON.parse(stack.large.requests[0]!.body)).toEqual({ model: 'org/large-235b', prompt: '# a python function', max_tokens: 5 });
  });

  it('passes a configured model through to its served name', async () => {
    const { res } = await post(JSON.stringify({ model: 'large', messages: [{ role: 'user', content: 'hi' }] }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-semroute-decision')).toBe('explicit');
    expect(JSON.parse(stack.large.requests[0]!.body).model).toBe('org/large-235b');
  });

  it('ignores client-sent routing headers', async () => {
    const { res } = await post(chat('hello there'), {
      'x-semroute-model': 'large',
      'x-semroute-decision': 'forged',
      'x-gateway-destination-endpoint': '10.9.9.9:80',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-semroute-model')).toBe('small');
    expect(stack.large.requests).toHaveLength(0);
    const got = stack.small.requests[0]!.headers;
    expect(got['x-semroute-decision']).toBe('general');
    expect(got['x-gateway-destination-endpoint']).toBeUndefined();
  });

  it('keeps every other byte of the body (big integers, key order, unicode)', async () => {
    const body = '{"messages":[{"role":"user","content":"héllo 👋"}],"seed":12345678901234567890,"model":"auto","n":1}';
    await post(body);
    expect(stack.small.requests[0]!.body).toBe(body.replace('"auto"', '"org/small-8b"'));
  });

  it('streams SSE from the upstream to the client with the routing headers', async () => {
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chat('stream a python snippet', { stream: true, stream_options: { include_usage: true } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-semroute-model')).toBe('large');
    const text = await res.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events[events.length - 1]).toBe('data: [DONE]');
    const content = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.slice('data: '.length)))
      .map((c) => c.choices?.[0]?.delta?.content ?? '')
      .join('');
    expect(content).toContain('org/large-235b');
  });

  it('answers GET /v1/models itself', async () => {
    const res = await fetch(`${stack.url}/v1/models`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: Array<{ id: string }> };
    expect(body.data.map((m) => m.id)).toEqual(['auto', 'semroute/auto', 'small', 'large']);
    expect(stack.small.requests).toHaveLength(0);
    expect(stack.large.requests).toHaveLength(0);
  });

  it('lets other paths through to the default route', async () => {
    const res = await fetch(`${stack.url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('vllm:num_requests_running');
    expect(stack.small.requests.map((r) => r.path)).toEqual(['/metrics']);
  });

  it('routes concurrent requests each to its own model', async () => {
    const prompts = Array.from({ length: 40 }, (_, i) => (i % 2 ? `python question ${i}` : `weather question ${i}`));
    const results = await Promise.all(prompts.map((p) => post(chat(p))));
    results.forEach(({ res, text }, i) => {
      expect(res.status).toBe(200);
      expect(res.headers.get('x-semroute-model')).toBe(i % 2 ? 'large' : 'small');
      expect(JSON.parse(text).choices[0].message.content).toContain(prompts[i]);
    });
    expect(stack.large.requests).toHaveLength(20);
    expect(stack.small.requests).toHaveLength(20);
  });
});

describe('errors through the local gateway', () => {
  it.each<[string, () => Promise<Response>, number, string]>([
    ['unknown model', () => fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat('x', { model: 'gpt-4o' }) }), 404, 'model_not_found'],
    ['malformed JSON', () => fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"auto",' }), 400, 'invalid_json'],
    ['schema violation', () => fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"auto","messages":"hi"}' }), 400, 'invalid_request'],
    ['wrong content-type', () => fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: chat('x') }), 400, 'unsupported_content_type'],
    ['missing body', () => fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }), 400, 'missing_body'],
    ['wrong method', () => fetch(`${stack.url}/v1/chat/completions`), 405, 'method_not_allowed'],
  ])('%s', async (_name, send, status, code) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { error: { code: string; message: string; type: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(stack.small.requests).toHaveLength(0);
    expect(stack.large.requests).toHaveLength(0);
  });
});

describe('body limit', () => {
  let small: E2EStack;
  beforeAll(async () => {
    small = await startE2EStack((d) => (d.security = { max_body_bytes: 1024 }));
  });
  afterAll(async () => {
    await small.close();
  });

  it('answers 413 for a body over the configured limit', async () => {
    const res = await fetch(`${small.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chat('x'.repeat(2000)),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('body_too_large');
    expect(small.small.requests).toHaveLength(0);
  });
});

describe('an Envoy configured with a STREAMED request body', () => {
  it('is asked for a BUFFERED body by semroute, so routing still works', async () => {
    const s = await startE2EStack();
    const { startGateway } = await import('../../src/dev/gateway.js');
    const { devRoutes } = await import('../../src/cli/dev.js');
    const { routes, defaultUpstream } = devRoutes(s.dev.router.snapshot().config);
    const g = await startGateway({
      listen: { host: '127.0.0.1', port: 0 },
      extProcTarget: s.dev.router.grpcAddress,
      routes,
      ...(defaultUpstream ? { defaultUpstream } : {}),
      processingMode: { request_body_mode: 'STREAMED', response_body_mode: 'NONE' },
    });
    try {
      const res = await fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat('python help') });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-semroute-model')).toBe('large');
      expect(JSON.parse(s.large.requests[0]!.body).model).toBe('org/large-235b');
    } finally {
      await g.close();
      await s.close();
    }
  });
});

describe('when semroute is gone', () => {
  it('fails closed with 500 and does not reach an upstream (failure_mode_allow: false)', async () => {
    const s = await startE2EStack();
    try {
      await s.dev.router.close();
      const res = await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat('x') });
      expect(res.status).toBe(500);
      expect(s.small.requests).toHaveLength(0);
      expect(s.large.requests).toHaveLength(0);
    } finally {
      await s.close();
    }
  });
});
