// Shared by the load scorers: lower is better, scaled over the candidates that report the value
// (the least loaded scores 1, the most loaded 0, all equal: 1). An endpoint whose value is unknown
// scores 0, as loaded as the worst: unknown is never taken for idle.
export function lowerIsBetter(values: readonly (number | undefined)[]): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v === undefined) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.map((v) => (v === undefined ? 0 : max === min ? 1 : (max - v) / (max - min)));
}
