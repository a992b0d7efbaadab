// The decision step alone (rule trees over signal results, in priority order), µs per request for
// 10 and 100 decisions, against a same-run baseline: one Map lookup per decision (the least any
// evaluation must do). Signals are not run here; their cost is in the suite's keyword-10/-100
// scenarios. Worst case: only the last (default) decision matches, so every rule is evaluated.
//   node dist/perf/decision-bench.js [--iterations 200000]
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../src/config/load.js';
import { Router } from '../src/routing/router.js';
import type { SignalResult } from '../src/signals/types.js';
import { keywordConfig } from './scenarios.js';

/** A config with `n` keyword decisions whose rules are small trees (AND, OR and NOT mixed). */
function treeConfig(n: number) {
  const doc = parseYaml(keywordConfig(n)) as { decisions: Array<{ name: string; rules: unknown }> };
  doc.decisions.forEach((d, i) => {
    if (d.name === 'fallback') return;
    const next = `kw${(i + 1) % n}`;
    d.rules = i % 3 === 0 ? { all: [`kw${i}`, { not: [next] }] } : i % 3 === 1 ? { any: [`kw${i}`, { all: [next, `kw${i}`] }] } : `kw${i}`;
  });
  return parseConfig(doc);
}

function timeUs(iterations: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(10_000, iterations); i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1000 / iterations;
}

function main(): void {
  const { values } = parseArgs({ options: { iterations: { type: 'string', default: '200000' } } });
  const iterations = Number(values.iterations);
  const lines = ['| decisions | decision step µs/request | baseline (map lookups) µs | ratio |', '|---|---|---|---|'];
  const rows = [];
  for (const n of [10, 100]) {
    const router = new Router(treeConfig(n));
    // Nothing matched but the (always true) default: every rule tree is evaluated.
    const results = new Map<string, SignalResult>();
    for (let i = 0; i < n; i++) results.set(`kw${i}`, { matched: false, confidence: 0 });
    const names = [...results.keys()];
    let sink = 0;
    const base = timeUs(iterations, () => {
      for (const k of names) if (results.get(k)!.matched) sink++;
    });
    const step = timeUs(iterations, () => router.choose(results));
    if (router.choose(results).decision !== 'fallback' || sink !== 0) throw new Error('unexpected decision');
    rows.push({ decisions: n, stepUs: step, baselineUs: base });
    lines.push(`| ${n} | ${step.toFixed(2)} | ${base.toFixed(2)} | ${(step / base).toFixed(1)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stdout.write(`${JSON.stringify({ node: process.version, iterations, rows })}\n`);
}

main();
