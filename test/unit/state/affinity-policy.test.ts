import { describe, expect, it } from '@jest/globals';
import type { AffinityConfig, ModelConfig } from '../../../src/config/schema.js';
import { affinityVerdict, type AffinityInput } from '../../../src/state/affinity-policy.js';

const model = (name: string, max?: number): ModelConfig => ({ name, endpoints: [], api: ['chat', 'completions'], reasoning_family: 'none', tags: [], ...(max ? { max_context_tokens: max } : {}) });
const small = model('small', 8192);
const large = model('large', 131072);
const cfg = (over: Partial<AffinityConfig['switch']> = {}, idle?: number): AffinityConfig => ({
  enabled: true,
  ttl_seconds: 3600,
  ...(idle ? { idle_timeout_seconds: idle } : {}),
  switch: { on_context_overflow: true, ...over },
});
const pin = { model: 'small', decision: 'general', priority: 0, lastUsedMs: 1_000_000 };
const input = (over: Partial<AffinityInput> = {}): AffinityInput => ({
  pin,
  choice: { priority: 100, model: large, policyModel: false },
  pinnedModel: small,
  tokens: 500,
  nowMs: 1_000_500,
  ...over,
});

describe('affinityVerdict', () => {
  it('no pin: pin the new choice', () => {
    expect(affinityVerdict(cfg(), input({ pin: undefined }))).toEqual({ action: 'pin' });
  });

  it('keeps the pinned model although the decisions chose another', () => {
    expect(affinityVerdict(cfg(), input())).toEqual({ action: 'keep', model: small });
  });

  it('switches when the new decision outranks the pin by the margin, not below it', () => {
    expect(affinityVerdict(cfg({ on_higher_priority_by: 100 }), input())).toEqual({ action: 'switch', reason: 'higher_priority' });
    expect(affinityVerdict(cfg({ on_higher_priority_by: 101 }), input())).toEqual({ action: 'keep', model: small });
  });

  it('switches when the pinned model cannot hold the context (when allowed)', () => {
    expect(affinityVerdict(cfg(), input({ tokens: 9000 }))).toEqual({ action: 'switch', reason: 'context_overflow' });
    expect(affinityVerdict(cfg({ on_context_overflow: false }), input({ tokens: 9000 }))).toEqual({ action: 'keep', model: small });
  });

  it('switches after the idle timeout', () => {
    expect(affinityVerdict(cfg({}, 1), input({ nowMs: 1_002_000 }))).toEqual({ action: 'switch', reason: 'idle' });
    expect(affinityVerdict(cfg({}, 10), input({ nowMs: 1_002_000 }))).toEqual({ action: 'keep', model: small });
  });

  it('switches when the pinned model is gone, and never overrides a policy route', () => {
    expect(affinityVerdict(cfg(), input({ pinnedModel: undefined }))).toEqual({ action: 'switch', reason: 'model_unavailable' });
    expect(affinityVerdict(cfg(), input({ choice: { priority: 0, model: large, policyModel: true } }))).toEqual({ action: 'switch', reason: 'policy' });
  });

  it('the same model is a keep, whatever the rules say', () => {
    expect(affinityVerdict(cfg({ on_higher_priority_by: 1 }), input({ choice: { priority: 100, model: small, policyModel: false } }))).toEqual({ action: 'keep', model: small });
  });
});
