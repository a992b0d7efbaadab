// Scores routed cases against their expectations: accuracy, confusion matrix and per-class
// precision/recall for decisions and for models (each over the cases that expect one), the worst
// misroutes, and routing time.
import { evaluate, type EvaluationReport } from '../inference/evaluation.js';
import type { Protocol } from '../protocol/ir.js';
import type { BadLine, RoutingCase } from './eval-routing-dataset.js';

/** What routing did with one case. */
export interface RoutedCase {
  case: RoutingCase;
  /** The protocol it was routed in (chat, unless the line gave a "body"). */
  protocol?: Protocol;
  decision: string;
  /** The model that would serve it; NO_MODEL when the request is refused. */
  model: string;
  /** The chosen decision's rule confidence. */
  confidence: number;
  /** The expected decision's rule confidence, when the case expects one. */
  expectedConfidence?: number;
  ms: number;
}

/** The model of a refused request; parentheses keep it apart from any configured model name. */
export const NO_MODEL = '(none)';
export const MAX_MISROUTES = 10;
const SNIPPET_CHARS = 80;

export interface Misroute {
  line: number;
  /** A "body" line's protocol (as given or inferred); absent for "text" and "messages" lines (chat). */
  protocol?: Protocol;
  text: string;
  expected_decision?: string;
  decision: string;
  expected_model?: string;
  model: string;
  confidence: number;
  expected_confidence?: number;
}

export interface RoutingEvalReport {
  config: string;
  dataset: string;
  /** Non-empty lines in the dataset. */
  lines: number;
  evaluated: number;
  bad_lines: BadLine[];
  /** Over the evaluated lines with expected_decision; null when none has one. */
  decisions: EvaluationReport | null;
  /** Over the evaluated lines with expected_model; null when none has one. */
  models: EvaluationReport | null;
  misroute_count: number;
  /** Widest margin first (chosen decision's confidence minus the expected one's), at most MAX_MISROUTES. */
  worst_misroutes: Misroute[];
  routing_ms: { mean: number; p99: number };
}

/** `order` first (those that occur), then any other label seen, in order of appearance. */
function labelsSeen(order: readonly string[], seen: readonly string[]): string[] {
  const present = new Set(seen);
  const known = order.filter((l) => present.has(l));
  return [...known, ...[...present].filter((l) => !order.includes(l))];
}

function score(pairs: { truth: string; predicted: string }[], order: readonly string[]): EvaluationReport | null {
  if (pairs.length === 0) return null;
  return evaluate(labelsSeen(order, pairs.flatMap((p) => [p.truth, p.predicted])), pairs);
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function isMisroute(r: RoutedCase): boolean {
  const { expectedDecision, expectedModel } = r.case;
  return (expectedDecision !== undefined && expectedDecision !== r.decision) || (expectedModel !== undefined && expectedModel !== r.model);
}

function misroute(r: RoutedCase): Misroute {
  const c = r.case;
  return {
    line: c.line,
    ...(c.body && r.protocol ? { protocol: r.protocol } : {}),
    text: c.text.replace(/\s+/g, ' ').slice(0, SNIPPET_CHARS),
    ...(c.expectedDecision !== undefined ? { expected_decision: c.expectedDecision } : {}),
    decision: r.decision,
    ...(c.expectedModel !== undefined ? { expected_model: c.expectedModel } : {}),
    model: r.model,
    confidence: r.confidence,
    ...(r.expectedConfidence !== undefined ? { expected_confidence: r.expectedConfidence } : {}),
  };
}

/** How wrong a misroute is: how sure routing was of its choice over the expected decision. */
const margin = (r: RoutedCase) => r.confidence - (r.expectedConfidence ?? 0);

export function routingReport(
  source: { config: string; dataset: string; lines: number; bad: BadLine[] },
  routed: readonly RoutedCase[],
  order: { decisions: readonly string[]; models: readonly string[] },
): RoutingEvalReport {
  const decisionPairs = routed.filter((r) => r.case.expectedDecision !== undefined).map((r) => ({ truth: r.case.expectedDecision!, predicted: r.decision }));
  const modelPairs = routed.filter((r) => r.case.expectedModel !== undefined).map((r) => ({ truth: r.case.expectedModel!, predicted: r.model }));
  const wrong = routed.filter(isMisroute);
  const worst = [...wrong].sort((a, b) => margin(b) - margin(a) || a.case.line - b.case.line).slice(0, MAX_MISROUTES);
  const times = routed.map((r) => r.ms);
  return {
    config: source.config,
    dataset: source.dataset,
    lines: source.lines,
    evaluated: routed.length,
    bad_lines: [...source.bad].sort((a, b) => a.line - b.line),
    decisions: score(decisionPairs, order.decisions),
    models: score(modelPairs, [...order.models, NO_MODEL]),
    misroute_count: wrong.length,
    worst_misroutes: worst.map(misroute),
    routing_ms: { mean: times.length ? times.reduce((a, b) => a + b, 0) / times.length : 0, p99: percentile(times, 99) },
  };
}

/** The accuracies below `min` as messages (decisions and models, where measured). */
export function belowMinimum(report: RoutingEvalReport, min: number): string[] {
  const out: string[] = [];
  if (report.decisions && report.decisions.accuracy < min) out.push(`decision accuracy ${report.decisions.accuracy.toFixed(4)} is below ${min}`);
  if (report.models && report.models.accuracy < min) out.push(`model accuracy ${report.models.accuracy.toFixed(4)} is below ${min}`);
  return out;
}
