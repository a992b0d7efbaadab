// Email addresses: a practical subset of RFC 5322 (dot-atom local part, DNS host name, alphabetic TLD).
// Not matched: quoted local parts, IP-literal domains, non-ASCII (IDN) addresses.
import { contextScore, contextRegExp } from '../context.js';
import { type RuleRecognizer, ruleSpan, scan } from './recognizer.js';

// Every quantifier is bounded and each part stops at a distinct delimiter (@, .), so a failed
// attempt costs at most ~64 + 8×64 steps: linear in the input.
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;
const CONTEXT = contextRegExp(['email', 'e-mail', 'mail', 'contact', 'address']);
const BASE_SCORE = 0.85;

function plausible(address: string): boolean {
  const at = address.indexOf('@');
  const local = address.slice(0, at);
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  return address
    .slice(at + 1)
    .split('.')
    .every((label) => !label.startsWith('-') && !label.endsWith('-'));
}

export const emailRecognizer: RuleRecognizer = {
  type: 'EMAIL_ADDRESS',
  find: (text) =>
    scan(text, EMAIL, (m) => {
      if (!plausible(m[0])) return undefined;
      const end = m.index + m[0].length;
      return ruleSpan('EMAIL_ADDRESS', text, m.index, end, contextScore(text, m.index, end, BASE_SCORE, CONTEXT));
    }),
};
