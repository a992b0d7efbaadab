// Classification figures for the build report and models/README.md.

export interface ClassFigures {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export function accuracy(truth: readonly number[], predicted: readonly number[]): number {
  if (truth.length === 0) return 0;
  let ok = 0;
  truth.forEach((t, i) => {
    if (predicted[i] === t) ok++;
  });
  return ok / truth.length;
}

export function perClassFigures(truth: readonly number[], predicted: readonly number[], labels: readonly string[]): ClassFigures[] {
  return labels.map((label, c) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    truth.forEach((t, i) => {
      const p = predicted[i];
      if (p === c && t === c) tp++;
      else if (p === c) fp++;
      else if (t === c) fn++;
    });
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support: tp + fn };
  });
}

export const round = (x: number, digits = 4): number => Number(x.toFixed(digits));
