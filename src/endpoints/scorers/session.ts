// session: 1 for the endpoint the conversation is pinned to (affinity.enabled; the pin written by
// the previous turn), 0 for the others. Its weight says how much load imbalance a pin may cost.
import type { Scorer } from '../types.js';

export function sessionScorer(name = 'session'): Scorer {
  return { type: 'session', name, score: (req, cs) => cs.map((c) => (req.pinned !== undefined && c.address === req.pinned ? 1 : 0)) };
}
