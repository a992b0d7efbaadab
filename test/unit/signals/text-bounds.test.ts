// What the text signals read of a long prompt: scanners (keyword, regex, pii) a head and a tail
// window, the language signal its first characters, classifiers a prefix, the context signal one
// byte count per request; never the whole of a 4 MB text, whatever its shape.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { RoutingRequest } from '../../../src/protocol/ir.js';
import { contextSignal, estimateTokens } from '../../../src/signals/context.js';
import { SCAN_HEAD_CHARS, SCAN_TAIL_CHARS, signalPrefix, signalText, signalWindows, WINDOW_EDGE_LOOKBACK } from '../../../src/signals/input.js';
import { keywordSignal } from '../../../src/signals/keyword.js';
import { languageSignal, SAMPLE_CHARS } from '../../../src/signals/language.js';
import { piiSignal } from '../../../src/signals/pii.js';
import { regexSignal } from '../../../src/signals/regex.js';

type Role = RoutingRequest['messages'][number]['role'];
const ir = (messages: Array<[Role, string]>): RoutingRequest => ({
  protocol: 'openai.chat',
  model: 'auto',
  stream: false,
  messages: messages.map(([role, text]) => ({ role, text, toolCalls: 0 })),
  hasTools: false,
  tools: [],
  maxOutputTokens: undefined,
  body: {},
});
const user = (text: string) => ir([['user', text]]);

const FOUR_MB = 4 * 1024 * 1024;
const WINDOWS = SCAN_HEAD_CHARS + SCAN_TAIL_CHARS;
const repeat = (unit: string, chars: number) => unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);

const SHAPES: Array<[string, () => RoutingRequest]> = [
  ['one word', () => user(repeat('a', FOUR_MB))],
  ['many words', () => user(repeat('lorem ipsum dolor sit amet ', FOUR_MB))],
  ['all whitespace', () => user(repeat(' \n', FOUR_MB))],
  ['all punctuation', () => user(repeat('!?.,', FOUR_MB))],
  ['emoji', () => user(repeat('😀', FOUR_MB))],
  ['CJK', () => user(repeat('中文字符', FOUR_MB))],
  ['many messages', () => ir(Array.from({ length: 2048 }, (_, i): [Role, string] => [i % 2 ? 'assistant' : 'user', repeat('word ', FOUR_MB / 2048)]))],
];

const keyword = (any: string[], wordSet = false, input: 'last_user' | 'conversation' = 'last_user') =>
  keywordSignal({ name: 'k', any, all: [], whole_words: true, case_sensitive: false, input }, wordSet);
const regex = (patterns: string[]) => regexSignal({ name: 'r', patterns, case_sensitive: false, input: 'last_user' });
const pii = (input: 'last_user' | 'conversation' = 'last_user') => piiSignal({ name: 'p', types: [], min_score: 0.5, input }, undefined);
const language = (input: 'last_user' | 'conversation' = 'last_user') => languageSignal({ name: 'l', languages: ['en'], input });

/** The length of every string a regex runs over while `work` runs. */
async function scanned(work: () => Promise<unknown>): Promise<number[]> {
  const lengths: number[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const exec = RegExp.prototype.exec;
  const spy = jest.spyOn(RegExp.prototype, 'exec').mockImplementation(function (this: RegExp, s: string) {
    lengths.push(s.length);
    return exec.call(this, s);
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return lengths;
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('bounded text scans', () => {
  it.each(SHAPES)('keyword, regex, pii and language signals scan at most their windows of a 4 MB text (%s)', async (_name, make) => {
    const req = make();
    const input = req.messages.length > 1 ? 'conversation' : 'last_user';
    const signals = [keyword(['python', 'stack trace'], false, input), keyword(['code', 'bug'], true, input), regex(['\\bselect\\b.*from', 'secret$']), pii(input), language(input)];
    const lengths = await scanned(() => Promise.all(signals.map((s) => s.extract(req))));
    expect(lengths.length).toBeGreaterThan(0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(SCAN_HEAD_CHARS);
  });

  it('builds the windows once per request and input, without joining the conversation', () => {
    const req = SHAPES[6]![1]();
    const join = jest.spyOn(Array.prototype, 'join');
    const w = signalWindows(req, 'conversation');
    expect(signalWindows(req, 'conversation')).toBe(w);
    const joined = join.mock.contexts.map((c) => (c as string[]).reduce((n, s) => n + String(s).length, 0));
    expect(Math.max(0, ...joined)).toBeLessThanOrEqual(WINDOWS);
    expect(w.head.length + w.tail.length).toBeLessThanOrEqual(WINDOWS);
    expect(w.length).toBe(signalText(req, 'conversation').length);
  });

  it('gives a plain prefix of the signal text for tokenizers', () => {
    const req = SHAPES[6]![1]();
    const full = signalText(req, 'conversation');
    expect(signalPrefix(req, 'conversation', 100_000)).toBe(full.slice(0, 100_000));
    expect(signalPrefix(req, 'last_user', 10)).toBe(req.messages.at(-2)!.text.slice(0, 10));
    expect(signalPrefix(user('short'), 'last_user', 100)).toBe('short');
  });

  it('reads a text that fits in the windows whole', () => {
    const text = repeat('some words here ', WINDOWS);
    const w = signalWindows(user(text), 'last_user');
    expect(w).toEqual({ head: text, tail: '', length: text.length });
  });
});

describe('what the scanners see of a long text', () => {
  const filler = (n: number) => repeat('filler text ', n);
  const long = (head: string, middle: string, tail: string) => user(`${head} ${filler(SCAN_HEAD_CHARS)} ${middle} ${filler(FOUR_MB)} ${tail}`);

  it.each([false, true])('keywords count in the head and in the tail, not in the middle (word set: %s)', async (wordSet) => {
    const sig = keyword(['python'], wordSet);
    expect((await sig.extract(long('python help', '', ''))).matched).toBe(true);
    expect((await sig.extract(long('', '', 'and now python?'))).matched).toBe(true);
    expect((await sig.extract(long('', 'python', ''))).matched).toBe(false);
  });

  it('a word cut at a window edge is not taken for a whole word', async () => {
    // "pythonic" crosses the head's end and the tail's start: cut as is, "python" / "honic" would match.
    const headCut = `${repeat('ab ', SCAN_HEAD_CHARS - 3)}pythonic ${filler(FOUR_MB)}`;
    const w = signalWindows(user(headCut), 'last_user');
    expect(w.head.endsWith('python')).toBe(false);
    expect((await keyword(['python']).extract(user(headCut))).matched).toBe(false);
    expect((await keyword(['python'], true).extract(user(headCut))).matched).toBe(false);
    const tailCut = `${filler(FOUR_MB)}pythonic${repeat(' ab', SCAN_TAIL_CHARS - 5)}`;
    expect((await keyword(['honic', 'nic']).extract(user(tailCut))).matched).toBe(false);
    expect(signalWindows(user(tailCut), 'last_user').tail.startsWith(' ') || signalWindows(user(tailCut), 'last_user').tail.startsWith('ab')).toBe(true);
  });

  it('a run without whitespace is cut as is, within the lookback of the window size', () => {
    const w = signalWindows(user(repeat('x', FOUR_MB)), 'last_user');
    expect(w.head.length).toBe(SCAN_HEAD_CHARS);
    expect(w.tail.length).toBe(SCAN_TAIL_CHARS);
    const spaced = signalWindows(user(`${repeat('x', SCAN_HEAD_CHARS - 10)} ${repeat('y', FOUR_MB)}`), 'last_user');
    expect(spaced.head.length).toBe(SCAN_HEAD_CHARS - 10);
    expect(SCAN_HEAD_CHARS - spaced.head.length).toBeLessThanOrEqual(WINDOW_EDGE_LOOKBACK);
  });

  it('regex patterns match within one window', async () => {
    expect((await regex(['^SELECT']).extract(long('SELECT *', '', ''))).matched).toBe(true);
    expect((await regex(['DROP TABLE']).extract(long('', '', 'DROP TABLE users'))).matched).toBe(true);
    expect((await regex(['DROP TABLE']).extract(long('', 'DROP TABLE users', ''))).matched).toBe(false);
  });

  it('the pii signal finds PII in either window and says what it did not scan', async () => {
    const sig = pii();
    expect((await sig.extract(long('mail me: jane.doe@example.com', '', ''))).matched).toBe(true);
    expect((await sig.extract(long('', '', 'mail me: jane.doe@example.com'))).matched).toBe(true);
    const middle = await sig.extract(long('', 'mail me: jane.doe@example.com', ''));
    expect(middle.matched).toBe(false);
    expect(middle.detail).toMatch(/characters between the scanned head and tail not scanned/);
  });

  it('the language signal reads its first characters', async () => {
    const lengths = await scanned(() => language().extract(long('This is plainly an English sentence about the weather today.', '', '')));
    expect(Math.max(...lengths)).toBeLessThanOrEqual(SAMPLE_CHARS);
    expect((await language().extract(long('This is plainly an English sentence about the weather today.', '', ''))).matched).toBe(true);
  });
});

describe('the token estimate', () => {
  it('counts the bytes of a request once, for every reader', async () => {
    const req = SHAPES[6]![1]();
    const byteLength = jest.spyOn(Buffer, 'byteLength');
    const tokens = estimateTokens(req);
    await contextSignal({ name: 'c', min_tokens: 1000 }).extract(req);
    expect(estimateTokens(req)).toBe(tokens);
    expect(byteLength).toHaveBeenCalledTimes(req.messages.length);
  });
});
