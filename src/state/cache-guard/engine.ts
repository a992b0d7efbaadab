// Runs the enabled rules over two prepared texts, in order, and stops at the first that disagrees.
// A text is read once (PreparedText) and each rule's features are extracted on first use, so the
// request side is shared by every candidate and a candidate rejected early costs little.
import type { CacheGuardSettings } from '../../config/schema/state.js';
import type { CacheGuardVerdict } from './index.js';
import type { GuardRule } from './rule.js';
import { readText, type GuardText } from './text.js';
import { buildRules } from './rules.js';

export interface PreparedText {
  readonly text: GuardText;
  /** Features by rule index, extracted on first use. */
  readonly features: unknown[];
}

export class GuardEngine {
  private readonly rules: Array<GuardRule<unknown>>;

  constructor(readonly settings: CacheGuardSettings) {
    this.rules = buildRules(settings);
  }

  prepare(text: string): PreparedText {
    return { text: readText(text), features: [] };
  }

  compare(request: PreparedText, candidate: PreparedText): CacheGuardVerdict {
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      const detail = rule.compare(features(rule, i, request), features(rule, i, candidate));
      if (detail !== undefined) return { pass: false, rule: rule.name, detail };
    }
    return { pass: true };
  }
}

function features(rule: GuardRule<unknown>, i: number, p: PreparedText): unknown {
  if (!(i in p.features)) p.features[i] = rule.extract(p.text);
  return p.features[i];
}
