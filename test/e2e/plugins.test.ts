// Decisions' plugins through the local gateway, checked on what the upstream actually received: a
// maths prompt reaches the reasoning model with thinking on and a system prompt, PII is redacted
// (or blocked), a long prompt goes to the long-context model, debug headers explain the choice,
// and the explain trace agrees with what the router did.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { explainRequest } from '../../src/pipeline/explain.js';
import { startFakeUpstream } from '../../src/dev/fake-upstream.js';
import { startE2EStack, type E2EStack } from '../helpers/dev-stack.js';

let stack: E2EStack;
beforeAll(async () => {
  stack = await startE2EStack((d) => {
    d.security = { debug_headers: true };
    d.models[0].max_context_tokens = 4096;
    Object.assign(d.models[1], { reasoning_family: 'qwen3', max_context_tokens: 131072 });
    d.signals = {
      domain: [{ name: 'math', labels: ['math'], threshold: 0.5 }],
      pii: [{ name: 'ssn', types: ['US_SSN'] }],
      keyword: [{ name: 'casual', any: ['chat'] }],
    };
    d.decisions = [
      { name: 'no_ssn', priority: 300, rules: 'ssn', models: [{ model: 'small' }], plugins: { pii: { action: 'block', types: ['US_SSN'] } } },
      {
        name: 'maths',
        priority: 200,
        rules: { any: ['math'] },
        models: [{ model: 'large', reasoning: 'on' }],
        plugins: { system_prompt: { text: 'Reason carefully.' } },
      },
      { name: 'casual', priority: 100, rules: 'casual', models: [{ model: 'large', reasoning: 'off' }] },
      {
        name: 'general',
        priority: 0,
        rules: { all: [] },
        models: [{ model: 'small' }, { model: 'large' }],
        plugins: { pii: { action: 'redact', types: ['EMAIL_ADDRESS', 'PHONE_NUMBER'] }, headers: { set: { 'x-pool': 'general' } } },
      },
    ];
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => {
  stack.small.requests.length = 0;
  stack.large.requests.length = 0;
});

const body = (content: string) => JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }] });

async function ask(content: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body(content) });
  return { res, text: await res.text() };
}

function upstreamBody(which: 'small' | 'large') {
  const reqs = stack[which].requests;
  expect(reqs).toHaveLength(1);
  return JSON.parse(reqs[0]!.body);
}

describe('plugins on the forwarded request', () => {
  it('a maths prompt reaches the reasoning model with thinking on and the system prompt first', async () => {
    const { res } = await ask('Solve for x: 3x + 7 = 22. What is x?');
    expect(res.headers.get('x-semroute-decision')).toBe('maths');
    const got = upstreamBody('large');
    expect(got.model).toBe('org/large-235b');
    expect(got.chat_template_kwargs).toEqual({ enable_thinking: true });
    expect(got.messages[0]).toEqual({ role: 'system', content: 'Reason carefully.' });
    expect(got.messages[1].content).toBe('Solve for x: 3x + 7 = 22. What is x?');
    expect(res.headers.get('x-semroute-plugins')).toBeNull();
  });

  it('thinking off for a casual prompt on the same model', async () => {
    await ask("let's chat about your weekend");
    expect(upstreamBody('large').chat_template_kwargs).toEqual({ enable_thinking: false });
  });

  it('PII is redacted in the forwarded body, and the upstream gets the headers plugin', async () => {
    const { res } = await ask('Call me on +1 415 555 2671 or write to ann@example.com about the invoice.');
    expect(res.status).toBe(200);
    const got = upstreamBody('small');
    expect(got.messages[0].content).toBe('Call me on [PHONE_NUMBER] or write to [EMAIL_ADDRESS] about the invoice.');
    expect(stack.small.requests[0]!.headers['x-pool']).toBe('general');
    expect(Number(stack.small.requests[0]!.headers['content-length'])).toBe(Buffer.byteLength(stack.small.requests[0]!.body));
  });

  it('an SSN is blocked with 403 before any upstream sees it', async () => {
    const { res, text } = await ask('My SSN is 219-09-9999, can you file my taxes?');
    expect(res.status).toBe(403);
    expect(JSON.parse(text).error.code).toBe('pii_blocked');
    expect(text).not.toContain('219-09');
    expect(stack.small.requests.length + stack.large.requests.length).toBe(0);
  });

  it('a long prompt goes to the long-context model', async () => {
    const { res } = await ask('Summarise this story. ' + 'The old lighthouse keeper walked along the shore at dusk. '.repeat(400));
    expect(res.headers.get('x-semroute-decision')).toBe('general');
    expect(res.headers.get('x-semroute-model')).toBe('large');
    expect(stack.large.requests).toHaveLength(1);
  });
});

describe('explanations', () => {
  it('debug headers only when asked: matched signals with confidences and the reasons', async () => {
    const plain = await ask('Solve for x: 3x + 7 = 22. What is x?');
    expect(plain.res.headers.get('x-semroute-signals')).toBeNull();
    const { res } = await ask('Solve for x: 3x + 7 = 22. What is x?', { 'x-semroute-debug': 'true' });
    expect(res.headers.get('x-semroute-signals')).toMatch(/^math=0\.\d\d$/);
    expect(res.headers.get('x-semroute-why')).toContain('highest priority match (200)');
    expect(res.headers.get('x-semroute-plugins')).toBe('system_prompt:insert, reasoning:on');
  });

  it.each([
    'Solve for x: 3x + 7 = 22. What is x?',
    'write to ann@example.com',
    'My SSN is 219-09-9999',
    'Tell me about Rome',
  ])('the explain trace matches the routed request: %s', async (content) => {
    const { res } = await ask(content);
    const trace = await explainRequest(stack.dev.router.snapshot(), 'openai.chat', Buffer.from(body(content)));
    expect(trace.decision).toBe(res.headers.get('x-semroute-decision'));
    if (res.status === 200) {
      expect(trace.model).toBe(res.headers.get('x-semroute-model'));
      const upstream = stack.small.requests[0] ?? stack.large.requests[0];
      expect(trace.forwardedBody).toEqual(JSON.parse(upstream!.body));
    } else {
      expect(trace.reply?.status).toBe(res.status);
    }
    const chosen = trace.decisions.find((d) => d.name === trace.decision)!;
    expect(chosen.matched).toBe(true);
    expect(trace.signals.map((s) => s.name).sort()).toEqual(['casual', 'math', 'ssn']);
    stack.small.requests.length = 0;
    stack.large.requests.length = 0;
  });
});

describe('endpoint mode', () => {
  let ep: E2EStack;
  let third: Awaited<ReturnType<typeof startFakeUpstream>>;
  beforeAll(async () => {
    third = await startFakeUpstream({ name: 'small-2', host: '127.0.0.1', port: 0, models: ['org/small-8b'] });
    ep = await startE2EStack((d) => {
      d.routing.mode = 'endpoint';
      d.models[0].endpoints.push(`127.0.0.1:${third.port}`);
    });
  }, 60_000);
  afterAll(async () => {
    await ep?.close();
    await third?.close();
  });

  it('spreads a model over its endpoints and tells the upstream which one was picked', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${ep.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(`hello ${i}`) });
      expect(res.status).toBe(200);
    }
    expect(ep.small.requests).toHaveLength(2);
    expect(third.requests).toHaveLength(2);
    expect(third.requests[0]!.headers['x-gateway-destination-endpoint']).toBe(`127.0.0.1:${third.port}`);
    expect(ep.large.requests).toHaveLength(0);
  });
});
