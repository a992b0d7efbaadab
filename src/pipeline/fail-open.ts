// The default route after an internal routing fault: the request is still forwarded (failing
// open), translated when the default model needs it, re-parsed when it can be.
import { parseRequestBody } from '../protocol/parse.js';
import type { Protocol } from '../protocol/ir.js';
import type { BodyOutcome } from './outcome.js';
import { forwardTo } from './request-body.js';
import type { RoutingSnapshot } from './snapshot.js';

export function failOpenRoute(snapshot: RoutingSnapshot, protocol: Protocol, raw: Buffer): Extract<BodyOutcome, { kind: 'forward' }> {
  const fallback = snapshot.router.defaultRoute;
  let ir;
  try {
    ir = parseRequestBody(protocol, raw, snapshot.limits).ir;
  } catch {
    ir = undefined;
  }
  try {
    return forwardTo(snapshot, { ...fallback, requestedModel: undefined, raw, modelSpan: undefined, ...(ir ? { ir } : {}) });
  } catch {
    return forwardTo(snapshot, { ...fallback, requestedModel: undefined, raw, modelSpan: undefined });
  }
}
