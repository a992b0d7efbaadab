// The cache guard: every semantic candidate must pass it before it is served, whatever the
// embedding model. The answer-changing features of the two requests (numbers and units, negation,
// direction words, quoted strings, code identifiers, names, language, word order) must agree; an
// embedding that puts "10 km to miles" next to "10 miles to km" can then never serve the wrong one.
//
// `createCacheGuard` is the stable entry point (offline evaluation uses it); the request path uses
// GuardEngine directly, to prepare the request text once for several candidates.
import { cacheGuardSchema } from '../../config/schema/state.js';
import type { z } from 'zod';
import { GuardEngine } from './engine.js';

export interface CacheGuardVerdict {
  pass: boolean;
  /** The rule that rejected the candidate. */
  rule?: string;
  /** What differs, for explanations (may quote the texts: never put it in a metric or a header). */
  detail?: string;
}

export interface CacheGuard {
  check(requestText: string, candidateText: string): CacheGuardVerdict;
}

/** `cache.guard` as written in the config: every field optional, defaults filled in. */
export type CacheGuardConfig = NonNullable<z.input<typeof cacheGuardSchema>>;

/** A guard with the config's rules; defaults (every rule on) when omitted. */
export function createCacheGuard(config?: Partial<CacheGuardConfig>): CacheGuard {
  const engine = new GuardEngine(cacheGuardSchema.parse(config ?? {}));
  return { check: (requestText, candidateText) => engine.compare(engine.prepare(requestText), engine.prepare(candidateText)) };
}

export { GuardEngine, type PreparedText } from './engine.js';
export { GUARD_RULE_NAMES, NO_TEXT_RULE, type GuardRuleName } from './rule.js';
