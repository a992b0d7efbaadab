import { beforeAll, describe, expect, it } from '@jest/globals';
import { keywordSignal } from '../../../src/signals/keyword.js';
import { userRequest as ir } from '../../helpers/routing-request.js';


// Every case runs twice: with the regex scan and with the word-set lookup.
let wordSet = false;
const sig = (cfg: Partial<{ any: string[]; all: string[]; whole_words: boolean; case_sensitive: boolean }>) =>
  keywordSignal({ name: 'k', any: [], all: [], whole_words: true, case_sensitive: false, input: 'last_user', ...cfg }, wordSet);

describe.each([false, true])('keyword signal (word set: %s)', (useWordSet) => {
  beforeAll(() => {
    wordSet = useWordSet;
  });

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

  it('says which configured keyword matched (never the prompt text)', async () => {
    expect(['matched "python"', 'matched "rust"']).toContain((await sig({ any: ['python', 'rust'] }).extract(ir('Rust or python?'))).detail);
    expect((await sig({ any: ['stack trace'] }).extract(ir('the Stack Trace says'))).detail).toBe('matched "stack trace"');
  });

  it('does not invent ASCII words from non-ASCII letters ("İ" lower-cases to "i" + a combining dot)', async () => {
    expect((await sig({ any: ['i'] }).extract(ir('İ am here'))).matched).toBe(false);
    expect((await sig({ any: ['i'] }).extract(ir('and i am here'))).matched).toBe(true);
  });

  it('agrees with one \\b-bounded regex per keyword on random texts (the word-set fast path is exact)', async () => {
    const vocab = ['go', 'Go', 'GO', 'rust', 'c++', 'a.b', 'İ', 'i', 'k', 'K', 'café', 'cafe', 'x_y', 'x', 'y', '42', 'stack trace', 'ſ', 's'];
    const seps = [' ', '-', '.', '_', 'é', '\n', '', '(', 'İ'];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const esc = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const reference = (kw: string, text: string, cs: boolean) =>
      new RegExp(`${/^\w/.test(kw) ? '\\b' : ''}${esc(kw)}${/\w$/.test(kw) ? '\\b' : ''}`, cs ? '' : 'i').test(text);
    for (let round = 0; round < 400; round++) {
      const text = Array.from({ length: 1 + rnd(8) }, () => vocab[rnd(vocab.length)]! + seps[rnd(seps.length)]!).join('');
      const kws = Array.from({ length: 1 + rnd(3) }, () => vocab[rnd(vocab.length)]!);
      const cs = rnd(2) === 0;
      const anyGot = (await sig({ any: kws, case_sensitive: cs }).extract(ir(text))).matched;
      expect([text, kws, cs, anyGot]).toEqual([text, kws, cs, kws.some((k) => reference(k, text, cs))]);
      const allGot = (await sig({ all: kws, case_sensitive: cs }).extract(ir(text))).matched;
      expect([text, kws, cs, allGot]).toEqual([text, kws, cs, kws.every((k) => reference(k, text, cs))]);
    }
  });
});
