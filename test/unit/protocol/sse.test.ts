import { describe, expect, it } from '@jest/globals';
import { SseParser, encodeSseEvent, type SseEvent } from '../../../src/protocol/sse.js';

function parseAll(chunks: Buffer[], max?: number): { events: SseEvent[]; parser: SseParser } {
  const parser = new SseParser(max);
  const events = chunks.flatMap((c) => parser.push(c));
  return { events, parser };
}

function splitAt(buf: Buffer, ...cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, buf.length]) {
    out.push(buf.subarray(from, cut));
    from = cut;
  }
  return out;
}

// A vLLM-like stream with a comment, a named event, an id, multi-line data, multi-byte text and all
// three line endings.
const STREAM = Buffer.from(
  [
    ': keep-alive\n',
    'data: {"choices":[{"delta":{"content":"héllo 日本 🎉"}}]}\n\n',
    'event: update\r\nid: 7\r\ndata: line one\r\ndata: line two\r\n\r\n',
    'data:no-space\r\rdata: after cr\r\r',
    'data\n\n',
    'data: [DONE]\n\n',
  ].join(''),
  'utf8',
);
const EXPECTED: SseEvent[] = [
  { data: '{"choices":[{"delta":{"content":"héllo 日本 🎉"}}]}' },
  { data: 'line one\nline two', event: 'update', id: '7' },
  { data: 'no-space', id: '7' },
  { data: 'after cr', id: '7' },
  { data: '', id: '7' },
  { data: '[DONE]', id: '7' },
];

describe('SseParser', () => {
  it('parses a whole stream in one chunk', () => {
    expect(parseAll([STREAM]).events).toEqual(EXPECTED);
  });

  it('gives the same events for every split position, including inside CRLF and UTF-8 characters', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      expect(parseAll(splitAt(STREAM, i)).events).toEqual(EXPECTED);
    }
  });

  it('gives the same events for every pair of split positions', () => {
    for (let i = 0; i <= STREAM.length; i += 3) {
      for (let j = i; j <= STREAM.length; j += 5) expect(parseAll(splitAt(STREAM, i, j)).events).toEqual(EXPECTED);
    }
  });

  it('gives the same events fed one byte at a time', () => {
    const bytes = [...STREAM].map((b) => Buffer.from([b]));
    expect(parseAll(bytes).events).toEqual(EXPECTED);
  });

  it('reassembles a 4-byte character cut at each of its bytes', () => {
    const text = Buffer.from('data: a🎉b\n\n', 'utf8');
    const at = text.indexOf(0xf0);
    for (let k = 1; k < 4; k++) expect(parseAll(splitAt(text, at + k)).events).toEqual([{ data: 'a🎉b' }]);
  });

  it('treats a CR at a chunk end followed by LF as one line break, not two', () => {
    const { events } = parseAll([Buffer.from('data: a\r'), Buffer.from('\ndata: b\r'), Buffer.from('\n\r\n')]);
    expect(events).toEqual([{ data: 'a\nb' }]);
  });

  it('strips a leading BOM and ignores comments and unknown fields', () => {
    const { events } = parseAll([Buffer.from('\ufeff: hi\nretry: 10\nfoo: bar\ndata: x\n\n', 'utf8')]);
    expect(events).toEqual([{ data: 'x' }]);
  });

  it('does not dispatch an event without data, nor one cut off before its blank line', () => {
    expect(parseAll([Buffer.from('event: ping\n\ndata: partial\n')]).events).toEqual([]);
  });

  it('fails, holding nothing, when one event grows past the bound', () => {
    const parser = new SseParser(64);
    expect(parser.push(Buffer.from('data: small\n\n'))).toEqual([{ data: 'small' }]);
    for (let i = 0; i < 10; i++) parser.push(Buffer.from('data: 0123456789\n'));
    expect(parser.error).toMatch(/exceeds 64 bytes/);
    expect(parser.push(Buffer.from('\n\ndata: later\n\n'))).toEqual([]);
  });

  it('fails on an unterminated line longer than the bound', () => {
    const parser = new SseParser(100);
    for (let i = 0; i < 20; i++) parser.push(Buffer.from('x'.repeat(10)));
    expect(parser.error).toBeDefined();
  });

  it('allows many events whose sum exceeds the bound', () => {
    const parser = new SseParser(32);
    const events = Array.from({ length: 100 }, () => parser.push(Buffer.from('data: 0123456789\n\n'))).flat();
    expect(events).toHaveLength(100);
    expect(parser.error).toBeUndefined();
  });
});

describe('encodeSseEvent', () => {
  it('encodes one event, one data line per line of the payload', () => {
    expect(encodeSseEvent('{"a":1}').toString()).toBe('data: {"a":1}\n\n');
    expect(encodeSseEvent('a\nb\r\nc').toString()).toBe('data: a\ndata: b\ndata: c\n\n');
  });

  it('round-trips through the parser', () => {
    const payloads = ['[DONE]', 'multi\nline', 'ünïcödé 🎉', ''];
    const { events } = parseAll(payloads.map(encodeSseEvent));
    expect(events.map((e) => e.data)).toEqual(payloads);
  });
});
