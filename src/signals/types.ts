// What every signal kind produces. A signal never throws into the pipeline: a failure is a result.
import type { RoutingRequest } from '../protocol/ir.js';

export interface SignalResult {
  matched: boolean;
  /** 0..1; how sure the signal is of its answer (keywords: 1 when matched). */
  confidence: number;
  /** Short, human-readable evidence for explanations (never the whole prompt). */
  detail?: string;
  /** Set when the signal failed or timed out; it then counts as not matched. */
  error?: string;
}

export interface Signal {
  kind: string;
  name: string;
  extract(ir: RoutingRequest): Promise<SignalResult>;
}
