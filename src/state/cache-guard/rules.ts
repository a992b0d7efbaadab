// The enabled rules of a guard config, in GUARD_RULE_NAMES order. The guard switched off has none.
import type { CacheGuardSettings } from '../../config/schema/state.js';
import { directionRule } from './direction.js';
import { entitiesRule } from './entities.js';
import { identifiersRule } from './identifiers.js';
import { languageRule } from './language.js';
import { negationRule } from './negation.js';
import { numbersRule } from './numbers.js';
import { orderRule } from './order.js';
import { quotesRule } from './quotes.js';
import { GUARD_RULE_NAMES, type GuardRule, type GuardRuleName } from './rule.js';

export function buildRules(s: CacheGuardSettings): Array<GuardRule<unknown>> {
  if (!s.enabled) return [];
  const build: Record<GuardRuleName, () => GuardRule<unknown>> = {
    language: () => languageRule,
    numbers: () => numbersRule({ numberWords: s.numbers.number_words }),
    negation: () => negationRule({ prefixes: s.negation.prefixes }),
    direction: () => directionRule,
    quotes: () => quotesRule,
    identifiers: () => identifiersRule,
    entities: () => entitiesRule({ sentenceStart: s.entities.sentence_start }),
    order: () => orderRule({ minOverlap: s.order.min_overlap, minSharedWords: s.order.min_shared_words }),
  };
  return GUARD_RULE_NAMES.filter((name) => s[name].enabled).map((name) => build[name]());
}

