// What every signal kind produces. A signal never throws into the pipeline: a failure is a result.
import type { RoutingRequest } from '../protocol/ir.js';
import type { AbortLike } from '../inference/abort-like.js';

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
  /** `abort` fires when the signal's budget runs out: stop waiting (e.g. leave a model's queue). */
  extract(ir: RoutingRequest, abort?: AbortLike): Promise<SignalResult>;
  /** Time budget; past it the signal counts as failed. Pure text signals have none. */
  budgetMs?: number;
  /** What a failure counts as (jailbreak may fail closed). Default not_matched. */
  onError?: 'matched' | 'not_matched';
}

export type SignalOutcome = 'matched' | 'not_matched' | 'error' | 'timeout';

/** Told of every signal evaluation (metrics, rate-limited logs). */
export interface SignalObserver {
  signalEvaluated(signal: Signal, outcome: SignalOutcome, seconds: number, error?: string): void;
}
