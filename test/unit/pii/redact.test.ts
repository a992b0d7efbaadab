// Redaction styles, offsets kept valid right to left, overlaps and surrogate pairs.
import { describe, expect, test } from '@jest/globals';
import { createPiiDetector } from '../../../src/pii/detector.js';
import { redact } from '../../../src/pii/redact.js';
import type { PiiSpan } from '../../../src/pii/types.js';

const at = (text: string, value: string, type: string, score = 0.9): PiiSpan => {
  const start = text.indexOf(value);
  return { type, start, end: start + value.length, text: value, score, source: 'rule' };
};

describe('redact', () => {
  const text = 'mail a@b.io or call +1-984-182-0190 now';
  const spans = [at(text, '+1-984-182-0190', 'PHONE_NUMBER'), at(text, 'a@b.io', 'EMAIL_ADDRESS')];

  test('type style names each type, whatever the span order', () => {
    expect(redact(text, spans, 'type')).toBe('mail [EMAIL_ADDRESS] or call [PHONE_NUMBER] now');
  });

  test('mask style hides the length too', () => {
    expect(redact(text, spans, 'mask')).toBe('mail **** or call **** now');
  });

  test('hash style is short, stable per value and keyed when asked', () => {
    const once = redact(text, spans, 'hash');
    expect(once).toMatch(/^mail <EMAIL_ADDRESS:[0-9a-f]{6}> or call <PHONE_NUMBER:[0-9a-f]{6}> now$/);
    expect(redact(text, spans, 'hash')).toBe(once);
    const other = 'x b@b.io';
    expect(redact(other, [at(other, 'b@b.io', 'EMAIL_ADDRESS')], 'hash')).not.toContain(once.slice(5, 27));
    expect(redact(text, spans, 'hash', { hashKey: 'k1' })).not.toBe(once);
    expect(redact(text, spans, 'hash', { hashKey: 'k1', hashLength: 10 })).toMatch(/<EMAIL_ADDRESS:[0-9a-f]{10}>/);
  });

  test('no spans: the text comes back unchanged', () => expect(redact(text, [], 'type')).toBe(text));

  test('overlapping spans become one region with the best-scoring type (nothing leaks)', () => {
    const t = 'id 123-45-6789 end';
    const a = { ...at(t, '123-45-6789', 'US_SSN', 0.85) };
    const b = { ...at(t, '45-6789 end', 'OTHER', 0.5) };
    expect(redact(t, [b, a], 'type')).toBe('id [US_SSN]');
  });

  test('works with astral characters before, inside and around spans', () => {
    const t = '😀 mail 👩‍💻jane@example.com😀 ok';
    const s = at(t, 'jane@example.com', 'EMAIL_ADDRESS');
    expect(redact(t, [s], 'type')).toBe('😀 mail 👩‍💻[EMAIL_ADDRESS]😀 ok');
    // A model span that cuts a surrogate pair in half is widened to the whole character.
    const cut = { ...s, start: t.indexOf('😀', 2) + 1, end: t.length - 3 };
    expect(redact(t, [cut], 'mask')).toBe('😀 mail 👩‍💻jane@example.com**** ok');
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    expect(loneSurrogate.test(redact(t, [cut], 'mask'))).toBe(false);
    expect(loneSurrogate.test(t.slice(0, cut.start) + '*')).toBe(true); // the unwidened cut would leave one
  });

  test('end to end with the detector', async () => {
    const input = 'ssn 123-45-6789, iban GB82 WEST 1234 5698 7654 32, key=' + 'Abcdef123456';
    const spans = await createPiiDetector().detect(input);
    expect(redact(input, spans, 'type')).toBe('ssn [US_SSN], iban [IBAN_CODE], key=Abcdef123456');
  });
});
