// A header set by a trusted hop (here: the client, standing in for an auth filter) routes through
// the local gateway: premium users reach the large model.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startE2EStack, type E2EStack } from '../helpers/dev-stack.js';

let stack: E2EStack;
beforeAll(async () => {
  stack = await startE2EStack((d) => {
    d.signals.header = [{ name: 'premium', header: 'x-user-tier', values: ['premium'] }];
    d.decisions.unshift({ name: 'premium_users', priority: 500, rules: { any: ['premium'] }, models: [{ model: 'large' }] });
  });
});
afterAll(() => stack?.close());

async function ask(headers: Record<string, string>) {
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
  });
  await res.arrayBuffer();
  return { status: res.status, decision: res.headers.get('x-semroute-decision'), model: res.headers.get('x-semroute-model') };
}

describe('header signal through the gateway', () => {
  it('routes a premium user to the large model', async () => {
    expect(await ask({ 'x-user-tier': 'premium' })).toEqual({ status: 200, decision: 'premium_users', model: 'large' });
  });
  it('routes everyone else by the other decisions', async () => {
    expect(await ask({ 'x-user-tier': 'free' })).toEqual({ status: 200, decision: 'general', model: 'small' });
    expect(await ask({})).toEqual({ status: 200, decision: 'general', model: 'small' });
  });
});
