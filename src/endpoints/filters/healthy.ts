// healthy: drops endpoints whose metrics are unknown (never scraped, scrape failing, or older than
// the staleness bound). When that would leave none, every endpoint stays: a scrape outage degrades
// the pick (scored as unknown) and never fails a request.
import type { Filter } from '../types.js';

export function healthyFilter(name = 'healthy'): Filter {
  return {
    type: 'healthy',
    name,
    filter: (_req, cs) => {
      const known = cs.filter((c) => c.metrics !== undefined);
      return { kind: 'kept', candidates: known.length > 0 ? known : cs };
    },
  };
}
