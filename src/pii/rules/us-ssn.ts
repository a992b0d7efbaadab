// US Social Security numbers, AAA-GG-SSSS. Excluded as never issued: area 000, 666 and 900–999,
// group 00, serial 0000. Dashed numbers score 0.85; spaced (0.45) and bare nine digits (0.3) are
// reported under the default minScore only with a context word such as "ssn" nearby.
import { contextRegExp, contextScore } from '../context.js';
import { type RuleRecognizer, ruleSpan, scan } from './recognizer.js';

const SSN = /(?<![\w-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w]|-\d)/g;
const CONTEXT = contextRegExp(['ssn', 'ss#', 'ss #', 'social security', 'social', 'taxpayer', 'tin', 'ssa']);

function issuable(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area.startsWith('9')) return false;
  return group !== '00' && serial !== '0000';
}

function baseScore(separator: string): number {
  if (separator === '-') return 0.85;
  return separator === ' ' ? 0.45 : 0.3;
}

export const usSsnRecognizer: RuleRecognizer = {
  type: 'US_SSN',
  find: (text) =>
    scan(text, SSN, (m) => {
      const [whole, area = '', sep = '', group = '', serial = ''] = m;
      if (!issuable(area, group, serial)) return undefined;
      const end = m.index + whole.length;
      return ruleSpan('US_SSN', text, m.index, end, contextScore(text, m.index, end, baseScore(sep), CONTEXT));
    }),
};
