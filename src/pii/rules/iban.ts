// IBANs: country code + 2 check digits + BBAN, compact or printed in groups of four separated by
// single spaces, any letter case. Reported only when the country is in IBAN_LENGTHS, the length
// matches that country and the mod-97 checksum holds (score 1.0). Not matched: other separators,
// countries outside the table, IBANs glued to further letters or digits.
import { ibanChecksumValid } from '../checksums.js';
import type { PiiSpan } from '../types.js';
import { IBAN_LENGTHS } from './iban-lengths.js';
import { type RuleRecognizer, ruleSpan, scan } from './recognizer.js';

// One character (and an optional single space) per iteration: linear. The country length trims it.
const CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}/g;

function isAlnum(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9]/.test(c);
}

/** Trims the candidate to its country's length; undefined when short, glued on, or failing mod-97. */
function validIban(text: string, start: number, candidate: string): PiiSpan | undefined {
  const expected = IBAN_LENGTHS[candidate.slice(0, 2).toUpperCase()];
  if (expected === undefined) return undefined;
  let compact = '';
  let end = 0;
  while (end < candidate.length && compact.length < expected) {
    const c = candidate[end] ?? '';
    if (c !== ' ') compact += c;
    end++;
  }
  if (compact.length !== expected || isAlnum(text[start + end])) return undefined;
  if (!ibanChecksumValid(compact)) return undefined;
  return ruleSpan('IBAN_CODE', text, start, start + end, 1);
}

export const ibanRecognizer: RuleRecognizer = {
  type: 'IBAN_CODE',
  find: (text) => scan(text, CANDIDATE, (m) => validIban(text, m.index, m[0])),
};
