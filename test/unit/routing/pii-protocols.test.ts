// The pii plugin's redaction in the Anthropic Messages and OpenAI Responses shapes: every text
// the upstream receives, in its own place, with the parsed body (frozen here) left untouched.
import { describe, expect, it } from '@jest/globals';
import { PII_MAX_SCAN_CHARS } from '../../../src/config/schema/decisions.js';
import { applyEdits, type BodyDoc } from '../../../src/routing/body-edits.js';
import { PiiPolicy } from '../../../src/routing/pii-policy.js';

const EMAIL = 'jane.doe@example.com';
const PHONE = '+1-984-182-0190';

const policy = new PiiPolicy({ action: 'redact', types: [], redact_style: 'type', max_scan_chars: PII_MAX_SCAN_CHARS });

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Scans and redacts a frozen copy of `body`; checks the original is unchanged and no value is left. */
async function redacted(body: BodyDoc): Promise<{ doc: BodyDoc; types: string[] }> {
  const before = structuredClone(body);
  const frozen = deepFreeze(structuredClone(body));
  const found = await policy.scan(frozen);
  expect(found?.edit).toBeDefined();
  const doc = applyEdits(frozen, [found!.edit!]);
  expect(frozen).toEqual(before);
  const json = JSON.stringify(doc);
  expect(json).not.toContain(EMAIL);
  expect(json).not.toContain(PHONE);
  expect(json).not.toContain('984-182');
  return { doc, types: found!.types };
}

const mail = `Write to ${EMAIL} please`;
const call = `Call ${PHONE} now`;

describe('pii redact: anthropic.messages', () => {
  it('a system string', async () => {
    const { doc, types } = await redacted({ model: 'auto', max_tokens: 10, system: `Escalate to ${EMAIL}.`, messages: [{ role: 'user', content: 'hi' }] });
    expect(types).toEqual(['EMAIL_ADDRESS']);
    expect(doc.system).toBe('Escalate to [EMAIL_ADDRESS].');
    expect(doc.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('system blocks: text redacted, cache_control and the other blocks kept', async () => {
    const body = {
      model: 'auto',
      max_tokens: 10,
      system: [
        { type: 'text', text: 'Plain rules.' },
        { type: 'text', text: call, cache_control: { type: 'ephemeral' } },
      ],
      messages: [{ role: 'user', content: 'hi' }],
    };
    const { doc, types } = await redacted(body);
    expect(types).toEqual(['PHONE_NUMBER']);
    expect(doc.system).toEqual([
      { type: 'text', text: 'Plain rules.' },
      { type: 'text', text: 'Call [PHONE_NUMBER] now', cache_control: { type: 'ephemeral' } },
    ]);
  });

  it('user and assistant text blocks and string content; images and tool_use untouched', async () => {
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } };
    const toolUse = { type: 'tool_use', id: 't1', name: 'lookup', input: { q: 'x' } };
    const { doc, types } = await redacted({
      model: 'auto',
      max_tokens: 10,
      messages: [
        { role: 'user', content: [{ type: 'text', text: mail }, image] },
        { role: 'assistant', content: [{ type: 'text', text: `Noted ${EMAIL}` }, toolUse] },
        { role: 'user', content: call },
      ],
    });
    expect(types).toEqual(['EMAIL_ADDRESS', 'PHONE_NUMBER']);
    const ms = doc.messages as Array<{ content: unknown }>;
    expect(ms[0]!.content).toEqual([{ type: 'text', text: 'Write to [EMAIL_ADDRESS] please' }, image]);
    expect(ms[1]!.content).toEqual([{ type: 'text', text: 'Noted [EMAIL_ADDRESS]' }, toolUse]);
    expect(ms[2]!.content).toBe('Call [PHONE_NUMBER] now');
  });

  it('tool_result content: a string and text blocks, the block fields kept', async () => {
    const { doc } = await redacted({
      model: 'auto',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'look it up' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }, { type: 'tool_use', id: 't2', name: 'g', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: mail },
            { type: 'tool_result', tool_use_id: 't2', is_error: false, content: [{ type: 'text', text: 'ok' }, { type: 'text', text: call }] },
            { type: 'text', text: 'thanks' },
          ],
        },
      ],
    });
    expect((doc.messages as Array<{ content: unknown }>)[2]!.content).toEqual([
      { type: 'tool_result', tool_use_id: 't1', content: 'Write to [EMAIL_ADDRESS] please' },
      { type: 'tool_result', tool_use_id: 't2', is_error: false, content: [{ type: 'text', text: 'ok' }, { type: 'text', text: 'Call [PHONE_NUMBER] now' }] },
      { type: 'text', text: 'thanks' },
    ]);
  });

  it('the same value in system, message and tool result: redacted in every place', async () => {
    const { doc } = await redacted({
      model: 'auto',
      max_tokens: 10,
      system: [{ type: 'text', text: mail }],
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: mail }] }, { type: 'text', text: mail }] }],
    });
    expect(JSON.stringify(doc).match(/\[EMAIL_ADDRESS\]/g)).toHaveLength(3);
  });
});

describe('pii redact: openai.responses', () => {
  it('instructions and a string input', async () => {
    const { doc, types } = await redacted({ model: 'auto', instructions: `Owner: ${EMAIL}`, input: call });
    expect(types).toEqual(['EMAIL_ADDRESS', 'PHONE_NUMBER']);
    expect(doc.instructions).toBe('Owner: [EMAIL_ADDRESS]');
    expect(doc.input).toBe('Call [PHONE_NUMBER] now');
  });

  it('message items: string content, input_text and output_text parts; images and other items untouched', async () => {
    const image = { type: 'input_image', image_url: 'data:image/png;base64,AAAA' };
    const fnCall = { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' };
    const { doc } = await redacted({
      model: 'auto',
      input: [
        { role: 'developer', content: `Escalate to ${EMAIL}` },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: mail }, image] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: `I will call ${PHONE}` }] },
        fnCall,
      ],
    });
    expect(doc.input).toEqual([
      { role: 'developer', content: 'Escalate to [EMAIL_ADDRESS]' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Write to [EMAIL_ADDRESS] please' }, image] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'I will call [PHONE_NUMBER]' }] },
      fnCall,
    ]);
  });

  it('function_call_output: a string output and output parts', async () => {
    const { doc } = await redacted({
      model: 'auto',
      input: [
        { type: 'function_call_output', call_id: 'c1', output: mail },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'found:' }, { type: 'input_text', text: call }] },
      ],
    });
    expect(doc.input).toEqual([
      { type: 'function_call_output', call_id: 'c1', output: 'Write to [EMAIL_ADDRESS] please' },
      { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'found:' }, { type: 'input_text', text: 'Call [PHONE_NUMBER] now' }] },
    ]);
  });

  it('null instructions and a body without PII: nothing found', async () => {
    expect(await policy.scan({ model: 'auto', instructions: null, input: 'nothing here' })).toBeUndefined();
    expect(await policy.scan({ model: 'auto', max_tokens: 5, system: [{ type: 'text', text: 'plain' }], messages: [{ role: 'user', content: 'plain' }] })).toBeUndefined();
  });

  it('max_scan_chars counts instructions, input and system text', async () => {
    const small = new PiiPolicy({ action: 'redact', types: [], redact_style: 'type', max_scan_chars: 10 });
    expect(await small.scan({ model: 'auto', instructions: 'x'.repeat(6), input: 'y'.repeat(5) })).toEqual({ types: [], unscannedChars: 11 });
    expect(await small.scan({ model: 'auto', input: [{ type: 'function_call_output', call_id: 'c', output: 'z'.repeat(11) }] })).toEqual({ types: [], unscannedChars: 11 });
    expect(await small.scan({ model: 'auto', max_tokens: 1, system: 'a'.repeat(6), messages: [{ role: 'user', content: 'b'.repeat(5) }] })).toEqual({ types: [], unscannedChars: 11 });
  });
});

describe('pii redact: the other tool outputs the upstream receives', () => {
  it('custom_tool_call_output output is redacted', async () => {
    const found = await policy.scan({ model: 'auto', input: [{ type: 'custom_tool_call_output', call_id: 'c', output: mail }] });
    expect(found?.types).toEqual(['EMAIL_ADDRESS']);
    const doc = applyEdits({ model: 'auto', input: [{ type: 'custom_tool_call_output', call_id: 'c', output: mail }] }, [found!.edit!]);
    expect(JSON.stringify(doc)).not.toContain(EMAIL);
  });
});
