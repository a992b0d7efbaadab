// What the request path needs to use shared state: the store, and where its faults are reported.
// A fault never fails a request: the feature (affinity, cache) is skipped for that request, counted,
// and logged at most once per interval.
import type { Config } from '../config/schema.js';
import { usesCache } from '../config/references.js';
import { createStateStore } from '../state/index.js';
import { NearCacheStore } from '../state/near-cache.js';
import { StateUnavailable, type StateStore } from '../state/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { RouterMetrics, StateOp } from '../telemetry/metrics.js';
import { errorMessage } from '../telemetry/errors.js';

export interface StateContext {
  store: StateStore;
  metrics: RouterMetrics;
  /** Rate-limited: one line per interval however many requests hit the fault. */
  log: Logger;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false };

/** Runs one state operation; a failure is reported and becomes { ok: false }. */
export async function attempt<T>(ctx: StateContext, op: StateOp, work: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    const reason = e instanceof StateUnavailable ? e.reason : 'error';
    ctx.metrics.recordStateError(op, reason);
    ctx.log.warn('state operation skipped; the request goes on without it', { op, reason, error: errorMessage(e) });
    return { ok: false };
  }
}

/** Fire and forget (writes on the request path): never awaited, never unhandled. */
export function background(ctx: StateContext, op: StateOp, work: () => Promise<unknown>): void {
  void attempt(ctx, op, work);
}

/**
 * The state context for a config, or undefined when neither affinity, the cache nor stored responses are on. Created
 * once at start: state settings apply at the next restart (a reload warns when they change).
 */
export function createStateContext(config: Config, metrics: RouterMetrics, logger: Logger): StateContext | undefined {
  if (!config.affinity.enabled && !usesCache(config) && !config.responses.store.enabled) return undefined;
  const log = logger.rateLimited('state-fault', 10_000);
  const shared = createStateStore(config.state, {
    logger,
    onBreakerChange: (state) => {
      metrics.setStateAvailable(state !== 'open');
      if (state === 'open') logger.warn('state backend unavailable: affinity and cache are skipped until it recovers', { backend: config.state.backend });
      else if (state === 'closed') logger.info('state backend recovered', { backend: config.state.backend });
    },
  });
  const near = config.cache.near;
  const store =
    shared.backend === 'redis' && usesCache(config) && near.max_entries > 0
      ? new NearCacheStore(shared, { maxEntries: near.max_entries, maxBytes: near.max_bytes, ttlMs: near.ttl_seconds * 1000 })
      : shared;
  return { store, metrics, log };
}
