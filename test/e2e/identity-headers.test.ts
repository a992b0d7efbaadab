// Identity headers (security.identity) through the local gateway: trusted only when the config
// says an auth hop sets them; otherwise removed before routing reads them and from the request the
// model receives, so a client cannot pick a tenant or a user tier by sending the header (SR #1445).
// The trusted-hop-by-certificate case (trusted_peers) runs in mtls.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startE2EStack, type E2EStack } from '../helpers/dev-stack.js';

const identity = (trusted: boolean) => (d: any) => {
  d.security = { identity: { trusted, headers: ['x-user-tier'] } };
  d.signals.header = [{ name: 'premium', header: 'x-user-tier', values: ['premium'] }];
  d.decisions.unshift({ name: 'premium_users', priority: 500, rules: { any: ['premium'] }, models: [{ model: 'large' }] });
};

async function ask(stack: E2EStack, headers: Record<string, string>) {
  stack.small.requests.length = 0;
  stack.large.requests.length = 0;
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
  });
  await res.arrayBuffer();
  const upstream = [...stack.small.requests, ...stack.large.requests][0]!;
  return { status: res.status, model: res.headers.get('x-semroute-model'), upstreamHeaders: upstream.headers };
}

describe('identity headers without a trusted hop (trusted: false, the default)', () => {
  let stack: E2EStack;
  beforeAll(async () => {
    stack = await startE2EStack(identity(false));
  });
  afterAll(() => stack?.close());

  it('ignores a client-sent user tier and tenant, and strips them from the upstream request', async () => {
    const r = await ask(stack, { 'x-user-tier': 'premium', 'x-tenant-id': 'acme', 'x-request-id': 'req-1' });
    expect(r).toMatchObject({ status: 200, model: 'small' });
    expect(r.upstreamHeaders['x-user-tier']).toBeUndefined();
    expect(r.upstreamHeaders['x-tenant-id']).toBeUndefined();
    // Headers that are not identity pass untouched.
    expect(r.upstreamHeaders['x-request-id']).toBe('req-1');
  });
});

describe('identity headers behind a declared trusted hop (trusted: true)', () => {
  let stack: E2EStack;
  beforeAll(async () => {
    stack = await startE2EStack(identity(true));
  });
  afterAll(() => stack?.close());

  it('routes on them and passes them upstream', async () => {
    const r = await ask(stack, { 'x-user-tier': 'premium', 'x-tenant-id': 'acme' });
    expect(r).toMatchObject({ status: 200, model: 'large' });
    expect(r.upstreamHeaders['x-user-tier']).toBe('premium');
    expect(r.upstreamHeaders['x-tenant-id']).toBe('acme');
  });
});
