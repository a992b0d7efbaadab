// One rule of the cache guard: features extracted from a request text, and a comparison of the
// features of two texts. Rules are pure and synchronous; each lives in its own file.
import type { GuardText } from './text.js';

/** The rules, in the order they are applied (the first that disagrees names the rejection). */
export const GUARD_RULE_NAMES = ['language', 'numbers', 'negation', 'direction', 'quotes', 'identifiers', 'entities', 'order'] as const;
export type GuardRuleName = (typeof GUARD_RULE_NAMES)[number];

/** A candidate stored without its request text cannot be checked, and is never served. */
export const NO_TEXT_RULE = 'no_text';

export interface GuardRule<F> {
  readonly name: GuardRuleName;
  extract(text: GuardText): F;
  /** undefined: the two agree; otherwise a short description of what differs. */
  compare(request: F, candidate: F): string | undefined;
}
