// Session affinity on the request path: read the conversation's pin (one round trip), let the
// policy decide, write the pin for the next turn without waiting for it.
import type { RoutingRequest } from '../protocol/ir.js';
import type { RouteChoice } from '../routing/router.js';
import { estimateTokens } from '../signals/context.js';
import { affinityVerdict } from '../state/affinity-policy.js';
import { nextTurnSessionIdentity, sessionIdentity } from '../state/identity.js';
import type { Pin } from '../state/types.js';
import type { RequestHeaders } from './headers.js';
import type { RoutingSnapshot } from './snapshot.js';
import { attempt, background, type StateContext } from './state-context.js';

export interface AffinityOutcome {
  choice: RouteChoice;
  /** Endpoint mode: the pinned endpoint, when the pin holds and the endpoint is still configured. */
  endpoint?: string;
  /**
   * routing.endpoint_picker: the pin is written once the endpoint is picked (the pinned one is only
   * a score there, the session scorer): call with the picked endpoint.
   */
  commitPin?: (endpoint: string | undefined) => void;
}

export async function applyAffinity(
  ctx: StateContext,
  snap: RoutingSnapshot,
  ir: RoutingRequest,
  headers: RequestHeaders,
  tenant: string,
  choice: RouteChoice,
  now = Date.now(),
): Promise<AffinityOutcome> {
  const cfg = snap.config.affinity;
  if (!cfg.enabled) return { choice };
  const read = sessionIdentity(ir, headers, tenant);
  const write = nextTurnSessionIdentity(ir, headers, tenant);
  if (!read && !write) return { choice };

  let pin: Pin | undefined;
  if (read) {
    const r = await attempt(ctx, 'get_pin', () => ctx.store.getPin(read.key, cfg.ttl_seconds));
    // A failed read skips affinity for this request entirely (no write either), so an outage
    // never re-pins conversations to whatever this turn happened to choose.
    if (!r.ok) {
      ctx.metrics.recordAffinity('skipped');
      return { choice };
    }
    pin = r.value;
  }
  const tokens = estimateTokens(ir) + (ir.maxOutputTokens ?? 0);
  const verdict = affinityVerdict(cfg, {
    pin,
    choice: { priority: choice.priority, model: choice.model, policyModel: choice.pii?.action === 'route' },
    pinnedModel: pin ? snap.router.modelNamed(pin.model) : undefined,
    tokens,
    nowMs: now,
  });

  let out: AffinityOutcome = { choice };
  let next: Pin;
  switch (verdict.action) {
    case 'keep': {
      const kept = pin!;
      if (verdict.model.name !== choice.model.name) {
        out.choice = snap.router.withModel(choice, verdict.model.name, ir, `session affinity: pinned to ${kept.model} by decision ${kept.decision}`);
      }
      const known = (ep: string) => (snap.live ? snap.live.knows(verdict.model.name, ep) : verdict.model.endpoints.includes(ep));
      if (kept.endpoint && known(kept.endpoint)) out = { ...out, endpoint: kept.endpoint };
      next = { ...kept, lastUsedMs: now };
      ctx.metrics.recordAffinity('kept');
      break;
    }
    case 'switch':
      out.choice = { ...choice, modelWhy: `${choice.modelWhy}; session affinity switched (${verdict.reason})` };
      next = { model: choice.model.name, decision: choice.decision, priority: choice.priority, lastUsedMs: now };
      ctx.metrics.recordAffinity('switched', verdict.reason);
      break;
    case 'pin':
      next = { model: choice.model.name, decision: choice.decision, priority: choice.priority, lastUsedMs: now };
      ctx.metrics.recordAffinity('pinned');
      break;
  }
  // Endpoint mode: the conversation keeps its endpoint too (its KV cache lives there).
  if (snap.endpoints && !out.endpoint) {
    const picked = snap.endpoints.pick(out.choice.model);
    if (picked) out = { ...out, endpoint: picked };
  }
  if (snap.live) {
    const base = next;
    if (write) out.commitPin = (ep) => background(ctx, 'set_pin', () => ctx.store.setPin(write.key, ep ? { ...base, endpoint: ep } : base, cfg.ttl_seconds));
    return out;
  }
  if (out.endpoint) next = { ...next, endpoint: out.endpoint };
  if (write) background(ctx, 'set_pin', () => ctx.store.setPin(write.key, next, cfg.ttl_seconds));
  return out;
}
