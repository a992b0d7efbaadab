// Payment card numbers: 13–19 digits, optionally grouped by single spaces or dashes, with a known
// issuer prefix and a valid Luhn check digit (score 1.0). 12-digit numbers (Maestro) pass the
// same checks only with a card word nearby, scoring 0.9: one random number in ten passes Luhn.
// Not matched: numbers glued to other digits or letters, Luhn failures.
import { luhnValid } from '../checksums.js';
import { contextRegExp, hasContext } from '../context.js';
import type { PiiSpan } from '../types.js';
import { type RuleRecognizer, ruleSpan, scan } from './recognizer.js';

// One digit per iteration and an optional separator: no ambiguity, at most 19 iterations per start.
const CANDIDATE = /(?<![\w-])(?:\d[ -]?){11,18}\d(?![\d])/g;
const CARD_WORDS = contextRegExp(['card', 'cc', 'credit', 'debit', 'visa', 'mastercard', 'amex', 'maestro', 'payment']);

/** Issuer identification: Visa 4, Mastercard 2/5, Amex/Diners/JCB 3, Discover/Maestro/UnionPay 6, JCB 1800/2131. */
function knownIssuer(digits: string): boolean {
  const first = digits.charCodeAt(0) - 48;
  return (first >= 2 && first <= 6) || digits.startsWith('1800');
}

/** 1 for a valid card, 0.9 for a valid 12-digit number near a card word, 0 otherwise. */
function cardScore(digits: string, cardWordNear: () => boolean): number {
  if (digits.length < 12 || digits.length > 19 || !luhnValid(digits)) return 0;
  if (digits.length === 12) return cardWordNear() ? 0.9 : 0;
  return knownIssuer(digits) ? 1 : 0;
}

/** The whole candidate if it validates, else its longest prefix ending at a separator that does. */
function bestCard(text: string, start: number, candidate: string): PiiSpan | undefined {
  let end = candidate.length;
  for (;;) {
    const digits = candidate.slice(0, end).replace(/[ -]/g, '');
    const score = cardScore(digits, () => hasContext(text, start, start + end, CARD_WORDS));
    if (score > 0) return ruleSpan('CREDIT_CARD', text, start, start + end, score);
    const sep = Math.max(candidate.lastIndexOf(' ', end - 1), candidate.lastIndexOf('-', end - 1));
    if (sep <= 0) return undefined;
    end = sep;
  }
}

export const creditCardRecognizer: RuleRecognizer = {
  type: 'CREDIT_CARD',
  find: (text) => scan(text, CANDIDATE, (m) => bestCard(text, m.index, m[0])),
};
