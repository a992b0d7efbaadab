// Classification metrics over (true, predicted) label pairs: accuracy, per-class precision /
// recall / F1 / support, and the confusion matrix (rows: true label, columns: predicted).

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvaluationReport {
  count: number;
  accuracy: number;
  labels: string[];
  per_class: Record<string, ClassMetrics>;
  macro_f1: number;
  /** confusion[i][j]: examples of labels[i] predicted as labels[j]. */
  confusion: number[][];
}

export function evaluate(labels: readonly string[], pairs: readonly { truth: string; predicted: string }[]): EvaluationReport {
  const index = new Map(labels.map((l, i) => [l, i]));
  const confusion = labels.map(() => labels.map(() => 0));
  let correct = 0;
  for (const { truth, predicted } of pairs) {
    const t = index.get(truth);
    const p = index.get(predicted);
    if (t === undefined || p === undefined) throw new Error(`label outside ${labels.join(', ')}: ${t === undefined ? truth : predicted}`);
    confusion[t]![p]!++;
    if (t === p) correct++;
  }
  const per_class: Record<string, ClassMetrics> = {};
  labels.forEach((l, i) => {
    const tp = confusion[i]![i]!;
    const support = confusion[i]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[i]!, 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    per_class[l] = { precision, recall, f1, support };
  });
  const macro_f1 = labels.length === 0 ? 0 : labels.reduce((a, l) => a + per_class[l]!.f1, 0) / labels.length;
  return { count: pairs.length, accuracy: pairs.length === 0 ? 0 : correct / pairs.length, labels: [...labels], per_class, macro_f1, confusion };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

export function formatReport(r: EvaluationReport): string {
  const f = (x: number) => x.toFixed(4);
  const correct = r.labels.reduce((a, _, i) => a + r.confusion[i]![i]!, 0);
  const metrics = table([
    ['label', 'precision', 'recall', 'f1', 'support'],
    ...r.labels.map((l) => {
      const m = r.per_class[l]!;
      return [l, f(m.precision), f(m.recall), f(m.f1), String(m.support)];
    }),
    ['macro avg', '', '', f(r.macro_f1), String(r.count)],
  ]);
  const confusion = table([['true \\ predicted', ...r.labels], ...r.labels.map((l, i) => [l, ...r.confusion[i]!.map(String)])]);
  return `accuracy: ${f(r.accuracy)} (${correct}/${r.count})\n\n${metrics}\n\nconfusion matrix (rows: true label, columns: predicted)\n${confusion}\n`;
}
