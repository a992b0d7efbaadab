// The route fingerprint in the cache partition: what routing does to the forwarded request.
import { describe, expect, it } from '@jest/globals';
import { routeFingerprint } from '../../../src/pipeline/cache-route.js';
import type { RouteChoice } from '../../../src/routing/router.js';
import { testConfig } from '../../helpers/config.js';

const config = (systemPrompt: string, reasoning = 'default', served = 'org/small-8b') =>
  testConfig((d: any) => {
    d.models[0].served_name = served;
    d.models[0].reasoning_family = 'qwen3';
    d.decisions[1].models = [{ model: 'small', reasoning }];
    d.decisions[1].plugins = { system_prompt: { text: systemPrompt }, cache: { enabled: true } };
  });
const choice = (cfg: ReturnType<typeof config>, applied: string[] = ['system_prompt:insert']) =>
  ({ decision: 'general', model: cfg.models[0]!, applied }) as unknown as RouteChoice;

describe('routeFingerprint', () => {
  it('is stable for one config and route', () => {
    const cfg = config('Be brief.');
    expect(routeFingerprint(cfg, choice(cfg))).toBe(routeFingerprint(cfg, choice(cfg)));
    expect(routeFingerprint(config('Be brief.'), choice(config('Be brief.')))).toBe(routeFingerprint(cfg, choice(cfg)));
  });

  it.each([
    ['the system prompt text', config('Be verbose.')],
    ['the reasoning switch', config('Be brief.', 'on')],
    ['the backend model', config('Be brief.', 'default', 'org/small-9b')],
  ])('changes with %s', (_, other) => {
    const cfg = config('Be brief.');
    expect(routeFingerprint(other, choice(other))).not.toBe(routeFingerprint(cfg, choice(cfg)));
  });

  it('changes with the edits this request got', () => {
    const cfg = config('Be brief.');
    expect(routeFingerprint(cfg, choice(cfg, ['system_prompt:insert', 'pii_redact:EMAIL_ADDRESS']))).not.toBe(routeFingerprint(cfg, choice(cfg)));
  });
});
