import { describe, expect, test } from '@jest/globals';
import { buildMix, topicTerms } from '../../../perf/mix.js';

describe('buildMix', () => {
  const mix = buildMix({ seed: 42, size: 400 });
  const has = (word: string) => mix.filter((m) => m.label.includes(word)).length;

  test('is deterministic for a seed', () => {
    expect(buildMix({ seed: 42, size: 400 }).map((m) => m.body.toString())).toEqual(mix.map((m) => m.body.toString()));
    expect(buildMix({ seed: 43, size: 400 })[0]!.body.equals(mix[0]!.body)).toBe(false);
  });
  test('covers both endpoints, streaming, coding and general, repeats and paraphrases', () => {
    expect(mix.filter((m) => m.path === '/v1/completions').length).toBeGreaterThan(20);
    expect(mix.filter((m) => m.stream).length).toBeGreaterThan(100);
    for (const w of ['coding', 'general', 'repeat', 'paraphrase', 'short', 'long']) expect(has(w)).toBeGreaterThan(10);
  });
  test('prompts reach ~16 KB and never far beyond', () => {
    const sizes = mix.map((m) => m.body.length);
    expect(Math.max(...sizes)).toBeGreaterThan(12_000);
    expect(Math.max(...sizes)).toBeLessThan(20_000);
  });
  test('conversations have 2 to 8 user turns', () => {
    const turns = mix.filter((m) => m.path === '/v1/chat/completions').map((m) => (JSON.parse(m.body.toString()) as { messages: { role: string }[] }).messages.filter((x) => x.role === 'user').length);
    expect(Math.min(...turns)).toBe(1);
    expect(Math.max(...turns)).toBeGreaterThanOrEqual(6);
    expect(Math.max(...turns)).toBeLessThanOrEqual(8);
  });
  test('an exact repeat carries the same body as an earlier request', () => {
    const i = mix.findIndex((m) => m.label.endsWith('repeat'));
    expect(mix.slice(0, i).some((m) => m.body.equals(mix[i]!.body))).toBe(true);
  });
});

test('topicTerms are distinct', () => {
  const t = topicTerms(400);
  expect(new Set(t).size).toBe(400);
});
