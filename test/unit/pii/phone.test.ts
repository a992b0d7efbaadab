// Phone numbers: formats that are phones, and the dates, versions and ids that are not.
import { describe, expect, test } from '@jest/globals';
import { DEFAULT_MIN_SCORE } from '../../../src/pii/detector.js';
import { phoneRecognizer } from '../../../src/pii/rules/phone.js';

/** What a detector with the default minScore would keep. */
const reported = (input: string): string[] =>
  phoneRecognizer
    .find(input)
    .filter((s) => s.score >= DEFAULT_MIN_SCORE)
    .map((s) => s.text);

describe('phone numbers', () => {
  test.each([
    ['call +1-984-182-0190 now', ['+1-984-182-0190']],
    ['tel:+1-984-182-0190', ['+1-984-182-0190']],
    ['+44 20 7946 0958', ['+44 20 7946 0958']],
    ['+447700 921 916', ['+447700 921 916']],
    ['+46 (0)8 928 571 38', ['+46 (0)8 928 571 38']],
    ['(978)645-9740x11144', ['(978)645-9740x11144']],
    ['office 905-674-3793.', ['905-674-3793']],
    ['555.123.4567', ['555.123.4567']],
    ['0490 75 40 81', ['0490 75 40 81']],
    ['03.93.92.16.85', ['03.93.92.16.85']],
    ['06-10446904-Office', ['06-10446904']],
    ['345-899-3560 ext. 4587', ['345-899-3560 ext. 4587']],
    ['my phone is 9498777106', ['9498777106']],
    ["they're not answering at 785 8949", ['785 8949']],
  ])('finds %j', (input, expected) => expect(reported(input)).toEqual(expected));

  test.each([
    ['plain long number', 'the total was 9498777106 units'],
    ['ISO date', 'on 2024-01-31'],
    ['date and time', 'When: 2000-04-16 11:34:35'],
    ['european date', 'born 31.01.1990'],
    ['US date', 'due 01-31-2024'],
    ['version', 'upgrade to 10.0.19041.1234'],
    ['semver', 'v1.22.3333'],
    ['IPv4 quad', '192.168.100.200'],
    ['order number', 'order 123-456-7890 shipped'],
    ['hash order number', 'order #12345678'],
    ['invoice', 'invoice no. 2024 5567 889'],
    ['SSN shape', '123-45-6789'],
    ['decimal', 'pi is 3.14159265358'],
    ['too few digits', '12-34-56'],
    ['too many digits', '+1 234 567 890 123 456 78'],
    ['house number and postcode', 'lives at 704 1436 Redbud Dr'],
    ["driver's licence", "my driver's license number is 2270-66-1551"],
    ['card number', 'card number 630427373398'],
  ])('ignores %s', (_name, input) => expect(reported(input)).toEqual([]));

  test('a phone word lifts an otherwise ambiguous number', () => {
    const [bare] = phoneRecognizer.find('ref 785 8949');
    const [withWord] = phoneRecognizer.find('phone 785 8949');
    expect(bare).toBeUndefined(); // "ref" before it marks an id
    expect(withWord?.score).toBeGreaterThanOrEqual(DEFAULT_MIN_SCORE);
    expect(phoneRecognizer.find('room 785 8949')[0]?.score).toBeLessThan(DEFAULT_MIN_SCORE);
  });

  test('international numbers score above national ones', () => {
    const intl = phoneRecognizer.find('+1-984-182-0190')[0]?.score ?? 0;
    const national = phoneRecognizer.find('0490 75 40 81')[0]?.score ?? 0;
    expect(intl).toBeGreaterThan(national);
  });
});
