import { describe, expect, it } from '@jest/globals';
import { Router } from '../../../src/routing/router.js';
import type { RoutingRequest } from '../../../src/protocol/ir.js';
import { testConfig } from '../../helpers/config.js';

function ir(text: string, model = 'auto'): RoutingRequest {
  return {
    protocol: 'openai.chat',
    model,
    stream: false,
    messages: [
      { role: 'user', text: 'an earlier python question', toolCalls: 0 },
      { role: 'assistant', text: 'ok', toolCalls: 0 },
      { role: 'user', text, toolCalls: 0 },
    ],
    hasTools: false,
    tools: [],
    maxOutputTokens: undefined,
    body: {},
  };
}

describe('Router', () => {
  const router = new Router(testConfig());

  it.each([
    ['keyword in the last user turn', 'Why does this Python script fail?', 'coding', 'large'],
    ['phrase keyword', 'here is my STACK TRACE', 'coding', 'large'],
    ['no keyword (earlier turns are not read)', 'What is the capital of France?', 'general', 'small'],
    ['substring is not a whole word', 'dysfunctional families', 'general', 'small'],
  ])('%s', async (_name, text, decision, model) => {
    const choice = await router.decide(ir(text));
    expect([choice.decision, choice.model.name]).toEqual([decision, model]);
  });

  it('prefers the higher priority decision when both match', async () => {
    const r = new Router(
      testConfig((d: any) => {
        d.decisions.unshift({ name: 'rush', priority: 500, rules: { any: ['urgent'] }, models: [{ model: 'small' }] });
      }),
    );
    expect((await r.decide(ir('urgent python help'))).decision).toBe('rush');
  });

  it('falls back to the default model when there is no default decision', async () => {
    const r = new Router(
      testConfig((d: any) => {
        d.routing = { default_model: 'large' };
        d.decisions = [d.decisions[0]];
      }),
    );
    const choice = await r.decide(ir('hello'));
    expect([choice.decision, choice.model.name]).toEqual(['default', 'large']);
  });

  it.each([
    ['auto', 'auto'],
    ['semroute/auto', 'auto'],
    ['small', 'explicit'],
    ['org/large-235b', 'explicit'],
    ['gpt-4', 'unknown'],
  ])('resolves model %s as %s', (name, kind) => {
    expect(router.resolveModel(name).kind).toBe(kind);
  });
});
