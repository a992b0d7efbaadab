// Plugin instances from config, by type. Adding a plugin: its file, a case here, and its entry in
// config/schema/endpoint-picker.ts (the switches are exhaustive, so a missing case fails to compile).
import type { EndpointPickerConfig } from '../config/schema/endpoint-picker.js';
import { healthyFilter } from './filters/healthy.js';
import { saturatedFilter } from './filters/saturated.js';
import { subsetFilter } from './filters/subset.js';
import { maxScorePicker } from './pickers/max-score.js';
import { powerOfTwoPicker } from './pickers/power-of-two.js';
import { roundRobinPicker } from './pickers/round-robin.js';
import type { PrefixIndex } from './prefix/prefix-index.js';
import type { WeightedScorer } from './scheduler.js';
import { inflightScorer } from './scorers/inflight.js';
import { kvCacheScorer } from './scorers/kv-cache.js';
import { loraScorer } from './scorers/lora.js';
import { prefixScorer } from './scorers/prefix.js';
import { queueScorer } from './scorers/queue.js';
import { runningScorer } from './scorers/running.js';
import { sessionScorer } from './scorers/session.js';
import type { Filter, Picker, Scorer } from './types.js';

type FilterConfig = EndpointPickerConfig['filters'][number];
type ScorerConfig = EndpointPickerConfig['scorers'][number];

export function buildFilter(c: FilterConfig): Filter {
  const n = c.name ?? c.type;
  switch (c.type) {
    case 'healthy':
      return healthyFilter(n);
    case 'subset':
      return subsetFilter(n);
    case 'saturated':
      return saturatedFilter({ maxWaiting: c.max_waiting, maxKvUsage: c.max_kv_usage }, n);
  }
}

export function buildScorer(c: ScorerConfig, prefix: PrefixIndex): WeightedScorer {
  const n = c.name ?? c.type;
  let scorer: Scorer;
  switch (c.type) {
    case 'queue':
      scorer = queueScorer(n);
      break;
    case 'running':
      scorer = runningScorer(n);
      break;
    case 'kv_cache':
      scorer = kvCacheScorer(n);
      break;
    case 'inflight':
      scorer = inflightScorer(n);
      break;
    case 'prefix':
      scorer = prefixScorer(prefix, n);
      break;
    case 'session':
      scorer = sessionScorer(n);
      break;
    case 'lora':
      scorer = loraScorer(n);
      break;
  }
  return { scorer, weight: c.weight };
}

export function buildPicker(type: EndpointPickerConfig['picker']): Picker {
  switch (type) {
    case 'max_score':
      return maxScorePicker();
    case 'power_of_two':
      return powerOfTwoPicker();
    case 'round_robin':
      return roundRobinPicker();
  }
}
