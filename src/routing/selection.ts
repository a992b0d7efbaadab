// Choosing one model among a decision's candidates. Candidates that cannot hold the request
// (max_context_tokens below the estimate) or lack a required tag are set aside first; when none is
// left, the candidate with the largest context is used rather than failing the request.
import type { CandidateConfig, DecisionConfig, ModelConfig } from '../config/schema.js';

export type SelectionStrategy = DecisionConfig['strategy'];

export interface Candidate {
  config: CandidateConfig;
  model: ModelConfig;
}

export interface SelectionContext {
  /** Estimated prompt tokens. */
  promptTokens: number;
  /** The request's max output tokens (0 when it sets none). */
  outputTokens: number;
  /** Requests in flight per model name (least_loaded). */
  load?: (model: string) => number;
  /** Uniform in [0, 1) (weighted); injectable for tests. */
  random?: () => number;
}

export interface Selection {
  candidate: Candidate;
  /** Why this one, for explanations. */
  reason: string;
}

function fits(c: Candidate, tokens: number, tags: readonly string[]): boolean {
  const max = c.model.max_context_tokens;
  return (max === undefined || max >= tokens) && tags.every((t) => c.model.tags.includes(t));
}

/** A typical answer length, priced when the request sets no max output tokens. */
const ASSUMED_OUTPUT_TOKENS = 256;

/** Expected price of this request: prompt tokens at the input price, output at the output price. */
function cost(c: Candidate, ctx: SelectionContext): number {
  const p = c.model.cost_per_million_tokens;
  return p ? p.input * ctx.promptTokens + p.output * (ctx.outputTokens || ASSUMED_OUTPUT_TOKENS) : Number.POSITIVE_INFINITY;
}

export function selectCandidate(
  candidates: readonly Candidate[],
  strategy: SelectionStrategy,
  requireTags: readonly string[],
  ctx: SelectionContext,
): Selection | undefined {
  if (candidates.length === 0) return undefined;
  const tokens = ctx.promptTokens + ctx.outputTokens;
  const fitting = candidates.filter((c) => fits(c, tokens, requireTags));
  if (fitting.length === 0) {
    const largest = candidates.reduce((a, b) => ((b.model.max_context_tokens ?? Infinity) > (a.model.max_context_tokens ?? Infinity) ? b : a));
    return { candidate: largest, reason: `no candidate fits ~${tokens} tokens${requireTags.length ? ` with tags ${requireTags.join(',')}` : ''}; largest context` };
  }
  const skipped = candidates.length - fitting.length;
  const note = skipped > 0 ? ` (${skipped} candidate(s) too small or untagged)` : '';
  switch (strategy) {
    case 'first':
      return { candidate: fitting[0]!, reason: `first fitting candidate${note}` };
    case 'weighted': {
      const total = fitting.reduce((s, c) => s + c.config.weight, 0);
      let r = (ctx.random ?? Math.random)() * total;
      for (const c of fitting) {
        r -= c.config.weight;
        if (r < 0) return { candidate: c, reason: `weighted ${c.config.weight}/${total}${note}` };
      }
      return { candidate: fitting[fitting.length - 1]!, reason: `weighted${note}` };
    }
    case 'cheapest': {
      let best = fitting[0]!;
      for (const c of fitting) if (cost(c, ctx) < cost(best, ctx)) best = c;
      return { candidate: best, reason: `cheapest fitting candidate${note}` };
    }
    case 'least_loaded': {
      const load = ctx.load ?? (() => 0);
      let best = fitting[0]!;
      for (const c of fitting) if (load(c.model.name) < load(best.model.name)) best = c;
      return { candidate: best, reason: `least loaded (${load(best.model.name)} in flight)${note}` };
    }
  }
}
