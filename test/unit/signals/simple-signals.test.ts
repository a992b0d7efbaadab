// The signals that need no model: regex, context length, conversation shape; and the runner's
// budgets and failure handling.
import { describe, expect, it } from '@jest/globals';
import type { RoutingRequest } from '../../../src/protocol/ir.js';
import { contextSignal, estimateTokens } from '../../../src/signals/context.js';
import { conversationSignal } from '../../../src/signals/conversation.js';
import { headerSignal } from '../../../src/signals/header.js';
import { languageSignal } from '../../../src/signals/language.js';
import { regexSignal } from '../../../src/signals/regex.js';
import { runSignal, runSignals } from '../../../src/signals/run.js';
import type { Signal, SignalOutcome } from '../../../src/signals/types.js';
import type { AbortLike } from '../../../src/inference/abort-like.js';

const ir = (messages: Array<[RoutingRequest['messages'][number]['role'], string]>, extra: Partial<RoutingRequest> = {}): RoutingRequest => ({
  protocol: 'openai.chat',
  model: 'auto',
  stream: false,
  messages: messages.map(([role, text]) => ({ role, text, toolCalls: 0 })),
  hasTools: false,
  tools: [],
  maxOutputTokens: undefined,
  body: {},
  ...extra,
});

describe('regex signal', () => {
  const sig = (patterns: string[], input: 'last_user' | 'system' = 'last_user', case_sensitive = false) =>
    regexSignal({ name: 'r', patterns, case_sensitive, input });

  it('matches any pattern over the chosen text, case-insensitively by default', async () => {
    const req = ir([['system', 'You are a SQL expert'], ['user', 'SELECT * FROM t']]);
    expect((await sig(['^select\\b']).extract(req)).matched).toBe(true);
    expect((await sig(['^select\\b'], 'last_user', true).extract(req)).matched).toBe(false);
    expect((await sig(['sql expert'], 'system').extract(req)).matched).toBe(true);
    expect((await sig(['sql expert']).extract(req)).matched).toBe(false);
  });
});

describe('context signal', () => {
  it('estimates ~bytes/4 + framing per message', () => {
    expect(estimateTokens(ir([['user', 'x'.repeat(400)]]))).toBe(104);
    expect(estimateTokens(ir([['user', 'é'.repeat(100)]]))).toBe(54); // 200 UTF-8 bytes
  });
  it.each<[number | undefined, number | undefined, number, boolean]>([
    [1000, undefined, 4000, true],
    [1000, undefined, 3000, false],
    [undefined, 500, 1000, true],
    [undefined, 500, 4000, false],
    [100, 200, 600, true],
  ])('min %s max %s on %s chars → %s', async (min_tokens, max_tokens, chars, expected) => {
    const s = contextSignal({ name: 'c', ...(min_tokens !== undefined ? { min_tokens } : {}), ...(max_tokens !== undefined ? { max_tokens } : {}) });
    expect((await s.extract(ir([['user', 'a'.repeat(chars)]]))).matched).toBe(expected);
  });
});

describe('conversation signal', () => {
  const multi = ir([['user', 'a'], ['assistant', 'b'], ['user', 'c'], ['assistant', 'call'], ['tool', '{"r":1}']], { hasTools: true });
  it.each<[string, Record<string, unknown>, RoutingRequest, boolean]>([
    ['min turns met', { min_turns: 2 }, multi, true],
    ['min turns not met', { min_turns: 3 }, multi, false],
    ['max turns', { max_turns: 1 }, multi, false],
    ['tools present', { tools_present: true }, multi, true],
    ['tools absent', { tools_present: false }, multi, false],
    ['tool loop in progress', { tool_loop: true }, multi, true],
    ['no tool loop on a user turn', { tool_loop: true }, ir([['user', 'hi']]), false],
    ['all conditions together', { min_turns: 2, tools_present: true, tool_loop: true }, multi, true],
  ])('%s', async (_n, cfg, req, expected) => {
    expect((await conversationSignal({ name: 'conv', ...cfg }).extract(req)).matched).toBe(expected);
  });
});

describe('language signal', () => {
  const sig = (languages: string[]) => languageSignal({ name: 'lang', languages, input: 'last_user' });
  it.each<[string, string[], string, boolean]>([
    ['English by ISO 639-1', ['en'], 'What is the capital of France and why do people visit?', true],
    ['English by ISO 639-3', ['eng'], 'What is the capital of France and why do people visit?', true],
    ['German', ['de'], 'Wie spät ist es heute in Berlin und wie wird das Wetter?', true],
    ['German is not English', ['en'], 'Wie spät ist es heute in Berlin und wie wird das Wetter?', false],
    ['Chinese (zh → cmn)', ['zh'], '你好，今天天气怎么样？我们去公园散步吧。', true],
    ['too short to tell matches nothing', ['en'], 'hi', false],
  ])('%s', async (_n, languages, text, expected) => {
    expect((await sig(languages).extract(ir([['user', text]]))).matched).toBe(expected);
  });
});

describe('header signal', () => {
  const withHeaders = (h: Record<string, string>) => ({ ...ir([['user', 'x']]), headers: new Map(Object.entries(h)) });
  it.each<[string, Record<string, unknown>, Record<string, string>, boolean]>([
    ['a listed value', { values: ['premium', 'enterprise'] }, { 'x-user-tier': 'premium' }, true],
    ['an unlisted value', { values: ['premium'] }, { 'x-user-tier': 'free' }, false],
    ['values compare exactly', { values: ['premium'] }, { 'x-user-tier': 'Premium' }, false],
    ['absent with values', { values: ['premium'] }, {}, false],
    ['present', { present: true }, { 'x-user-tier': '' }, true],
    ['absent when present is required', { present: true }, {}, false],
    ['absence asked for', { present: false }, {}, true],
  ])('%s', async (_n, cfg, headers, expected) => {
    const s = headerSignal({ name: 'tier', header: 'x-user-tier', values: [], ...cfg });
    const r = await s.extract(withHeaders(headers));
    expect(r.matched).toBe(expected);
    expect(r.detail).not.toContain('premium');
  });
});

describe('running signals', () => {
  const outcomes: Array<[string, SignalOutcome, string | undefined]> = [];
  const observer = { signalEvaluated: (s: Signal, o: SignalOutcome, _sec: number, err?: string) => outcomes.push([s.name, o, err]) };
  const slow = (name: string, onError?: 'matched'): Signal => ({
    kind: 'domain',
    name,
    budgetMs: 20,
    ...(onError ? { onError } : {}),
    // Never answers: runSignal resolving at all shows it did not wait for the signal.
    extract: () => new Promise(() => undefined),
  });
  const failing: Signal = { kind: 'jailbreak', name: 'boom', extract: () => Promise.reject(new Error('session closed')) };
  const fine: Signal = { kind: 'keyword', name: 'fine', extract: () => Promise.resolve({ matched: true, confidence: 0.7 }) };

  it('a late signal counts as not matched and is reported as a timeout, without waiting for it', async () => {
    outcomes.length = 0;
    const r = await runSignal(slow('late'), ir([['user', 'x']]), observer);
    expect(r).toEqual({ matched: false, confidence: 0, error: 'no answer within 20 ms' });
    expect(outcomes).toEqual([['late', 'timeout', 'no answer within 20 ms']]);
  });

  it('tells a late signal to stop (its abort signal fires), so a model queue can drop the call', async () => {
    let aborted: AbortLike | undefined;
    const s: Signal = { kind: 'domain', name: 'slow', budgetMs: 10, extract: (_ir, abort) => ((aborted = abort), new Promise(() => undefined)) };
    await runSignal(s, ir([['user', 'x']]));
    expect(aborted?.aborted).toBe(true);
  });

  it('a fail-closed signal counts as matched when it fails', async () => {
    expect((await runSignal(slow('guard', 'matched'), ir([['user', 'x']]))).matched).toBe(true);
  });

  it('an error counts as not matched and the others still run', async () => {
    outcomes.length = 0;
    const results = await runSignals([failing, fine], ir([['user', 'x']]), observer);
    expect(results.get('boom')).toEqual({ matched: false, confidence: 0, error: 'session closed' });
    expect(results.get('fine')).toEqual({ matched: true, confidence: 0.7 });
    expect(outcomes.map((o) => o.slice(0, 2))).toEqual([['boom', 'error'], ['fine', 'matched']]);
  });
});
