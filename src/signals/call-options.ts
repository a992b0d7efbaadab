// The options of a signal's inference call: its abort, and (while the request's trace records)
// where the call's batch is reported.
import type { AbortLike } from '../inference/abort-like.js';
import type { CallOptions } from '../inference/index.js';
import type { RoutingRequest } from '../protocol/ir.js';

export function callOptions(ir: RoutingRequest, model: string, abort: AbortLike | undefined): CallOptions {
  const report = ir.onInference;
  return { ...(abort ? { signal: abort } : {}), ...(report ? { onBatch: (b) => report(model, b) } : {}) };
}
