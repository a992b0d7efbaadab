// kv_cache: 1 − KV-cache use (vllm:kv_cache_usage_perc): free cache is room to batch without
// preemption. Unknown scores 0.
import type { Scorer } from '../types.js';

export function kvCacheScorer(name = 'kv_cache'): Scorer {
  return { type: 'kv_cache', name, score: (_req, cs) => cs.map((c) => (c.metrics ? 1 - c.metrics.kvUsage : 0)) };
}
