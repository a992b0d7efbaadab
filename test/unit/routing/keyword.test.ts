import { describe, expect, it } from '@jest/globals';
import { keywordSignal } from '../../../src/signals/keyword.js';
import type { RoutingRequest } from '../../../src/protocol/ir.js';

const ir = (text: string): RoutingRequest => ({
  protocol: 'openai.chat',
  model: 'auto',
  stream: false,
  messages: [{ role: 'user', text, toolCalls: 0 }],
  hasTools: false,
  maxOutputTokens: undefined,
  body: {},
});

const sig = (cfg: Partial<{ any: string[]; all: string[]; whole_words: boolean; case_sensitive: boolean }>) =>
  keywordSignal({ name: 'k', any: [], all: [], whole_words: true, case_sensitive: false, input: 'last_user', ...cfg });

describe('keyword signal', () => {
  it.each<[string, Parameters<typeof sig>[0], string, boolean]>([
    ['any, case-insensitive', { any: ['python'] }, 'I love PYTHON', true],
    ['non-ASCII letters fold case', { any: ['café'] }, 'CAFÉ au lait', true],
    ['whole words only', { any: ['bug'] }, 'debugging', false],
    ['substrings when whole_words is off', { any: ['bug'], whole_words: false }, 'debugging', true],
    ['a phrase', { any: ['stack trace'] }, 'here is the Stack Trace:', true],
    ['the longer of two overlapping keywords', { any: ['stack', 'stack trace'] }, 'stack traces', true],
    ['regex metacharacters are literal', { any: ['c++', 'a.b'] }, 'I write C++ daily', true],
    ['metacharacters do not act as wildcards', { any: ['a.b'] }, 'axb', false],
    ['case-sensitive', { any: ['Go'], case_sensitive: true }, 'go home', false],
    ['all present', { all: ['error', 'python'] }, 'python raises an error', true],
    ['all with one missing', { all: ['error', 'python'] }, 'python is fine', false],
    ['any and all together', { any: ['urgent'], all: ['python'] }, 'urgent: python help', true],
    ['any and all, all missing', { any: ['urgent'], all: ['python'] }, 'urgent: rust help', false],
  ])('%s', async (_name, cfg, text, matched) => {
    const r = await sig(cfg).extract(ir(text));
    expect(r.matched).toBe(matched);
    expect(r.confidence).toBe(matched ? 1 : 0);
  });

  it('says which keyword matched', async () => {
    expect((await sig({ any: ['python', 'rust'] }).extract(ir('Rust or python?'))).detail).toBe('matched "Rust"');
  });
});
