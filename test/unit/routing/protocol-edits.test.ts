// Plugins in each protocol's shape: the system prompt into Anthropic's `system` and Responses'
// `instructions`, reasoning as `thinking` and `reasoning.effort`; edits copy on write (the parsed
// body is frozen here, so a mutation throws); and which protocol a request leaves in.
import { describe, expect, it } from '@jest/globals';
import type { CandidateConfig } from '../../../src/config/schema.js';
import type { Protocol } from '../../../src/protocol/ir.js';
import { applyEdits, reasoningEdit, systemPromptEdit, type BodyDoc } from '../../../src/routing/body-edits.js';
import { egressProtocol, servesNatively } from '../../../src/routing/egress.js';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Applies `edit` to a deep-frozen copy of `body` (a mutation throws in an ES module) and checks the input is unchanged. */
function edited(body: BodyDoc, edit: ((doc: BodyDoc) => void) | undefined): BodyDoc {
  expect(edit).toBeDefined();
  const before = structuredClone(body);
  const frozen = deepFreeze(structuredClone(body));
  const doc = applyEdits(frozen, [edit!]);
  expect(frozen).toEqual(before);
  expect(doc).not.toBe(frozen);
  return doc;
}

const cached = { type: 'text', text: 'Long shared context.', cache_control: { type: 'ephemeral', ttl: '1h' } };
const anthropic = (system?: unknown): BodyDoc => ({
  model: 'auto',
  max_tokens: 100,
  ...(system === undefined ? {} : { system }),
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] }],
});

const responses = (extra: BodyDoc = {}): BodyDoc => ({
  model: 'auto',
  instructions: 'Be brief.',
  input: [
    { role: 'system', content: 'System item.' },
    { role: 'developer', content: [{ type: 'input_text', text: 'Developer item.' }] },
    { role: 'user', content: 'Hi' },
    { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
  ],
  ...extra,
});

describe('systemPromptEdit: anthropic.messages', () => {
  it('insert before a string system: two text blocks, ours first', () => {
    const doc = edited(anthropic('Be brief.'), systemPromptEdit('insert', 'Router policy.', 'anthropic.messages'));
    expect(doc.system).toEqual([
      { type: 'text', text: 'Router policy.' },
      { type: 'text', text: 'Be brief.' },
    ]);
  });

  it('insert before blocks: ours first, the client blocks kept exactly (cache_control included) and shared', () => {
    const body = deepFreeze(anthropic([cached, { type: 'text', text: 'Second.' }]));
    const doc = applyEdits(body, [systemPromptEdit('insert', 'Router policy.', 'anthropic.messages')!]);
    const system = doc.system as unknown[];
    expect(system).toEqual([{ type: 'text', text: 'Router policy.' }, cached, { type: 'text', text: 'Second.' }]);
    // Unchanged blocks are the very same objects: their bytes are copied as sent.
    expect(system[1]).toBe((body.system as unknown[])[0]);
    expect((system[1] as typeof cached).cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
    expect(doc.messages).toBe(body.messages);
  });

  it('insert without a system (absent or empty): the text as a string', () => {
    expect(edited(anthropic(), systemPromptEdit('insert', 'Router policy.', 'anthropic.messages')).system).toBe('Router policy.');
    expect(edited(anthropic(''), systemPromptEdit('insert', 'Router policy.', 'anthropic.messages')).system).toBe('Router policy.');
  });

  it('replace: the text as a string instead of a string or blocks; messages untouched', () => {
    expect(edited(anthropic('Be brief.'), systemPromptEdit('replace', 'Only this.', 'anthropic.messages')).system).toBe('Only this.');
    const doc = edited(anthropic([cached]), systemPromptEdit('replace', 'Only this.', 'anthropic.messages'));
    expect(doc.system).toBe('Only this.');
    expect(doc.messages).toEqual(anthropic().messages);
  });
});

describe('systemPromptEdit: openai.responses', () => {
  it('insert: before the instructions, separated by a blank line; input items kept', () => {
    const doc = edited(responses(), systemPromptEdit('insert', 'Router policy.', 'openai.responses'));
    expect(doc.instructions).toBe('Router policy.\n\nBe brief.');
    expect(doc.input).toEqual(responses().input);
  });

  it('insert without instructions (absent, null or empty): the text alone', () => {
    expect(edited({ model: 'auto', input: 'Hi' }, systemPromptEdit('insert', 'P.', 'openai.responses')).instructions).toBe('P.');
    expect(edited({ model: 'auto', input: 'Hi', instructions: null }, systemPromptEdit('insert', 'P.', 'openai.responses')).instructions).toBe('P.');
    expect(edited({ model: 'auto', input: 'Hi', instructions: '' }, systemPromptEdit('insert', 'P.', 'openai.responses')).instructions).toBe('P.');
  });

  it('replace: the instructions replaced and system/developer input items dropped, the rest in order', () => {
    const doc = edited(responses(), systemPromptEdit('replace', 'Only this.', 'openai.responses'));
    expect(doc.instructions).toBe('Only this.');
    expect(doc.input).toEqual([
      { role: 'user', content: 'Hi' },
      { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
    ]);
  });

  it('replace with a string input keeps the input', () => {
    const doc = edited({ model: 'auto', input: 'Hi', instructions: 'Old.' }, systemPromptEdit('replace', 'New.', 'openai.responses'));
    expect(doc).toEqual({ model: 'auto', input: 'Hi', instructions: 'New.' });
  });

  it('completions have no system prompt: no edit', () => {
    expect(systemPromptEdit('insert', 'x', 'openai.completions')).toBeUndefined();
  });
});

describe('reasoningEdit: anthropic.messages', () => {
  const on = (effort?: 'low' | 'medium' | 'high'): CandidateConfig => ({ model: 'm', weight: 1, reasoning: 'on', ...(effort ? { reasoning_effort: effort } : {}) });
  const off: CandidateConfig = { model: 'm', weight: 1, reasoning: 'off' };

  it.each([
    ['low', 1024],
    ['medium', 4096],
    ['high', 16_384],
  ] as const)('on with effort %s: thinking enabled with budget %d', (effort, budget) => {
    for (const family of ['qwen3', 'deepseek', 'gpt-oss'] as const) {
      const doc = edited(anthropic(), reasoningEdit(family, on(effort), 'anthropic.messages'));
      expect(doc.thinking).toEqual({ type: 'enabled', budget_tokens: budget });
    }
  });

  it('on without an effort: the medium budget', () => {
    expect(edited(anthropic(), reasoningEdit('qwen3', on(), 'anthropic.messages')).thinking).toEqual({ type: 'enabled', budget_tokens: 4096 });
  });

  it('off: thinking disabled, replacing the client thinking; nothing else set', () => {
    const doc = edited({ ...anthropic(), thinking: { type: 'enabled', budget_tokens: 2048 } }, reasoningEdit('gpt-oss', off, 'anthropic.messages'));
    expect(doc.thinking).toEqual({ type: 'disabled' });
    expect(doc.reasoning_effort).toBeUndefined();
    expect(doc.chat_template_kwargs).toBeUndefined();
  });

  it('no edit for family none or reasoning default', () => {
    expect(reasoningEdit('none', on('high'), 'anthropic.messages')).toBeUndefined();
    expect(reasoningEdit('none', off, 'anthropic.messages')).toBeUndefined();
    expect(reasoningEdit('qwen3', { model: 'm', weight: 1, reasoning: 'default' }, 'anthropic.messages')).toBeUndefined();
  });
});

describe('reasoningEdit: openai.responses', () => {
  const on = (effort?: 'low' | 'medium' | 'high'): CandidateConfig => ({ model: 'm', weight: 1, reasoning: 'on', ...(effort ? { reasoning_effort: effort } : {}) });
  const off: CandidateConfig = { model: 'm', weight: 1, reasoning: 'off' };

  it('on: reasoning.effort (configured, medium by default) for every family but none', () => {
    for (const family of ['qwen3', 'deepseek', 'gpt-oss'] as const) {
      expect(edited(responses(), reasoningEdit(family, on('high'), 'openai.responses')).reasoning).toEqual({ effort: 'high' });
      expect(edited(responses(), reasoningEdit(family, on(), 'openai.responses')).reasoning).toEqual({ effort: 'medium' });
    }
    expect(reasoningEdit('none', on('high'), 'openai.responses')).toBeUndefined();
  });

  it('keeps the client reasoning fields (summary) and replaces its effort', () => {
    const doc = edited(responses({ reasoning: { effort: 'minimal', summary: 'auto' } }), reasoningEdit('gpt-oss', on('low'), 'openai.responses'));
    expect(doc.reasoning).toEqual({ effort: 'low', summary: 'auto' });
    expect(doc.reasoning_effort).toBeUndefined();
  });

  it('off: only gpt-oss can be turned down (effort low); qwen3 and deepseek get no edit', () => {
    expect(edited(responses(), reasoningEdit('gpt-oss', off, 'openai.responses')).reasoning).toEqual({ effort: 'low' });
    expect(reasoningEdit('qwen3', off, 'openai.responses')).toBeUndefined();
    expect(reasoningEdit('deepseek', off, 'openai.responses')).toBeUndefined();
  });
});

describe('edits compose on one copy, the original untouched', () => {
  it('anthropic: system and thinking together on a frozen body', () => {
    const body = deepFreeze(anthropic([cached]));
    const doc = applyEdits(body, [
      systemPromptEdit('insert', 'P.', 'anthropic.messages')!,
      reasoningEdit('qwen3', { model: 'm', weight: 1, reasoning: 'on', reasoning_effort: 'low' }, 'anthropic.messages')!,
    ]);
    expect(doc).toMatchObject({ system: [{ type: 'text', text: 'P.' }, cached], thinking: { type: 'enabled', budget_tokens: 1024 } });
    expect(body.system).toEqual([cached]);
    expect(body.thinking).toBeUndefined();
  });

  it('responses: instructions replace and reasoning together on a frozen body', () => {
    const body = deepFreeze(responses({ reasoning: { summary: 'auto' } }));
    const doc = applyEdits(body, [systemPromptEdit('replace', 'Only.', 'openai.responses')!, reasoningEdit('gpt-oss', { model: 'm', weight: 1, reasoning: 'off' }, 'openai.responses')!]);
    expect(doc.instructions).toBe('Only.');
    expect((doc.input as unknown[]).length).toBe(2);
    expect(doc.reasoning).toEqual({ summary: 'auto', effort: 'low' });
    expect(body).toEqual(responses({ reasoning: { summary: 'auto' } }));
  });
});

describe('egress', () => {
  const protocols: Protocol[] = ['openai.chat', 'openai.completions', 'openai.responses', 'anthropic.messages'];

  it('servesNatively: the protocol API is in models[].api', () => {
    const all = { api: ['chat', 'completions', 'responses', 'messages'] as const };
    for (const p of protocols) expect(servesNatively({ api: [...all.api] }, p)).toBe(true);
    const chatOnly = { api: ['chat' as const] };
    expect(protocols.map((p) => servesNatively(chatOnly, p))).toEqual([true, false, false, false]);
    expect(servesNatively({ api: ['chat', 'messages'] }, 'anthropic.messages')).toBe(true);
    expect(servesNatively({ api: ['chat', 'messages'] }, 'openai.responses')).toBe(false);
  });

  it('egressProtocol: the client protocol when served natively, chat completions otherwise', () => {
    expect(egressProtocol('anthropic.messages', { api: ['chat', 'messages'] })).toBe('anthropic.messages');
    expect(egressProtocol('anthropic.messages', { api: ['chat', 'responses'] })).toBe('openai.chat');
    expect(egressProtocol('openai.responses', { api: ['chat', 'responses'] })).toBe('openai.responses');
    expect(egressProtocol('openai.responses', { api: ['chat', 'completions'] })).toBe('openai.chat');
    expect(egressProtocol('openai.chat', { api: ['chat'] })).toBe('openai.chat');
    expect(egressProtocol('openai.completions', { api: ['chat', 'completions'] })).toBe('openai.completions');
  });
});
