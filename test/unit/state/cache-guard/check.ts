// Runs one guard rule on two texts, as the engine does: undefined when they agree, else the detail.
import type { GuardRule } from '../../../../src/state/cache-guard/rule.js';
import { readText } from '../../../../src/state/cache-guard/text.js';

export function ruleCheck<F>(rule: GuardRule<F>): (a: string, b: string) => string | undefined {
  return (a, b) => rule.compare(rule.extract(readText(a)), rule.extract(readText(b)));
}
