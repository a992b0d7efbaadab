// Session affinity policy: whether a conversation stays on the model its first turn was pinned to.
// Pure: the pipeline reads the pin, asks here, and writes back.
import type { AffinityConfig, ModelConfig } from '../config/schema.js';
import type { AffinitySwitchReason } from '../telemetry/metrics.js';
import type { Pin } from './types.js';

export type AffinityVerdict =
  /** No pin yet: pin the new choice. */
  | { action: 'pin' }
  /** Stay on the pinned model (it may equal the new choice). */
  | { action: 'keep'; model: ModelConfig }
  /** Move to the new choice, for this reason, and re-pin. */
  | { action: 'switch'; reason: Exclude<AffinitySwitchReason, 'none'> };

export interface AffinityInput {
  pin: Pin | undefined;
  /** The route the decisions chose for this turn. */
  choice: { priority: number; model: ModelConfig; policyModel: boolean };
  /** The pinned model as configured now (undefined: gone after a reload). */
  pinnedModel: ModelConfig | undefined;
  /** Prompt plus requested output tokens. */
  tokens: number;
  nowMs: number;
}

export function affinityVerdict(cfg: AffinityConfig, input: AffinityInput): AffinityVerdict {
  const { pin, choice, pinnedModel } = input;
  if (!pin) return { action: 'pin' };
  // A policy-chosen model (a PII route to an on-premises model) is never overridden by a pin.
  if (choice.policyModel && choice.model.name !== pin.model) return { action: 'switch', reason: 'policy' };
  if (!pinnedModel) return { action: 'switch', reason: 'model_unavailable' };
  if (pinnedModel.name === choice.model.name) return { action: 'keep', model: pinnedModel };
  if (cfg.idle_timeout_seconds !== undefined && input.nowMs - pin.lastUsedMs > cfg.idle_timeout_seconds * 1000) {
    return { action: 'switch', reason: 'idle' };
  }
  const max = pinnedModel.max_context_tokens;
  if (cfg.switch.on_context_overflow && max !== undefined && input.tokens > max) return { action: 'switch', reason: 'context_overflow' };
  const margin = cfg.switch.on_higher_priority_by;
  if (margin !== undefined && choice.priority - pin.priority >= margin) return { action: 'switch', reason: 'higher_priority' };
  return { action: 'keep', model: pinnedModel };
}
