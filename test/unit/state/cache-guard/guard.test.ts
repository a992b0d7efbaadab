// The guard as a whole: the near misses are rejected by the rule that names them, true
// paraphrases pass, rules switch off one by one, and the guard switched off passes everything.
import { describe, expect, it } from '@jest/globals';
import { createCacheGuard, GuardEngine, GUARD_RULE_NAMES } from '../../../../src/state/cache-guard/index.js';
import { cacheGuardSchema } from '../../../../src/config/schema/state.js';

const guard = createCacheGuard();

describe('cache guard', () => {
  it.each([
    ['numbers', 'Convert 10 km to miles', 'Convert 10 miles to km'],
    ['order', '10 divided by 2', '2 divided by 10'],
    ['negation', 'Is chocolate safe for dogs?', 'Is chocolate not safe for dogs?'],
    ['numbers', 'Give me 3 tips', 'Give me 10 tips'],
    ['numbers', 'What is 5% of 200?', 'What is 7% of 200?'],
    ['direction', 'Transfer $100 to my savings', 'Transfer $100 from my savings'],
    ['entities', 'Is Paris bigger than Lyon?', 'Is Rome bigger than Lyon?'],
    ['quotes', 'Translate "good morning" to German', 'Translate "good night" to German'],
    ['identifiers', 'What does os.path.join do?', 'What does os.path.split do?'],
    ['language', 'What is the capital of France?', 'Quelle est la capitale de la France ?'],
  ])('rejects a near miss by %s: %s / %s', (rule, a, b) => {
    const verdict = guard.check(a, b);
    expect(verdict).toMatchObject({ pass: false, rule });
    expect(verdict.detail).toEqual(expect.any(String));
  });

  it.each([
    ['What are your opening hours on Sunday?', 'what are your opening hours on sunday'],
    ['How do I get a refund for my order?', 'how do i get a refund for my order'],
    ['Convert 10 km to miles', 'convert ten kilometres into miles'],
    ['How do I reset my password?', 'How to reset my password'],
    ['On Sunday, what are your opening hours?', 'What are your opening hours on Sunday?'],
    ['How do I sort an array in JavaScript?', 'how to sort an array in javascript'],
    ['Is chocolate bad for dogs?', 'is chocolate bad for dogs'],
  ])('passes a paraphrase: %s / %s', (a, b) => {
    expect(guard.check(a, b)).toEqual({ pass: true });
  });

  it('switches rules off one at a time', () => {
    expect(createCacheGuard({ numbers: { enabled: false } }).check('Give me 3 tips', 'Give me 10 tips')).toEqual({ pass: true });
    expect(createCacheGuard({ negation: { enabled: false } }).check('Is it safe?', 'Is it not safe?')).toEqual({ pass: true });
    // Other rules still apply.
    expect(createCacheGuard({ numbers: { enabled: false } }).check('Is it safe?', 'Is it not safe?').rule).toBe('negation');
  });

  it('passes everything when switched off', () => {
    expect(createCacheGuard({ enabled: false }).check('Give me 3 tips', 'Quelle est la capitale de la France ?')).toEqual({ pass: true });
  });

  it('accepts a parsed config as it is', () => {
    const settings = cacheGuardSchema.parse({ order: { min_overlap: 0.2 } });
    expect(createCacheGuard(settings).check('10 divided by 2', '2 divided by 10')).toEqual({ pass: true });
  });

  it('the engine prepares a text once for several candidates', () => {
    const engine = new GuardEngine(cacheGuardSchema.parse({}));
    const request = engine.prepare('Give me 3 tips for sleeping better');
    expect(engine.compare(request, engine.prepare('Give me 10 tips for sleeping better')).rule).toBe('numbers');
    expect(engine.compare(request, engine.prepare('give me 3 tips for sleeping better')).pass).toBe(true);
  });

  it('names the rules in the order they apply', () => {
    expect(GUARD_RULE_NAMES).toEqual(['language', 'numbers', 'negation', 'direction', 'quotes', 'identifiers', 'entities', 'order']);
  });
});
