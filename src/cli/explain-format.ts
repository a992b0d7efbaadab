// The human form of an ExplainTrace: the request, a table of signals, each decision's rule tree,
// then the choice, the model, the plugins, the egress (native or translated), the cache and the
// refusal when there is one.
import type { EgressTrace, ExplainTrace, SignalTrace } from '../pipeline/explain.js';
import { PROTOCOL_API } from '../protocol/ir.js';
import type { RuleTrace } from '../routing/rules.js';

const mark = (matched: boolean) => (matched ? '✓' : '✗');
const conf = (x: number) => x.toFixed(2);
const ms = (x: number) => x.toFixed(2);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Rows as columns padded to their widest cell (the last column is not padded). */
export function table(rows: readonly string[][], indent = '  '): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
  return rows.map((r) => indent + r.map((cell, c) => cell + ' '.repeat(widths[c]! - [...cell].length)).join('  ').trimEnd()).join('\n');
}

function signalsTable(signals: readonly SignalTrace[]): string {
  const rows = signals.map((s) => [s.name, s.kind, mark(s.matched), conf(s.confidence), ms(s.ms), s.error ? `error: ${s.error}` : (s.detail ?? '')]);
  return table([['name', 'kind', 'matched', 'confidence', 'ms', 'detail'], ...rows]);
}

function ruleTree(rule: RuleTrace, depth: number): string[] {
  const line = `${'  '.repeat(depth)}${mark(rule.matched)} ${rule.node} ${conf(rule.confidence)}`;
  return [line, ...(rule.children ?? []).flatMap((c) => ruleTree(c, depth + 1))];
}

function requestLine(t: ExplainTrace): string {
  const r = t.request;
  // Chat by default (nothing in the body said otherwise) goes unsaid; any other inference is shown.
  const protocol = r.inferred !== undefined && r.protocol !== 'openai.chat' ? `${r.protocol} (inferred: ${r.inferred})` : r.protocol;
  if (t.route === 'error' && r.model === '' && r.messages === 0) return `request: ${protocol}, unreadable body`;
  return `request: ${protocol}, model "${r.model}", ${plural(r.messages, 'message')}, ~${plural(r.estimatedTokens, 'token')}${r.stream ? ', streaming' : ''}`;
}

function egressLine(e: EgressTrace, t: ExplainTrace): string {
  if (!('protocol' in e)) return `egress: refused: ${e.refused}`;
  const api = PROTOCOL_API[t.request.protocol];
  if (e.native) return `egress: native ${e.protocol} (${t.model} serves ${api}, POST ${e.path})`;
  return `egress: translated to chat completions (${t.model} does not serve ${api}; POST ${e.path}, answer translated back to ${t.request.protocol})`;
}

function cacheLines(c: NonNullable<ExplainTrace['cache']>): string[] {
  const how = c.match === 'semantic' ? `semantic (similarity ≥ ${c.similarity}, guard ${c.guard ? 'on' : 'off'})` : `exact only (${c.why ?? ''})`;
  const out = [`cache: ${how}`];
  if (c.lookup) {
    const found = c.lookup.similarity !== undefined && c.lookup.result === 'hit_semantic' ? ` ${c.lookup.similarity.toFixed(3)}` : '';
    out.push(`cache lookup: ${c.lookup.result}${found}`);
    for (const r of c.lookup.rejected) out.push(`  rejected ${r.similarity.toFixed(3)} guard:${r.rule}${r.detail ? ` (${r.detail})` : ''}`);
  }
  return out;
}

export function formatExplain(t: ExplainTrace): string {
  const out = [requestLine(t), ''];
  if (t.route === 'auto') {
    out.push(t.signals.length ? `signals:\n${signalsTable(t.signals)}` : 'signals: none used', '');
    out.push('decisions (evaluation order):');
    for (const d of t.decisions) {
      out.push(`  ${mark(d.matched)} ${d.name} (priority ${d.priority}) ${conf(d.confidence)}`);
      out.push(...ruleTree(d.rule, 2));
    }
    out.push('');
  }
  out.push(`decision: ${t.decision} (${t.why})`);
  // A refused request reaches no model, whatever candidate the decision had.
  if (t.model && !t.reply) out.push(`model: ${t.model} (${t.modelWhy ?? ''})`);
  if (t.route === 'auto') out.push(`plugins: ${t.plugins.length ? t.plugins.join(', ') : 'none'}`);
  if (t.egress && !t.reply) out.push(egressLine(t.egress, t));
  if (t.cache) out.push(...cacheLines(t.cache));
  if (t.reply) out.push(`${t.route === 'auto' ? 'blocked' : 'error'}: ${t.reply.status} ${t.reply.code}: ${t.reply.message}`);
  out.push(`total: ${ms(t.totalMs)} ms`);
  return `${out.join('\n')}\n`;
}
