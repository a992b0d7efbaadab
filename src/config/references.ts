// Cross-reference checks the schema alone cannot express. Messages carry the exact path.
import type { Config, RuleNode } from './schema.js';

function duplicates(names: string[]): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const n of names) (seen.has(n) ? dups : seen).add(n);
  return [...dups];
}

function ruleSignals(rule: RuleNode, path: string, out: Array<{ name: string; path: string }>): void {
  if (typeof rule === 'string') {
    out.push({ name: rule, path });
    return;
  }
  const [op, children] = Object.entries(rule)[0] as [string, RuleNode[]];
  children.forEach((c, i) => ruleSignals(c, `${path}.${op}[${i}]`, out));
}

export function checkReferences(cfg: Config): string[] {
  const problems: string[] = [];
  const models = new Set<string>();
  for (const m of cfg.models) models.add(m.name);
  for (const d of duplicates(cfg.models.map((m) => m.name))) problems.push(`models: duplicate model name "${d}"`);

  const signalNames = cfg.signals.keyword.map((s) => s.name);
  for (const d of duplicates(signalNames)) problems.push(`signals: duplicate signal name "${d}"`);
  const known = new Set(signalNames);
  const knownList = [...known].join(', ') || 'none';

  for (const d of duplicates(cfg.decisions.map((x) => x.name))) problems.push(`decisions: duplicate decision name "${d}"`);
  cfg.decisions.forEach((decision, di) => {
    const refs: Array<{ name: string; path: string }> = [];
    ruleSignals(decision.rules, `decisions[${di}].rules`, refs);
    for (const r of refs) {
      if (!known.has(r.name)) problems.push(`${r.path}: unknown signal "${r.name}" (known: ${knownList})`);
    }
    decision.models.forEach((c, ci) => {
      if (!models.has(c.model)) problems.push(`decisions[${di}].models[${ci}].model: unknown model "${c.model}"`);
    });
  });

  const { default_decision, default_model, auto_model_names } = cfg.routing;
  if (default_decision !== undefined && !cfg.decisions.some((d) => d.name === default_decision)) {
    problems.push(`routing.default_decision: unknown decision "${default_decision}"`);
  }
  if (default_model !== undefined && !models.has(default_model)) {
    problems.push(`routing.default_model: unknown model "${default_model}"`);
  }
  auto_model_names.forEach((n, i) => {
    if (models.has(n)) problems.push(`routing.auto_model_names[${i}]: "${n}" is also a model name`);
  });
  return problems;
}
