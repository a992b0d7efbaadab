// The framework: filters in order, then every scorer (scores clamped to [0, 1] and weighted), then
// the picker's order, cut to the pick plus `fallbacks`. A filter refusing becomes a typed outcome
// (none_eligible → 503, shed → 429: pipeline/endpoint-step.ts holds that table).
import type { Candidate, Filter, Picker, PickRequest, Scorer } from './types.js';

export interface WeightedScorer {
  scorer: Scorer;
  weight: number;
}

export type ScheduleResult =
  | { kind: 'picked'; endpoints: string[]; scores: number[] }
  | { kind: 'refused'; outcome: 'none_eligible' | 'shed'; reason: string };

export class EndpointScheduler {
  constructor(
    private readonly filters: readonly Filter[],
    private readonly scorers: readonly WeightedScorer[],
    private readonly picker: Picker,
    private readonly fallbacks: number,
    private readonly random: () => number = Math.random,
  ) {}

  schedule(req: PickRequest, all: readonly Candidate[]): ScheduleResult {
    if (all.length === 0) return { kind: 'refused', outcome: 'none_eligible', reason: `no endpoint of ${req.model} is known` };
    let cs = all;
    for (const f of this.filters) {
      const r = f.filter(req, cs);
      if (r.kind === 'refused') return r;
      cs = r.candidates;
    }
    const total = new Array<number>(cs.length).fill(0);
    for (const { scorer, weight } of this.scorers) {
      const s = scorer.score(req, cs);
      for (let i = 0; i < cs.length; i++) {
        const v = s[i] ?? 0;
        total[i]! += weight * (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);
      }
    }
    const order = this.picker.order(cs.map((candidate, i) => ({ candidate, score: total[i]! })), this.random).slice(0, 1 + this.fallbacks);
    const score = new Map(cs.map((c, i) => [c, total[i]!]));
    return { kind: 'picked', endpoints: order.map((c) => c.address), scores: order.map((c) => score.get(c) ?? 0) };
  }
}
