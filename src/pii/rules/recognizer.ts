// The shape every rule recogniser has, and the one loop that runs a global regex over a text.
import type { PiiSpan, RulePiiType } from '../types.js';

export interface RuleRecognizer {
  readonly type: RulePiiType;
  /** Every candidate in `text` with its score; overlaps between recognisers are resolved later. */
  find(text: string): PiiSpan[];
}

/**
 * Runs a sticky-free global regex over `text` and hands each match to `accept`, which returns the
 * span to keep (possibly narrowed) or undefined. A fresh RegExp per call keeps this re-entrant.
 */
export function scan(
  text: string,
  pattern: RegExp,
  accept: (m: RegExpExecArray) => PiiSpan | undefined,
): PiiSpan[] {
  const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
  const out: PiiSpan[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const span = accept(m);
    if (span) out.push(span);
  }
  return out;
}

export function ruleSpan(type: RulePiiType, text: string, start: number, end: number, score: number): PiiSpan {
  return { type, start, end, text: text.slice(start, end), score, source: 'rule' };
}
