import { describe, expect, it } from '@jest/globals';
import { parseRequestBody } from '../../../src/protocol/parse.js';
import { applyEdits } from '../../../src/routing/body-edits.js';
import { Router } from '../../../src/routing/router.js';
import type { SignalResult } from '../../../src/signals/types.js';
import { testConfig } from '../../helpers/config.js';

const LIMITS = { maxBodyBytes: 1 << 20, maxJsonDepth: 64, maxMessages: 100 };
const chat = (text: string, extra: Record<string, unknown> = {}) =>
  parseRequestBody('openai.chat', Buffer.from(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: text }], ...extra })), LIMITS).ir;
const results = (entries: Record<string, number>) =>
  new Map<string, SignalResult>(Object.entries(entries).map(([k, c]) => [k, { matched: c > 0, confidence: c }]));

function tieConfig(strategy: 'priority' | 'confidence') {
  return testConfig((doc: any) => {
    doc.routing.strategy = strategy;
    doc.signals.keyword.push({ name: 'a', any: ['a'] }, { name: 'b', any: ['b'] }, { name: 'c', any: ['c'] });
    doc.decisions = [
      { name: 'low', priority: 1, rules: 'c', models: [{ model: 'small' }] },
      { name: 'first', priority: 5, rules: 'a', models: [{ model: 'small' }] },
      { name: 'second', priority: 5, rules: 'b', models: [{ model: 'large' }] },
      { name: 'general', rules: { all: [] }, models: [{ model: 'small' }] },
    ];
  });
}

describe('decision ordering', () => {
  it('priority: the highest priority wins; a tie goes to the more confident match, then config order', () => {
    const r = new Router(tieConfig('priority'));
    expect(r.choose(results({ a: 0.6, b: 0.9, c: 1 })).decision).toBe('second');
    expect(r.choose(results({ a: 0.9, b: 0.9, c: 1 })).decision).toBe('first');
    expect(r.choose(results({ a: 0, b: 0, c: 1 })).decision).toBe('low');
  });

  it('confidence: the most confident match wins; a tie goes to the higher priority', () => {
    const r = new Router(tieConfig('confidence'));
    expect(r.choose(results({ a: 0.6, b: 0.5, c: 0.7 })).decision).toBe('low');
    expect(r.choose(results({ a: 0.7, b: 0.5, c: 0.7 })).decision).toBe('first');
    // Nothing specific matched: the always-matching decision (confidence 1) wins.
    expect(r.choose(results({})).decision).toBe('general');
  });
});

describe('Router.plan', () => {
  const config = testConfig((doc: any) => {
    doc.models.push({ name: 'qwen', served_name: 'Qwen/Qwen3-32B', reasoning_family: 'qwen3', max_context_tokens: 32768 });
    doc.models.push({ name: 'onprem', max_context_tokens: 8192 });
    doc.models[0].max_context_tokens = 2048;
    doc.signals.keyword.push({ name: 'maths', any: ['integral'] }, { name: 'private', any: ['customer'] });
    doc.decisions = [
      { name: 'maths', priority: 50, rules: 'maths', models: [{ model: 'qwen', reasoning: 'on' }], plugins: { system_prompt: { text: 'Think step by step.' } } },
      { name: 'private', priority: 40, rules: 'private', models: [{ model: 'small' }], plugins: { pii: { action: 'route', route_model: 'onprem' } } },
      { name: 'strict', priority: 30, rules: { all: ['private', 'maths'] }, models: [{ model: 'small' }], plugins: { pii: { action: 'block' } } },
      { name: 'general', rules: { all: [] }, models: [{ model: 'small' }, { model: 'qwen' }], plugins: { pii: { action: 'redact' } } },
    ];
  });
  const router = new Router(config);

  it('reasoning on and the system prompt shape the forwarded body', async () => {
    const ir = chat('Compute the integral of x^2');
    const choice = await router.decide(ir);
    expect([choice.decision, choice.model.name]).toEqual(['maths', 'qwen']);
    expect(choice.applied).toEqual(['system_prompt:insert', 'reasoning:on']);
    const doc = applyEdits(ir.body, choice.edits);
    expect(doc.chat_template_kwargs).toEqual({ enable_thinking: true });
    expect((doc.messages as Array<{ role: string }>)[0]).toEqual({ role: 'system', content: 'Think step by step.' });
  });

  it('pii route sends the request to the designated model; without PII the candidate stays', async () => {
    const withPii = await router.decide(chat('customer phone is +1 415 555 2671'));
    expect([withPii.decision, withPii.model.name, withPii.pii]).toEqual(['private', 'onprem', { types: ['PHONE_NUMBER'], action: 'route' }]);
    const without = await router.decide(chat('customer asked about the weather'));
    expect([without.model.name, without.pii]).toEqual(['small', undefined]);
  });

  it('pii redact: the edit removes the value; the decision and model stay', async () => {
    const ir = chat('write to bob@example.com please');
    const choice = await router.decide(ir);
    expect(choice.decision).toBe('general');
    expect(JSON.stringify(applyEdits(ir.body, choice.edits))).toContain('[EMAIL_ADDRESS]');
  });

  it('a long prompt skips the small-context candidate', async () => {
    const choice = await router.decide(chat('word '.repeat(3000)));
    expect([choice.decision, choice.model.name]).toEqual(['general', 'qwen']);
    expect(choice.modelWhy).toContain('too small');
  });

  it('pii block answers with 403 pii_blocked', async () => {
    const r = new Router(testConfig((doc: any) => {
      doc.decisions = [{ name: 'general', rules: { all: [] }, models: [{ model: 'small' }], plugins: { pii: { action: 'block', types: ['US_SSN'] } } }];
    }));
    const choice = await r.decide(chat('my ssn is 078-05-1120... no wait, 219-09-9999'));
    expect(choice.block).toMatchObject({ status: 403, code: 'pii_blocked' });
    expect((await r.decide(chat('no numbers here'))).block).toBeUndefined();
  });

  it('a text over max_scan_chars is refused (block, redact) or routed to route_model (route), never forwarded unscanned', async () => {
    const over = chat(`${'x '.repeat(600)}mail me at bob@example.com`);
    for (const action of ['block', 'redact'] as const) {
      const r = new Router(testConfig((doc: any) => {
        doc.decisions = [{ name: 'general', rules: { all: [] }, models: [{ model: 'small' }], plugins: { pii: { action, max_scan_chars: 1000 } } }];
      }));
      const choice = await r.decide(over);
      expect(choice.block).toMatchObject({ status: 413, code: 'pii_scan_limit' });
      expect(choice.block!.message).toContain('1000 characters');
      expect(choice.pii).toEqual({ types: [], action, unscanned: true });
      expect(choice.edits).toEqual([]);
      // Within the bound the same policy scans and acts as usual.
      expect((await r.decide(chat('mail me at bob@example.com'))).block?.code).toBe(action === 'block' ? 'pii_blocked' : undefined);
    }
    const routed = await new Router(testConfig((doc: any) => {
      doc.models.push({ name: 'onprem' });
      doc.decisions = [{ name: 'general', rules: { all: [] }, models: [{ model: 'small' }], plugins: { pii: { action: 'route', route_model: 'onprem', max_scan_chars: 1000 } } }];
    })).decide(over);
    expect([routed.model.name, routed.block, routed.pii]).toEqual(['onprem', undefined, { types: [], action: 'route', unscanned: true }]);
    expect(routed.modelWhy).toContain('not scanned');
  });
});
