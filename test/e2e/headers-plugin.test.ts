// The headers plugin through the local gateway: a decision sets and removes headers on the request
// the upstream receives; other decisions leave them alone.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startE2EStack, type E2EStack } from '../helpers/dev-stack.js';

let stack: E2EStack;
beforeAll(async () => {
  stack = await startE2EStack((d) => {
    d.decisions[0].plugins = { headers: { set: { 'x-priority': 'high', 'x-route-class': 'coding' }, remove: ['x-debug-trace'] } };
  });
});
afterAll(() => stack?.close());

async function ask(content: string) {
  stack.small.requests.length = 0;
  stack.large.requests.length = 0;
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-debug-trace': 'abc', 'x-priority': 'low' },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }] }),
  });
  await res.arrayBuffer();
  return [...stack.small.requests, ...stack.large.requests][0]!.headers;
}

describe('headers plugin', () => {
  it('sets (overwriting) and removes headers for its decision', async () => {
    const h = await ask('my python function crashes');
    expect(h['x-priority']).toBe('high');
    expect(h['x-route-class']).toBe('coding');
    expect(h['x-debug-trace']).toBeUndefined();
    expect(h['x-semroute-decision']).toBe('coding');
  });

  it('leaves other decisions alone', async () => {
    const h = await ask('capital of France?');
    expect(h['x-priority']).toBe('low');
    expect(h['x-route-class']).toBeUndefined();
    expect(h['x-debug-trace']).toBe('abc');
  });
});
