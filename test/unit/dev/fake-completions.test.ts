import { describe, expect, it } from '@jest/globals';
import { completionEvents, completionJson, contentPieces, lastUserText, makeCompletion, ragged, type CompletionRequest } from '../../../src/dev/fake-completions.js';

describe('fake completions', () => {
  it.each<[string, CompletionRequest, string]>([
    ['last user message', { messages: [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'x' }, { role: 'user', content: 'two' }] }, 'two'],
    ['content parts', { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url' }, { type: 'text', text: 'b' }] }] }, 'a  b'],
    ['a text prompt', { prompt: 'p' }, 'p'],
    ['a list of prompts', { prompt: ['p', 'q'] }, 'p q'],
    ['no messages', { messages: 'nope' }, ''],
  ])('echoes the %s', (_name, body, expected) => {
    expect(lastUserText(body)).toBe(expected);
  });

  it('names the upstream and model, truncates the echo to 200 chars, estimates usage as chars/4', () => {
    const c = makeCompletion('small', 'fallback', { model: 'org/m', messages: [{ role: 'system', content: 'x'.repeat(40) }, { role: 'user', content: 'y'.repeat(500) }] }, true, 7);
    expect(c.content).toBe(`[small] org/m: ${'y'.repeat(200)}`);
    expect(c.usage).toEqual({ prompt_tokens: 135, completion_tokens: Math.ceil(c.content.length / 4), total_tokens: 135 + Math.ceil(c.content.length / 4) });
    expect(c.id).toBe('chatcmpl-small-7');
    expect(makeCompletion('small', 'fallback', {}, false, 1).model).toBe('fallback');
  });

  it('builds chat.completion and text_completion bodies', () => {
    const chat = completionJson(makeCompletion('u', 'm', { messages: [{ role: 'user', content: 'hi' }] }, true, 1)) as any;
    expect(chat.object).toBe('chat.completion');
    expect(chat.choices[0].message).toEqual({ role: 'assistant', content: '[u] m: hi' });
    const text = completionJson(makeCompletion('u', 'm', { prompt: 'hi' }, false, 1)) as any;
    expect(text.object).toBe('text_completion');
    expect(text.choices[0].text).toBe('[u] m: hi');
  });

  it('splits content into at least three pieces that rebuild it', () => {
    expect(contentPieces('abcdefg')).toEqual(['abc', 'def', 'g']);
    expect(contentPieces('abcdefg').join('')).toBe('abcdefg');
  });

  it('streams a role delta, content deltas, a finish chunk, the usage chunk when asked, then [DONE]', () => {
    const c = makeCompletion('u', 'm', { messages: [{ role: 'user', content: 'hello there' }] }, true, 1);
    const events = completionEvents(c, true);
    expect(events.every((e) => e.startsWith('data: ') && e.endsWith('\n\n'))).toBe(true);
    expect(events[events.length - 1]).toBe('data: [DONE]\n\n');
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    expect(parsed[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const deltas = parsed.slice(1, -2).map((p) => p.choices[0].delta.content);
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect(deltas.join('')).toBe(c.content);
    expect(parsed[parsed.length - 2].choices[0].finish_reason).toBe('stop');
    expect(parsed[parsed.length - 1]).toMatchObject({ choices: [], usage: c.usage });
    expect(completionEvents(c, false).some((e) => e.includes('"usage"'))).toBe(false);
  });

  it('cuts SSE text at ragged places that rebuild it', () => {
    const text = completionEvents(makeCompletion('u', 'm', { prompt: 'x'.repeat(100) }, false, 1), true).join('');
    const pieces = ragged(text, 3);
    expect(pieces.join('')).toBe(text);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.some((p) => !p.endsWith('\n\n'))).toBe(true);
  });
});
