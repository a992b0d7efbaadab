// subset: the GIE endpoint-picker protocol's subset hint (envoy.lb.subset_hint metadata): only the
// listed endpoints may be picked; none of them known is 503, as the protocol says.
import type { Filter } from '../types.js';

export function subsetFilter(name = 'subset'): Filter {
  return {
    type: 'subset',
    name,
    filter: (req, cs) => {
      const subset = req.subset;
      if (!subset) return { kind: 'kept', candidates: cs };
      const kept = cs.filter((c) => subset.has(c.address));
      if (kept.length > 0) return { kind: 'kept', candidates: kept };
      return { kind: 'refused', outcome: 'none_eligible', reason: `none of the ${subset.size} endpoint(s) in the subset hint serves ${req.model}` };
    },
  };
}
