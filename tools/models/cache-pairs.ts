// Question pairs for training and calibrating the cache embedder: {a, b, same} where same = the
// two questions have the same answer (a paraphrase) and not same = a near miss (one that differs in
// a number, a negation, an operand order, an entity…). Built by rule, without labels, from the
// datasets' questions (cache-pair-text-rules.ts) and from short templated questions
// (cache-pair-templates.ts).
//
// Held out twice over: a held-out pair starts from a held-out question (datasets.ts split) AND uses
// only held-out rule variants (cache-pair-split.ts); templated pairs come from held-out template
// families. So the figures measure paraphrases and near misses of shapes the training never saw.
import type { Corpus } from './corpus.js';
import { inSplit, type PairSplit } from './cache-pair-split.js';
import { TEMPLATE_FAMILIES, type Slots, type TemplateFamily } from './cache-pair-templates.js';
import { NEAR_MISS_RULES, PARAPHRASE_RULES, type TextRule, type VariantFilter } from './cache-pair-text-rules.js';
import { createRng, fnv1a, shuffleInPlace } from './prng.js';

// Math through a module constant: under jest's vm sandbox every global lookup in a hot loop is slow.
const M = Math;

export interface CachePair {
  a: string;
  b: string;
  same: boolean;
  /** Where the pair comes from: `text/<family>[+<family>]` or `template:<family>/<rule>`. */
  kind: string;
}

export const CACHE_PAIRS = {
  /** Longer questions are left out: cache traffic is short questions, and one changed word in 100 is noise. */
  maxWords: 32,
  /** Benign sources of the jailbreak data that are questions a user would ask (not role-play set-ups). */
  extraSources: /^(gsm8k|mt-bench|xstest)/,
  paraphrasesPerQuestion: 2,
  nearMissesPerQuestion: 3,
  trainInstancesPerFamily: 160,
  heldoutInstancesPerFamily: 40,
  seed: 37,
};

export interface CacheQuestions {
  train: string[];
  heldout: string[];
}

const wordCount = (text: string) => text.split(/\s+/).filter((w) => w !== '').length;

/** Questions of both splits: domain questions plus benign user questions (GSM8K, MT-Bench, XSTest). */
export function cacheQuestions(corpus: Corpus): CacheQuestions {
  const pick = (rows: readonly { text: string; label: string; source: string }[], extra: boolean) =>
    rows.filter((r) => (!extra || (r.label === 'benign' && CACHE_PAIRS.extraSources.test(r.source))) && wordCount(r.text) <= CACHE_PAIRS.maxWords).map((r) => r.text);
  const unique = (texts: string[]) => [...new Set(texts)];
  return {
    train: unique([...pick(corpus.domain.train.rows, false), ...pick(corpus.jailbreak.train.rows, true)]),
    heldout: unique([...pick(corpus.domain.test.rows, false), ...pick(corpus.jailbreak.test.rows, true)]),
  };
}

const normalised = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

/** Up to `count` outputs of distinct rules (in random order), each applied to `text`. */
function applyRules(text: string, rules: readonly TextRule[], count: number, rng: () => number, allowed: VariantFilter): { text: string; family: string }[] {
  const order = [...rules];
  shuffleInPlace(order, rng);
  const out: { text: string; family: string }[] = [];
  for (const rule of order) {
    if (out.length >= count) break;
    const r = rule.apply(text, rng, allowed);
    if (r && normalised(r.text) !== normalised(text)) out.push({ text: r.text, family: rule.family });
  }
  return out;
}

/** Paraphrases and near misses of one question; a second paraphrase rule on top makes harder pairs. */
function textPairs(question: string, allowed: VariantFilter, seed: number): CachePair[] {
  const rng = createRng(fnv1a(question) ^ seed);
  const pairs: CachePair[] = [];
  for (const p of applyRules(question, PARAPHRASE_RULES, CACHE_PAIRS.paraphrasesPerQuestion, rng, allowed)) {
    const second = rng() < 0.5 ? applyRules(p.text, PARAPHRASE_RULES.filter((r) => r.family !== p.family), 1, rng, allowed)[0] : undefined;
    pairs.push(second ? { a: question, b: second.text, same: true, kind: `text/${p.family}+${second.family}` } : { a: question, b: p.text, same: true, kind: `text/${p.family}` });
  }
  for (const n of applyRules(question, NEAR_MISS_RULES, CACHE_PAIRS.nearMissesPerQuestion, rng, allowed)) {
    // A near miss that is also reworded: the surface moves both ways, the answer still differs.
    const reworded = rng() < 0.3 ? applyRules(n.text, PARAPHRASE_RULES, 1, rng, allowed)[0] : undefined;
    pairs.push({ a: question, b: reworded ? reworded.text : n.text, same: false, kind: `text/${n.family}` });
  }
  return pairs;
}

const render = (form: string, slots: Slots) => form.replace(/\{(\w+)\}/g, (_, k: string) => slots[k] ?? `{${k}}`);

function templatePairs(family: TemplateFamily, instances: number, allowed: VariantFilter, seed: number): CachePair[] {
  const pairs: CachePair[] = [];
  for (let i = 0; i < instances; i++) {
    const rng = createRng(fnv1a(`${family.name}:${i}`) ^ seed);
    const slots = family.draw(rng);
    const at = M.floor(rng() * family.forms.length);
    const anchor = render(family.forms[at]!, slots);
    const otherForm = () => family.forms[(at + 1 + M.floor(rng() * (family.forms.length - 1))) % family.forms.length]!;
    for (let k = 0; k < 2; k++) {
      let b = render(otherForm(), slots);
      if (rng() < 0.3) b = applyRules(b, PARAPHRASE_RULES, 1, rng, allowed)[0]?.text ?? b;
      pairs.push({ a: anchor, b, same: true, kind: `template:${family.name}/paraphrase` });
    }
    for (const miss of family.nearMisses) {
      const made = miss.make(slots, rng);
      if (!made) continue;
      const form = made.forms ? made.forms[M.floor(rng() * made.forms.length)]! : rng() < 0.6 ? family.forms[at]! : otherForm();
      pairs.push({ a: anchor, b: render(form, made.slots), same: false, kind: `template:${family.name}/${miss.rule}` });
    }
  }
  return pairs;
}

/** Drops pairs whose texts are equal once normalised (a rule that changed nothing) and repeats. */
function cleaned(pairs: CachePair[]): CachePair[] {
  const seen = new Set<string>();
  return pairs.filter((p) => {
    const key = `${normalised(p.a)}\n${normalised(p.b)}`;
    if (normalised(p.a) === normalised(p.b) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function splitPairs(questions: readonly string[], split: PairSplit, seed = CACHE_PAIRS.seed): CachePair[] {
  const allowed = inSplit(split);
  const fromText = questions.flatMap((q) => textPairs(q, allowed, seed));
  const instances = split === 'train' ? CACHE_PAIRS.trainInstancesPerFamily : CACHE_PAIRS.heldoutInstancesPerFamily;
  const fromTemplates = TEMPLATE_FAMILIES.filter((f) => f.heldOut === (split === 'heldout')).flatMap((f) => templatePairs(f, instances, allowed, seed));
  return cleaned([...fromTemplates, ...fromText]);
}

export function buildCachePairs(questions: CacheQuestions): { train: CachePair[]; heldout: CachePair[] } {
  return { train: splitPairs(questions.train, 'train'), heldout: splitPairs(questions.heldout, 'heldout') };
}
