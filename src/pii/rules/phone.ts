// Phone numbers: international (+CC) and national formats whose digit groups are separated by
// single spaces, dots or dashes, with an optional (area) group and extension (x123, ext. 123).
// 7–15 digits (E.164). Deliberately not matched, or scored below the default minScore:
// - bare digit runs (order numbers, ids): 0.3, lifted to 0.55 only by a word such as "phone";
// - dates (2024-01-31, 31.01.2024, 01/31/2024), dotted versions and IPv4 quads, SSN-shaped 3-2-4;
// - numbers after "order", "invoice", "ref", "#" ... unless a phone word is also near.
import { contextRegExp, contextScore, hasContext, hasContextBefore } from '../context.js';
import type { PiiSpan } from '../types.js';
import { type RuleRecognizer, ruleSpan, scan } from './recognizer.js';

// Groups of bounded digits joined by exactly one separator: a group can only end where a
// separator (or the end) follows, so each start tries at most ~7×12 steps.
const PHONE = new RegExp(
  '(?<![\\w+#@/.-])' +
    '(?:\\+\\d{1,3}[ .-]?)?' + // country code
    '(?:\\(\\d{1,5}\\)[ .-]?)?' + // (area) or (0)
    '\\d{1,12}(?:[ .-]\\d{1,12}){0,6}' + // digit groups
    '(?:[ ]?(?:x|ext\\.?)[ ]?\\d{1,6})?' + // extension
    '(?!\\w|-\\d|[.,:/]\\d)', // not glued to more digits, a decimal, a time or a date
  'g',
);
const PHONE_WORDS = ['phone', 'tel', 'telephone', 'mobile', 'cell', 'call', 'fax', 'whatsapp', 'sms', 'text me'];
/** Words that make a number a phone number even after "order" or "id". */
const STRONG = contextRegExp(PHONE_WORDS);
const CONTEXT = contextRegExp([...PHONE_WORDS, 'number', 'contact', 'reach', 'dial', 'answering', 'message', 'voicemail', 'ring']);
const NOT_PHONE = contextRegExp(['order', 'invoice', 'ref', 'reference', 'tracking', 'account', 'acct', 'serial', 'sku', 'id', 'no.', 'version', 'isbn', 'zip', 'postcode', 'po box', 'license', 'licence', 'passport', 'card', 'cc', 'iban', 'apt', 'suite', 'unit']);
const ISO_DATE_START = /^\d{4}-\d{2}-\d{2}(?!\d)/;
const DATE_SEPARATORS = /^(\d{1,4})([ .-])(\d{1,2})\2(\d{1,4})$/;

function looksLikeDate(body: string): boolean {
  const m = DATE_SEPARATORS.exec(body);
  if (!m) return false;
  const [, a = '', , b = '', c = ''] = m;
  const month = Number(b);
  const day = (x: string): boolean => Number(x) >= 1 && Number(x) <= 31;
  if (a.length === 4) return month >= 1 && month <= 12 && day(c) && c.length <= 2; // Y-M-D
  if (c.length === 4 || c.length === 2) {
    // D.M.Y or M/D/Y
    return (day(a) && month >= 1 && month <= 12) || (Number(a) >= 1 && Number(a) <= 12 && day(b));
  }
  return false;
}

/** Dotted runs with a one-digit group (1.2.3, 10.0.19041.1) are versions; four ≤3-digit groups are IPv4. */
function looksLikeVersionOrIp(body: string): boolean {
  if (!/^[\d.]+$/.test(body)) return false;
  const groups = body.split('.');
  return groups.some((g) => g.length === 1) || (groups.length === 4 && groups.every((g) => g.length <= 3));
}

function baseScore(body: string, digits: number, international: boolean, groups: string[]): number {
  if (international) return digits >= 8 ? 0.75 : 0.5;
  if (body.includes('(')) return 0.7;
  if (groups.length === 1) return 0.3; // bare digits
  const nanp = /^(?:1[ .-])?\d{3}[ .-]\d{3}[ .-]\d{4}$/.test(body);
  if (nanp) return 0.7;
  // Space-only groups are as often house numbers and postcodes ("704 1436 Redbud Dr"); a trunk
  // prefix 0 or ten-plus digits make a phone likelier, else a phone word must be near.
  if (!/[.-]/.test(body)) return body.startsWith('0') || digits >= 10 ? 0.6 : 0.45;
  return digits >= 9 ? 0.6 : 0.5;
}

function phoneSpan(text: string, start: number, match: string): PiiSpan | undefined {
  const body = match.replace(/[ ]?(?:x|ext\.?)[ ]?\d+$/, '');
  const digits = body.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return undefined;
  const international = body.startsWith('+');
  const groups = body.replace(/^\+\d{1,3}[ .-]?/, '').split(/[ .-]+/).filter((g) => g !== '');
  if (!international && !body.includes('(')) {
    if (looksLikeDate(body) || ISO_DATE_START.test(body) || looksLikeVersionOrIp(body)) return undefined;
    if (/^\d{3}-\d{2}-\d{4}$/.test(body)) return undefined; // US SSN shape
  }
  const end = start + match.length;
  if (hasContextBefore(text, start, NOT_PHONE, 24) && !hasContext(text, start, end, STRONG)) return undefined;
  const score = contextScore(text, start, end, baseScore(body, digits, international, groups), CONTEXT);
  return ruleSpan('PHONE_NUMBER', text, start, end, score);
}

export const phoneRecognizer: RuleRecognizer = {
  type: 'PHONE_NUMBER',
  find: (text) => scan(text, PHONE, (m) => phoneSpan(text, m.index, m[0])),
};
