// The human form of a routing eval report.
import { formatReport, type EvaluationReport } from '../inference/evaluation.js';
import type { RoutingEvalReport } from './eval-routing-report.js';
import { table } from './explain-format.js';

function section(title: string, expectation: string, r: EvaluationReport | null): string {
  if (!r) return `${title}: no line has ${expectation}\n`;
  return `${title} (${r.count} line${r.count === 1 ? '' : 's'} with ${expectation})\n${formatReport(r)}`;
}

function misroutes(r: RoutingEvalReport): string {
  if (r.misroute_count === 0) return 'misroutes: none\n';
  const rows = r.worst_misroutes.map((m) => {
    // The model is shown only where the line expects one.
    const expected = [m.expected_decision ?? '*', ...(m.expected_model !== undefined ? [m.expected_model] : [])].join(' / ');
    const got = [m.decision, ...(m.expected_model !== undefined ? [m.model] : [])].join(' / ');
    const expectedConf = m.expected_confidence !== undefined ? m.expected_confidence.toFixed(2) : '';
    return [String(m.line), expected, expectedConf, got, m.confidence.toFixed(2), `${JSON.stringify(m.text)}${m.protocol ? ` (${m.protocol})` : ''}`];
  });
  const shown = r.worst_misroutes.length < r.misroute_count ? `worst ${r.worst_misroutes.length} of ${r.misroute_count}` : `${r.misroute_count}`;
  return `misroutes (${shown}, widest confidence margin first):\n${table([['line', 'expected', 'conf', 'got', 'conf', 'text'], ...rows])}\n`;
}

export function formatRoutingReport(r: RoutingEvalReport): string {
  const parts = [
    `config: ${r.config}\ndataset: ${r.dataset} (${r.lines} lines: ${r.evaluated} evaluated, ${r.bad_lines.length} bad)\n`,
    ...(r.bad_lines.length ? [`bad lines:\n${r.bad_lines.map((b) => `  line ${b.line}: ${b.error}\n`).join('')}`] : []),
    section('decisions', 'expected_decision', r.decisions),
    section('models', 'expected_model', r.models),
    misroutes(r),
    `routing time: mean ${r.routing_ms.mean.toFixed(2)} ms, p99 ${r.routing_ms.p99.toFixed(2)} ms\n`,
  ];
  return parts.join('\n');
}
