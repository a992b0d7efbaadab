// What routing does to the forwarded request, as part of the cache partition: the decision's body
// edits (system prompt text, reasoning switch and effort, PII redaction), its header edits and the
// backend model. A hot reload that changes any of them must not serve answers produced under the
// old ones, though the decision and model names stay the same.
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { RoutingRequest } from '../protocol/ir.js';
import type { RouteChoice } from '../routing/router.js';
import { cacheKeys, canonicalJson } from '../state/identity.js';
import type { RoutingSnapshot } from './snapshot.js';

/** Per config version: decision \0 model → the fingerprint of its static settings. */
const cache = new WeakMap<Config, Map<string, string>>();

export function routeFingerprint(config: Config, choice: RouteChoice): string {
  let byRoute = cache.get(config);
  if (!byRoute) cache.set(config, (byRoute = new Map<string, string>()));
  const key = `${choice.decision}\0${choice.model.name}`;
  let fixed = byRoute.get(key);
  if (fixed === undefined) {
    const decision = config.decisions.find((d) => d.name === choice.decision);
    const candidate = decision?.models.find((c) => c.model === choice.model.name);
    const settings = {
      system_prompt: decision?.plugins.system_prompt,
      headers: decision?.plugins.headers,
      pii: decision?.plugins.pii,
      reasoning: candidate ? { reasoning: candidate.reasoning, effort: candidate.reasoning_effort } : undefined,
      served: choice.model.served_name ?? choice.model.name,
      family: choice.model.reasoning_family,
    };
    fixed = createHash('sha256').update(canonicalJson(settings)).digest('hex').slice(0, 32);
    byRoute.set(key, fixed);
  }
  // The edits this request got (redaction depends on the text; affinity may move the reasoning switch).
  return `${fixed}:${choice.applied.join(',')}`;
}

/** The cache partition and exact key of a routed request (the lookup and explain use the same). */
export function requestCacheKeys(snap: RoutingSnapshot, choice: RouteChoice, ir: RoutingRequest, tenant: string): ReturnType<typeof cacheKeys> {
  return cacheKeys({
    tenant,
    decision: choice.decision,
    model: choice.model.name,
    protocol: ir.protocol,
    stream: ir.stream,
    ir,
    route: routeFingerprint(snap.config, choice),
  });
}
