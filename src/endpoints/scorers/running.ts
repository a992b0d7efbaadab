// running: requests in the endpoint's batch (vllm:num_requests_running); fewer is better.
import type { Scorer } from '../types.js';
import { lowerIsBetter } from './normalize.js';

export function runningScorer(name = 'running'): Scorer {
  return { type: 'running', name, score: (_req, cs) => lowerIsBetter(cs.map((c) => c.metrics?.running)) };
}
