// Positives and negatives for the email, card, IBAN, SSN and IP recognisers.
import { describe, expect, test } from '@jest/globals';
import { ibanChecksumValid, luhnValid } from '../../../src/pii/checksums.js';
import { creditCardRecognizer } from '../../../src/pii/rules/credit-card.js';
import { emailRecognizer } from '../../../src/pii/rules/email.js';
import { ibanRecognizer } from '../../../src/pii/rules/iban.js';
import { ipAddressRecognizer, validIpv6 } from '../../../src/pii/rules/ip-address.js';
import type { RuleRecognizer } from '../../../src/pii/rules/recognizer.js';
import { usSsnRecognizer } from '../../../src/pii/rules/us-ssn.js';

/** The texts a recogniser reports in `input`. */
const found = (r: RuleRecognizer, input: string): string[] => r.find(input).map((s) => s.text);
const scoreOf = (r: RuleRecognizer, input: string): number | undefined => r.find(input)[0]?.score;

describe('checksums', () => {
  test.each([
    ['4111111111111111', true],
    ['4111111111111112', false],
    ['378282246310005', true],
    ['79927398713', true],
    ['79927398710', false],
  ])('luhn %s → %s', (digits, valid) => expect(luhnValid(digits)).toBe(valid));

  test.each([
    ['GB82WEST12345698765432', true],
    ['GB82WEST12345698765433', false],
    ['DE89370400440532013000', true],
    ['de89370400440532013000', true],
    ['NO9386011117947', true],
    ['FR1420041010050500013M02606', true],
    ['FR1420041010050500013M02607', false],
  ])('iban mod-97 %s → %s', (iban, valid) => expect(ibanChecksumValid(iban)).toBe(valid));
});

describe('email', () => {
  test.each([
    ['write to jane.doe+work@mail.example.co.uk today', ['jane.doe+work@mail.example.co.uk']],
    ['<UtaKortig@jourrapide.com>', ['UtaKortig@jourrapide.com']],
    ['end of sentence bob@example.org.', ['bob@example.org']],
    ['two: a@b.io, c_d@e-f.com', ['a@b.io', 'c_d@e-f.com']],
  ])('finds %j', (input, expected) => expect(found(emailRecognizer, input)).toEqual(expected));

  test.each([
    'no at sign here example.com',
    'user@localhost',
    '.dot@example.com starts with a dot',
    'a..b@example.com',
    'x@-bad-.com',
    '@handle on twitter',
    'version 1.2@3.4',
  ])('ignores %j', (input) => expect(found(emailRecognizer, input)).toEqual([]));
});

describe('credit card', () => {
  test.each([
    ['card 4111 1111 1111 1111 exp 12/29', ['4111 1111 1111 1111']],
    ['4111-1111-1111-1111', ['4111-1111-1111-1111']],
    ['amex 378282246310005', ['378282246310005']],
    ['mc 5555555555554444.', ['5555555555554444']],
    ['jcb 3530111333300000', ['3530111333300000']],
    // A trailing group that breaks Luhn is left out of the span.
    ['pay 4111 1111 1111 1111 123 now', ['4111 1111 1111 1111']],
    ['maestro card 630427373398', ['630427373398']],
  ])('finds %j', (input, expected) => expect(found(creditCardRecognizer, input)).toEqual(expected));

  test.each([
    ['luhn fails', '4111 1111 1111 1112'],
    ['too short', '4111 1111 111'],
    ['20 digits', '41111111111111111110'],
    ['glued to letters', 'id4111111111111111'],
    ['unknown issuer prefix', '9111111111111117'],
    ['12 digits without a card word', 'ticket 630427373398'],
    ['timestamp in ms', '1700000000009'],
  ])('ignores %s', (_name, input) => expect(found(creditCardRecognizer, input)).toEqual([]));

  test('a validated card scores 1.0', () => expect(scoreOf(creditCardRecognizer, '4111111111111111')).toBe(1));
});

describe('IBAN', () => {
  test.each([
    ['iban GB82 WEST 1234 5698 7654 32, thanks', ['GB82 WEST 1234 5698 7654 32']],
    ['GB82WEST12345698765432', ['GB82WEST12345698765432']],
    ['lower gb82west12345698765432 case', ['gb82west12345698765432']],
    ['DE89 3704 0044 0532 0130 00', ['DE89 3704 0044 0532 0130 00']],
    ['NO9386011117947 and more', ['NO9386011117947']],
    // A following word is not taken into the IBAN: the country length ends it.
    ['GB82 WEST 1234 5698 7654 32 TEST', ['GB82 WEST 1234 5698 7654 32']],
  ])('finds %j', (input, expected) => expect(found(ibanRecognizer, input)).toEqual(expected));

  test.each([
    ['bad checksum', 'GB82 WEST 1234 5698 7654 33'],
    ['wrong length for GB', 'GB82WEST123456987654'],
    ['glued to more characters', 'GB82WEST12345698765432X'],
    ['unknown country', 'ZZ82WEST12345698765432'],
    ['inside a word', 'xGB82WEST12345698765432'],
  ])('ignores %s', (_name, input) => expect(found(ibanRecognizer, input)).toEqual([]));

  test('a validated IBAN scores 1.0', () => expect(scoreOf(ibanRecognizer, 'DE89370400440532013000')).toBe(1));
});

describe('US SSN', () => {
  test.each([
    ['ssn 123-45-6789', ['123-45-6789']],
    ['853-37-1694', ['853-37-1694']],
    ['SSN: 123 45 6789', ['123 45 6789']],
    ['social security number 123456789', ['123456789']],
  ])('finds %j', (input, expected) => expect(found(usSsnRecognizer, input)).toEqual(expected));

  test.each([
    ['area 000', '000-12-3456'],
    ['area 666', '666-12-3456'],
    ['area 9xx', '912-34-5678'],
    ['group 00', '123-00-4567'],
    ['serial 0000', '123-45-0000'],
    ['mixed separators', '123-45 6789'],
    ['longer number', '123-45-6789-1'],
    ['glued to digits', '1123-45-6789'],
  ])('ignores %s', (_name, input) => expect(found(usSsnRecognizer, input)).toEqual([]));

  test('dashed scores above spaced, bare only with context above the default minScore', () => {
    expect(scoreOf(usSsnRecognizer, 'x 123-45-6789')).toBe(0.85);
    expect(scoreOf(usSsnRecognizer, 'x 123 45 6789')).toBeLessThan(0.5);
    expect(scoreOf(usSsnRecognizer, 'x 123456789')).toBeLessThan(0.5);
    expect(scoreOf(usSsnRecognizer, 'my ssn is 123456789')).toBeGreaterThanOrEqual(0.5);
  });
});

describe('IP address', () => {
  test.each([
    ['from 192.168.1.20 today', ['192.168.1.20']],
    ['0.0.0.0 and 255.255.255.255.', ['0.0.0.0', '255.255.255.255']],
    ['v6 2001:0db8:85a3:0000:0000:8a2e:0370:7334', ['2001:0db8:85a3:0000:0000:8a2e:0370:7334']],
    ['compressed 2001:db8::ff00:42:8329 here', ['2001:db8::ff00:42:8329']],
    ['link-local fe80::1ff:fe23:4567:890a.', ['fe80::1ff:fe23:4567:890a']],
    ['mapped ::ffff:192.0.2.128', ['::ffff:192.0.2.128']],
    ['6e40:4041:c617:e898:c11:40d2:c669:2eb4', ['6e40:4041:c617:e898:c11:40d2:c669:2eb4']],
  ])('finds %j', (input, expected) => expect(found(ipAddressRecognizer, input)).toEqual(expected));

  test.each([
    ['octet out of range', '999.1.1.1'],
    ['256 octet', '10.0.0.256'],
    ['five parts', '1.2.3.4.5'],
    ['leading zero', '10.01.1.1'],
    ['version string', 'version 1.2.3.4'],
    ['time of day', '12:30:45'],
    ['C++ scope', 'std::vector'],
    ['two double colons', '2001::db8::1'],
    ['too many groups', '1:2:3:4:5:6:7:8:9'],
  ])('ignores %s', (_name, input) => expect(found(ipAddressRecognizer, input)).toEqual([]));

  test('validIpv6 counts an IPv4 tail as two groups', () => {
    expect(validIpv6('1:2:3:4:5:6:1.2.3.4')).toBe(true);
    expect(validIpv6('1:2:3:4:5:6:7:1.2.3.4')).toBe(false);
  });
});
