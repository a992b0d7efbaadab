// Rule trees over signal results. AND = all match (confidence: mean), OR = any matches
// (confidence: max of the matching), NOT = inverts a match (confidence: 1 - child's).
// An empty AND always matches with confidence 1; an empty OR never matches.
import type { RuleNode } from '../config/schema.js';
import type { SignalResult } from '../signals/types.js';

export interface RuleOutcome {
  matched: boolean;
  confidence: number;
}

const NOT_MATCHED: RuleOutcome = { matched: false, confidence: 0 };

export function evaluateRule(rule: RuleNode, signals: ReadonlyMap<string, SignalResult>): RuleOutcome {
  if (typeof rule === 'string') {
    const r = signals.get(rule);
    return r && r.matched ? { matched: true, confidence: r.confidence } : NOT_MATCHED;
  }
  if ('all' in rule) {
    let sum = 0;
    for (const child of rule.all) {
      const c = evaluateRule(child, signals);
      if (!c.matched) return NOT_MATCHED;
      sum += c.confidence;
    }
    return { matched: true, confidence: rule.all.length ? sum / rule.all.length : 1 };
  }
  if ('any' in rule) {
    let best = NOT_MATCHED;
    for (const child of rule.any) {
      const c = evaluateRule(child, signals);
      if (c.matched && (!best.matched || c.confidence > best.confidence)) best = c;
    }
    return best;
  }
  const c = evaluateRule(rule.not[0]!, signals);
  return c.matched ? NOT_MATCHED : { matched: true, confidence: 1 - c.confidence };
}

/** Signal names a rule tree reads (so that only used signals run). */
export function ruleSignalNames(rule: RuleNode, out = new Set<string>()): Set<string> {
  if (typeof rule === 'string') out.add(rule);
  else for (const child of Object.values(rule)[0] as RuleNode[]) ruleSignalNames(child, out);
  return out;
}

/** One node of a rule tree with its outcome (explanations). */
export interface RuleTrace extends RuleOutcome {
  /** A signal name, or all / any / not. */
  node: string;
  children?: RuleTrace[];
}

/** evaluateRule, keeping every node's outcome; children are all evaluated (no short cut). */
export function traceRule(rule: RuleNode, signals: ReadonlyMap<string, SignalResult>): RuleTrace {
  if (typeof rule === 'string') return { node: rule, ...evaluateRule(rule, signals) };
  const [node, list] = Object.entries(rule)[0] as [string, RuleNode[]];
  return { node, ...evaluateRule(rule, signals), children: list.map((child) => traceRule(child, signals)) };
}
