// routing.mode model, ahead of a Gateway API Inference Extension InferencePool: semroute chooses the
// model (x-semroute-model, x-gateway-model-name, the body's model) and never an endpoint, whatever
// the config's endpoints say and whatever the client sends, so the pool's endpoint picker alone
// chooses the replica.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startE2EStack, type E2EStack } from '../helpers/dev-stack.js';

let stack: E2EStack;
beforeAll(async () => {
  stack = await startE2EStack((doc) => {
    doc.routing = { mode: 'model' };
    // Endpoints the local gateway routes to; in this mode semroute must never name one.
    doc.models[0].endpoints.push('127.0.0.1:1');
  });
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => {
  stack.small.requests.length = 0;
  stack.large.requests.length = 0;
});

describe('routing.mode model', () => {
  it.each([
    ['What is the capital of France?', 'small', 'org/small-8b'],
    ['Why does my python function crash?', 'large', 'org/large-235b'],
  ])('%s: the model header and body are set, no endpoint header reaches the upstream', async (prompt, model, served) => {
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      // A client cannot pick the replica either: its endpoint header is removed.
      headers: { 'content-type': 'application/json', 'x-gateway-destination-endpoint': '10.9.9.9:8000', 'x-gateway-model-name': 'evil' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: prompt }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-semroute-model')).toBe(model);
    const got = stack[model as 'small' | 'large'].requests.at(-1)!;
    expect(got.headers['x-semroute-model']).toBe(model);
    expect(got.headers['x-gateway-model-name']).toBe(served);
    expect(got.headers['x-gateway-destination-endpoint']).toBeUndefined();
    expect(JSON.parse(got.body).model).toBe(served);
  });
});
