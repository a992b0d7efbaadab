// Member spans and the edited-body serialiser: the output parses to the edited document, members
// and messages the edits left alone keep the client's exact bytes, and only what changed is
// serialised (a 4 MB prompt is copied, never stringified).
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { memberSpans, serializeEdited } from '../../../src/protocol/json-members.js';
import { applyEdits, systemPromptEdit, type BodyEdit } from '../../../src/routing/body-edits.js';
import { PiiPolicy } from '../../../src/routing/pii-policy.js';

const RAW = `{ "model" : "auto", "seed": 12345678901234567890, "temperature": 1.50,
  "messages": [ {"role":"system","content":"be brief"} , {"role":"user","content":[{"type":"text","text":"mail a@b.io"},{"type":"image_url","image_url":{"url":"data:,"}}]},
  {"role":"user","content":"esc \\" \\\\ \\u00e9 [{"} ],
  "mess\\u0061ge_meta": {"a":[1,{"b":null}]}, "stop": null, "n": 2, "stream": true, "tools": [] }`;

function reparse(raw: string | Buffer) {
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  return { buf, doc: JSON.parse(buf.toString('utf8')) as Record<string, unknown> };
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('memberSpans', () => {
  it('gives each top-level value and each messages element as the bytes JSON.parse read', () => {
    const { buf, doc } = reparse(RAW);
    const spans = memberSpans(buf, ['messages'])!;
    expect([...spans.values.keys()]).toEqual(Object.keys(doc));
    for (const [key, span] of spans.values) expect(JSON.parse(buf.toString('utf8', span.start, span.end))).toEqual(doc[key]);
    const messages = spans.elements.get('messages')!;
    expect(messages.map((s) => JSON.parse(buf.toString('utf8', s.start, s.end)))).toEqual(doc.messages);
    expect(buf.toString('utf8', spans.values.get('seed')!.start, spans.values.get('seed')!.end)).toBe('12345678901234567890');
  });

  it('keeps the last of duplicated keys, as JSON.parse does, and handles empty containers', () => {
    const { buf } = reparse('{"messages":[1],"messages":[],"x":{}}');
    const spans = memberSpans(buf, ['messages'])!;
    expect(spans.elements.get('messages')).toEqual([]);
    expect(buf.toString('utf8', spans.values.get('x')!.start, spans.values.get('x')!.end)).toBe('{}');
    expect(memberSpans(Buffer.from(' {} '), ['messages'])!.values.size).toBe(0);
    expect(memberSpans(Buffer.from('[1]'), ['messages'])).toBeUndefined();
  });
});

describe('serializeEdited', () => {
  const edits: Array<[string, BodyEdit[]]> = [
    ['a new top-level member', [(d) => (d.chat_template_kwargs = { enable_thinking: true })]],
    ['a changed scalar', [(d) => (d.model = 'org/"served"')]],
    ['a system prompt inserted', [systemPromptEdit('insert', 'You are terse.', 'openai.chat')!]],
    ['system prompts replaced', [systemPromptEdit('replace', 'You are terse.', 'openai.chat')!]],
    ['a member removed', [(d) => delete d.stop]],
    ['everything at once', [systemPromptEdit('insert', 'x', 'openai.chat')!, (d) => (d.reasoning_effort = 'low'), (d) => (d.model = 'm')]],
  ];

  it.each(edits)('parses to the edited document and keeps untouched bytes (%s)', (_name, list) => {
    const { buf, doc } = reparse(RAW);
    const before = JSON.stringify(doc);
    const edited = applyEdits(doc, list);
    const out = serializeEdited(buf, memberSpans(buf, ['messages'])!, doc, edited);
    expect(JSON.parse(out.toString('utf8'))).toEqual(edited);
    expect(JSON.stringify(doc)).toBe(before); // the original is never mutated
    const text = out.toString('utf8');
    expect(text).toContain('12345678901234567890');
    expect(text).toContain('1.50');
    expect(text).toContain('"esc \\" \\\\ \\u00e9 [{"');
  });

  it('keeps PII redaction copy-on-write: only the redacted message is serialised', async () => {
    const { buf, doc } = reparse(RAW);
    const before = JSON.stringify(doc);
    const found = await new PiiPolicy({ action: 'redact', types: [], redact_style: 'type', max_scan_chars: 1 << 20 }).scan(doc);
    const edited = applyEdits(doc, [found!.edit!]);
    expect(JSON.stringify(doc)).toBe(before);
    const out = serializeEdited(buf, memberSpans(buf, ['messages'])!, doc, edited).toString('utf8');
    expect(JSON.parse(out)).toEqual(edited);
    expect(out).toContain('mail [EMAIL_ADDRESS]');
    expect(out).toContain('"esc \\" \\\\ \\u00e9 [{"'); // the other messages: the client's bytes
  });

  it('copies a 4 MB prompt instead of stringifying it', () => {
    const prompt = 'word '.repeat(800_000);
    const raw = Buffer.from(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: prompt }] }));
    const { doc } = reparse(raw);
    const edited = applyEdits(doc, [systemPromptEdit('insert', 'Be helpful.', 'openai.chat')!, (d) => (d.chat_template_kwargs = { enable_thinking: false })]);
    const stringify = jest.spyOn(JSON, 'stringify');
    const spans = memberSpans(raw, ['messages'])!;
    const out = serializeEdited(raw, spans, doc, edited);
    const longest = Math.max(...stringify.mock.results.map((r) => String(r.value).length));
    stringify.mockRestore();
    expect(longest).toBeLessThan(100);
    expect(JSON.parse(out.toString('utf8'))).toEqual(edited);
  });
});
