// Inputs built to make backtracking regexes blow up. Every pattern is linear, so each 1 MB input
// finishes within jest's default timeout even when the whole text is scanned; the default bound
// scans only the first 64 KiB and says so.
import { describe, expect, test } from '@jest/globals';
import { createPiiDetector, DEFAULT_MAX_SCAN_CHARS } from '../../../src/pii/detector.js';

const MB = 1024 * 1024;
const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

const ADVERSARIAL: Array<[string, string]> = [
  ['letters (email local part)', fill('a')],
  ['at signs', fill('a@')],
  ['dotted labels without a TLD', fill('a@b.1')],
  ['digits', fill('1')],
  ['digits and spaces', fill('1 ')],
  ['digits and dashes', fill('12-')],
  ['dotted digits', fill('1.')],
  ['parentheses', fill('(1)')],
  ['plus signs', fill('+1')],
  ['colons', fill(':')],
  ['hex and colons', fill('ab:')],
  ['jwt prefixes', fill('eyJ')],
  ['jwt halves', fill('eyJabcd.')],
  ['pem begins', fill('-----BEGIN PRIVATE KEY-----\n')],
  ['assignments', fill('password=')],
  ['key names', fill('api_key ')],
  ['iban prefixes', fill('GB82')],
  ['sk- prefixes', fill('sk-')],
];

describe('adversarial 1 MB inputs', () => {
  const full = createPiiDetector({ maxScanChars: Number.MAX_SAFE_INTEGER, minScore: 0 });
  test.each(ADVERSARIAL)('%s: the whole megabyte is scanned in linear time', async (_name, input) => {
    const result = await full.analyze(input);
    expect(result.truncated).toBe(false);
    const misplaced = result.spans.filter((s) => input.slice(s.start, s.end) !== s.text);
    expect(misplaced).toEqual([]);
  });

  test('the default bound scans 64 KiB and reports the rest as not scanned', async () => {
    const tail = ' mail me at late@example.com';
    const input = fill('a ') + tail;
    const warnings: string[] = [];
    const detector = createPiiDetector({ onWarning: (m) => warnings.push(m) });
    const result = await detector.analyze(input);
    expect(result.truncated).toBe(true);
    expect(result.spans).toEqual([]); // the email lies past the bound
    expect(result.warnings).toEqual([`pii scan truncated: first ${DEFAULT_MAX_SCAN_CHARS} of ${input.length} characters scanned`]);
    expect(warnings).toEqual(result.warnings);
  });

  test('the bound never splits a surrogate pair', async () => {
    const input = 'x'.repeat(9) + '😀' + ' bob@example.com';
    const result = await createPiiDetector({ maxScanChars: 10 }).analyze(input);
    expect(result.truncated).toBe(true);
    expect(result.warnings[0]).toContain('first 9 of');
  });
});
