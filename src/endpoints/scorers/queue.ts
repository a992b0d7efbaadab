// queue: requests waiting on the endpoint (vllm:num_requests_waiting); fewer is better.
import type { Scorer } from '../types.js';
import { lowerIsBetter } from './normalize.js';

export function queueScorer(name = 'queue'): Scorer {
  return { type: 'queue', name, score: (_req, cs) => lowerIsBetter(cs.map((c) => c.metrics?.waiting)) };
}
