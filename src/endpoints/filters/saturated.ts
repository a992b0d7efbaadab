// saturated: drops endpoints whose queue or KV cache is past its threshold. When every endpoint is
// saturated a sheddable request is refused (429) and any other keeps them all (it must be served:
// the least loaded then wins on score). An endpoint with unknown metrics is not judged here.
import type { Candidate, Filter } from '../types.js';

export interface SaturationParams {
  maxWaiting: number;
  maxKvUsage: number;
}

export function saturatedFilter(p: SaturationParams, name = 'saturated'): Filter {
  const saturated = (c: Candidate) => c.metrics !== undefined && (c.metrics.waiting > p.maxWaiting || c.metrics.kvUsage > p.maxKvUsage);
  return {
    type: 'saturated',
    name,
    filter: (req, cs) => {
      const open = cs.filter((c) => !saturated(c));
      if (open.length > 0) return { kind: 'kept', candidates: open };
      if (req.sheddable) return { kind: 'refused', outcome: 'shed', reason: `every endpoint of ${req.model} is saturated (queue over ${p.maxWaiting} or KV cache over ${p.maxKvUsage})` };
      return { kind: 'kept', candidates: cs };
    },
  };
}
