// Endpoint mode: semroute also picks the backend endpoint of the chosen model, as the Gateway API
// Inference Extension's endpoint picker does. The pick is the endpoint with the fewest requests in
// flight from this replica, ties taken in turn (round robin), so an idle fleet is spread evenly.
import type { ModelConfig } from '../config/schema.js';
import type { InflightTracker } from './load.js';

/** The in-flight key of one endpoint of one model. */
export function endpointLoadKey(model: string, endpoint: string): string {
  return `${model}@${endpoint}`;
}

export class EndpointPicker {
  private turn = 0;

  constructor(private readonly inflight: InflightTracker) {}

  pick(model: ModelConfig): string | undefined {
    const eps = model.endpoints;
    if (eps.length === 0) return undefined;
    const start = this.turn++ % eps.length;
    let best = eps[start]!;
    let bestLoad = this.inflight.get(endpointLoadKey(model.name, best));
    for (let i = 1; i < eps.length && bestLoad > 0; i++) {
      const ep = eps[(start + i) % eps.length]!;
      const load = this.inflight.get(endpointLoadKey(model.name, ep));
      if (load < bestLoad) [best, bestLoad] = [ep, load];
    }
    return best;
  }
}
