import { describe, expect, it } from '@jest/globals';
import { applyEdits, reasoningEdit, systemPromptEdit } from '../../../src/routing/body-edits.js';

const chat = () => ({
  model: 'auto',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'developer', content: 'No emojis.' },
    { role: 'user', content: 'Hi' },
  ],
  chat_template_kwargs: { add_generation_prompt: true },
});

describe('reasoningEdit', () => {
  const on = { model: 'm', weight: 1, reasoning: 'on' as const };
  const off = { model: 'm', weight: 1, reasoning: 'off' as const };

  it('qwen3: chat_template_kwargs.enable_thinking, other kwargs kept', () => {
    const doc = applyEdits(chat(), [reasoningEdit('qwen3', on, 'openai.chat')!]);
    expect(doc.chat_template_kwargs).toEqual({ add_generation_prompt: true, enable_thinking: true });
    expect(applyEdits(chat(), [reasoningEdit('qwen3', off, 'openai.chat')!]).chat_template_kwargs).toEqual({ add_generation_prompt: true, enable_thinking: false });
  });

  it('deepseek: chat_template_kwargs.thinking', () => {
    expect(applyEdits({}, [reasoningEdit('deepseek', on, 'openai.chat')!]).chat_template_kwargs).toEqual({ thinking: true });
  });

  it('gpt-oss: reasoning_effort (configured, medium by default, low when off)', () => {
    expect(applyEdits({}, [reasoningEdit('gpt-oss', { ...on, reasoning_effort: 'high' }, 'openai.chat')!]).reasoning_effort).toBe('high');
    expect(applyEdits({}, [reasoningEdit('gpt-oss', on, 'openai.chat')!]).reasoning_effort).toBe('medium');
    expect(applyEdits({}, [reasoningEdit('gpt-oss', off, 'openai.completions')!]).reasoning_effort).toBe('low');
  });

  it('no edit for default, for family none, or for template kwargs on completions', () => {
    expect(reasoningEdit('qwen3', { ...on, reasoning: 'default' }, 'openai.chat')).toBeUndefined();
    expect(reasoningEdit('none', on, 'openai.chat')).toBeUndefined();
    expect(reasoningEdit('qwen3', on, 'openai.completions')).toBeUndefined();
  });
});

describe('systemPromptEdit', () => {
  it('insert: before every other message', () => {
    const doc = applyEdits(chat(), [systemPromptEdit('insert', 'You are a router test.', 'openai.chat')!]);
    expect((doc.messages as Array<{ role: string; content: string }>).map((m) => m.content)).toEqual(['You are a router test.', 'Be brief.', 'No emojis.', 'Hi']);
  });

  it('replace: instead of every system and developer message', () => {
    const doc = applyEdits(chat(), [systemPromptEdit('replace', 'Only this.', 'openai.chat')!]);
    expect(doc.messages).toEqual([{ role: 'system', content: 'Only this.' }, { role: 'user', content: 'Hi' }]);
  });

  it('does not touch the original body', () => {
    const body = chat();
    applyEdits(body, [systemPromptEdit('replace', 'x', 'openai.chat')!, reasoningEdit('qwen3', { model: 'm', weight: 1, reasoning: 'on' }, 'openai.chat')!]);
    expect(body).toEqual(chat());
  });

  it('completions have no system prompt', () => {
    expect(systemPromptEdit('insert', 'x', 'openai.completions')).toBeUndefined();
  });
});
