// inflight: requests this replica has in flight on the endpoint (known at once, unlike a scrape,
// which lags by up to its interval); fewer is better. Today's least-in-flight pick as a scorer.
import type { Scorer } from '../types.js';
import { lowerIsBetter } from './normalize.js';

export function inflightScorer(name = 'inflight'): Scorer {
  return { type: 'inflight', name, score: (_req, cs) => lowerIsBetter(cs.map((c) => c.inflight)) };
}
