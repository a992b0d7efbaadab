// Rules that turn one question into a paraphrase (same answer) or a near miss (different answer),
// for any question text. Each rule belongs to a family and picks one of its variants (a word pair,
// a wrapper, an auxiliary…); `allowed(family, variant)` restricts it to one split of the variants.
import { ANTONYMS, CONTRACTIONS, ENTITY_SETS, NEGATABLE_AUXILIARIES, SYNONYMS, UNIT_SETS, WRAPPERS } from './cache-pair-words.js';

// Math through a module constant: under jest's vm sandbox every global lookup in a hot loop is slow.
const M = Math;

export type PairKind = 'paraphrase' | 'near-miss';
export type VariantFilter = (family: string, variant: string) => boolean;

export interface RuleOutput {
  text: string;
  variant: string;
}

export interface TextRule {
  family: string;
  kind: PairKind;
  apply(text: string, rng: () => number, allowed: VariantFilter): RuleOutput | undefined;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** A whole word or phrase: not inside a longer word (apostrophes and digits count as word). */
const patterns = new Map<string, RegExp>();
function wordPattern(phrase: string, flags = 'i'): RegExp {
  const key = `${flags}:${phrase}`;
  let re = patterns.get(key);
  if (!re) patterns.set(key, (re = new RegExp(`(?<![\\w'])${escape(phrase)}(?![\\w'])`, flags)));
  return re;
}
const pick = <T>(items: readonly T[], rng: () => number): T | undefined => items[M.floor(rng() * items.length)];
const capitalise = (s: string) => (s === '' ? s : `${s[0]!.toUpperCase()}${s.slice(1)}`);
const lowerFirst = (s: string) => (s === '' || /^[A-Z]{2}/.test(s) ? s : `${s[0]!.toLowerCase()}${s.slice(1)}`);

/** `to` in the case of `from` as it appears (Capitalised, UPPER or as given). */
function matchCase(found: string, to: string): string {
  if (found.length > 1 && found === found.toUpperCase() && found !== found.toLowerCase()) return to.toUpperCase();
  if (found[0] !== undefined && found[0] === found[0].toUpperCase() && found[0] !== found[0].toLowerCase()) return capitalise(to);
  return to;
}

/** Replaces the first occurrence of one side of a pair by the other, trying pairs in random order. */
function swapFromPairs(text: string, pairs: readonly (readonly [string, string])[], family: string, rng: () => number, allowed: VariantFilter): RuleOutput | undefined {
  const start = M.floor(rng() * pairs.length);
  for (let k = 0; k < pairs.length; k++) {
    const [a, b] = pairs[(start + k) % pairs.length]!;
    const variant = `${a}|${b}`;
    if (!allowed(family, variant)) continue;
    for (const [from, to] of rng() < 0.5 ? [[a, b], [b, a]] : [[b, a], [a, b]]) {
      const re = wordPattern(from!);
      const m = re.exec(text);
      if (m) return { text: text.replace(re, matchCase(m[0], to!)), variant };
    }
  }
  return undefined;
}

/** Replaces a member of a set (entities, units) by another member of the same set. */
function swapWithinSets(text: string, sets: Readonly<Record<string, readonly string[]>>, family: string, rng: () => number, allowed: VariantFilter): RuleOutput | undefined {
  const names = Object.keys(sets);
  const start = M.floor(rng() * names.length);
  for (let k = 0; k < names.length; k++) {
    const name = names[(start + k) % names.length]!;
    if (!allowed(family, name)) continue;
    const members = sets[name]!;
    for (const member of members) {
      // Names match with their capital (Turkey, not turkey); common nouns in any case.
      const re = wordPattern(member, /^[A-Z]/.test(member) ? '' : 'i');
      const m = re.exec(text);
      if (!m) continue;
      const others = members.filter((o) => o.toLowerCase() !== member.toLowerCase());
      const to = pick(others, rng)!;
      return { text: text.replace(re, /^[A-Z]/.test(member) ? to : matchCase(m[0], to)), variant: name };
    }
  }
  return undefined;
}

const casing: TextRule = {
  family: 'casing',
  kind: 'paraphrase',
  apply(text, rng, allowed) {
    const variants = [
      ['lower', text.toLowerCase()],
      ['upper', text.toUpperCase()],
      ['first-lower', lowerFirst(text)],
    ].filter(([v, t]) => allowed('casing', v!) && t !== text);
    const chosen = pick(variants, rng);
    return chosen ? { variant: chosen[0]!, text: chosen[1]! } : undefined;
  },
};

const punctuation: TextRule = {
  family: 'punctuation',
  kind: 'paraphrase',
  apply(text, rng, allowed) {
    const variants = [
      ['drop-final', text.replace(/[?.!]+$/, '')],
      ['drop-commas', text.replace(/,(?=\s)/g, '')],
      ['double-question', text.replace(/\?$/, '??')],
      ['space-before-question', text.replace(/\?$/, ' ?')],
      ['question-to-period', text.replace(/\?$/, '.')],
    ].filter(([v, t]) => allowed('punctuation', v!) && t !== text);
    const chosen = pick(variants, rng);
    return chosen ? { variant: chosen[0]!, text: chosen[1]! } : undefined;
  },
};

const wrapper: TextRule = {
  family: 'wrapper',
  kind: 'paraphrase',
  apply(text, rng, allowed) {
    const usable = WRAPPERS.filter((w) => allowed('wrapper', w));
    const w = pick(usable, rng);
    if (!w) return undefined;
    const q = w.startsWith('{q}') ? text : lowerFirst(text);
    return { variant: w, text: w.replace('{q}', q) };
  },
};

const contraction: TextRule = {
  family: 'contraction',
  kind: 'paraphrase',
  apply: (text, rng, allowed) => swapFromPairs(text, CONTRACTIONS, 'contraction', rng, allowed),
};

const synonym: TextRule = {
  family: 'synonym',
  kind: 'paraphrase',
  apply: (text, rng, allowed) => swapFromPairs(text, SYNONYMS, 'synonym', rng, allowed),
};

/** Rewrites between question forms that ask the same thing. */
const QUESTION_FORMS: readonly { variant: string; re: RegExp; to: (m: RegExpExecArray) => string }[] = [
  { variant: 'what-is>tell-me', re: /^What (is|are) (.+?)\?$/i, to: (m) => `Tell me ${m[2]}.` },
  { variant: 'what-is>can-you-tell-me', re: /^What (is|are) (.+?)\?$/i, to: (m) => `Can you tell me what ${m[2]} ${m[1]!.toLowerCase()}?` },
  { variant: 'what-is>i-want-to-know', re: /^What (is|are) (.+?)\?$/i, to: (m) => `I want to know what ${m[2]} ${m[1]!.toLowerCase()}.` },
  { variant: 'tell-me>what-is', re: /^Tell me (.+?)\.?$/i, to: (m) => `What is ${m[1]}?` },
  { variant: 'how-do-i>how-can-i', re: /^How do I (.+)\?$/i, to: (m) => `How can I ${m[1]}?` },
  { variant: 'how-do-i>how-should-i', re: /^How do I (.+)\?$/i, to: (m) => `How should I ${m[1]}?` },
  { variant: 'how-do-i>how-to', re: /^How do I (.+)\?$/i, to: (m) => `How to ${m[1]}?` },
  { variant: 'which-of>which-one-of', re: /^Which of the following (.+)$/i, to: (m) => `Which one of the following ${m[1]}` },
  { variant: 'which-of>which-option', re: /^Which of the following (.+)$/i, to: (m) => `Which of these options ${m[1]}` },
  { variant: 'imperative>can-you', re: /^(Explain|Describe|List|Name|Calculate|Find|Determine|Compute|Estimate) (.+?)[.?]?$/, to: (m) => `Can you ${m[1]!.toLowerCase()} ${m[2]}?` },
  { variant: 'imperative>please', re: /^(Explain|Describe|List|Name|Calculate|Find|Determine|Compute|Estimate) (.+)$/, to: (m) => `Please ${m[1]!.toLowerCase()} ${m[2]}` },
  { variant: 'can-you>imperative', re: /^(?:Can|Could) you (explain|describe|list|name|calculate|find|determine|tell me) (.+?)\?$/i, to: (m) => `${capitalise(m[1]!)} ${m[2]}.` },
  { variant: 'what-is>whats-exactly', re: /^What (is|are) /i, to: (m) => `What exactly ${m[1]!.toLowerCase()} ${m.input.slice(m[0].length)}` },
];

const questionForm: TextRule = {
  family: 'question-form',
  kind: 'paraphrase',
  apply(text, rng, allowed) {
    const usable = QUESTION_FORMS.filter((f) => allowed('question-form', f.variant) && f.re.test(text));
    const f = pick(usable, rng);
    if (!f) return undefined;
    return { variant: f.variant, text: f.to(f.re.exec(text)!) };
  },
};

const articleDrop: TextRule = {
  family: 'stop-words',
  kind: 'paraphrase',
  apply(text, rng, allowed) {
    const variants = [
      ['drop-the', text.replace(/(?<![\w'])the (?=\w)/gi, '')],
      ['add-please', /[\w?.]$/.test(text) ? `${text.replace(/[?.]$/, '')}, please${/[?.]$/.test(text) ? text.slice(-1) : ''}` : text],
      ['add-actually', text.replace(/^(What|How|Why|Who|Which|When|Where) /, '$1 actually ')],
    ].filter(([v, t]) => allowed('stop-words', v!) && t !== text);
    const chosen = pick(variants, rng);
    return chosen ? { variant: chosen[0]!, text: chosen[1]! } : undefined;
  },
};

const LEADING_CLAUSE = /^(In|For|During|On|At|According to|Under|Without|With|Among|Within|Between|After|Before) ([^,]{3,60}), (.+?)([?.!]?)$/;
const TRAILING_NAME = /^(.+?) (in|for|with|using) ((?:[A-Z][\w+#.]*)(?: [A-Z][\w+#.]*)?)([?.!]?)$/;
const TWO_SENTENCES = /^([^.?!]{10,}[.]) ([^.?!]{5,}\?)$/;

const clauseOrder: TextRule = {
  family: 'clause-order',
  kind: 'paraphrase',
  apply(text, rng, allowed) {
    const variants: [string, string | undefined][] = [
      ['front-to-back', ((m) => m ? `${capitalise(m[3]!)} ${m[1]!.toLowerCase()} ${m[2]}${m[4]}` : undefined)(LEADING_CLAUSE.exec(text))],
      ['back-to-front', ((m) => m ? `${capitalise(m[2]!)} ${m[3]}, ${lowerFirst(m[1]!)}${m[4]}` : undefined)(TRAILING_NAME.exec(text))],
      ['sentence-swap', ((m) => m ? `${m[2]} ${m[1]}` : undefined)(TWO_SENTENCES.exec(text))],
    ];
    const usable = variants.filter((v): v is [string, string] => typeof v[1] === 'string' && v[1] !== text && allowed('clause-order', v[0]));
    const chosen = pick(usable, rng);
    return chosen ? { variant: chosen[0], text: chosen[1] } : undefined;
  },
};

const SYMMETRIC = /\b(difference|differences|distance|relationship|similarity|similarities|correlation|connection) between (\w+) and (\w+)\b/i;

const symmetricSwap: TextRule = {
  family: 'symmetric-swap',
  kind: 'paraphrase',
  apply(text, _rng, allowed) {
    const m = SYMMETRIC.exec(text);
    if (!m || m[2]!.toLowerCase() === m[3]!.toLowerCase() || !allowed('symmetric-swap', m[1]!.toLowerCase())) return undefined;
    return { variant: m[1]!.toLowerCase(), text: text.replace(SYMMETRIC, `${m[1]} between ${m[3]} and ${m[2]}`) };
  },
};

const INSERT_NOT = NEGATABLE_AUXILIARIES.map((aux) => [aux, new RegExp(`(?<![\\w'])(${aux})(?! not)(?= \\w)`, 'i')] as const);

const negation: TextRule = {
  family: 'negation',
  kind: 'near-miss',
  apply(text, rng, allowed) {
    const options: RuleOutput[] = [];
    const removeNot = /(?<![\w'])(is|are|was|were|can|could|does|do|did|should|would|will|has|have|must) not(?![\w'])/i;
    if (allowed('negation', 'remove-not') && removeNot.test(text)) options.push({ variant: 'remove-not', text: text.replace(removeNot, '$1') });
    const contracted = /(?<![\w'])(is|are|was|were|does|do|did|should|would|could|has|have)n't(?![\w'])/i;
    if (allowed('negation', "remove-n't") && contracted.test(text)) options.push({ variant: "remove-n't", text: text.replace(contracted, '$1') });
    if (allowed('negation', 'cannot') && /\bcannot\b/i.test(text)) options.push({ variant: 'cannot', text: text.replace(/\b(c)annot\b/i, '$1an') });
    for (const [aux, re] of INSERT_NOT) {
      if (allowed('negation', `insert:${aux}`) && re.test(text)) {
        options.push({ variant: `insert:${aux}`, text: text.replace(re, aux === 'can' ? '$1not' : '$1 not') });
      }
    }
    return pick(options, rng);
  },
};

const NUMBER = /(?<![\w.,])\d+(?:\.\d+)?(?![\w]|\.\d)/g;

function changedNumber(value: string, variant: string, rng: () => number): string | undefined {
  const n = Number(value);
  const decimals = value.includes('.') ? value.split('.')[1]!.length : 0;
  const format = (x: number) => (decimals > 0 ? x.toFixed(decimals) : String(M.round(x)));
  switch (variant) {
    case 'increment':
      return format(n + (decimals > 0 ? 10 ** -decimals : 1));
    case 'double':
      return n === 0 ? '2' : format(n * 2);
    case 'tenfold':
      return n === 0 ? '10' : format(n * 10);
    case 'digit-swap': {
      const digits = value.replace('.', '');
      if (digits.length < 2 || new Set(digits).size < 2 || decimals > 0) return undefined;
      const out = value.split('').reverse().join('');
      return out === value || out.startsWith('0') ? undefined : out;
    }
    case 'other': {
      const magnitude = M.max(10, 10 ** M.ceil(M.log10(M.abs(n) + 1)));
      const x = format(M.floor(rng() * magnitude) + (decimals > 0 ? rng() : 0));
      return x === value ? undefined : x;
    }
    default:
      return undefined;
  }
}

const number: TextRule = {
  family: 'number',
  kind: 'near-miss',
  apply(text, rng, allowed) {
    const found = [...text.matchAll(NUMBER)];
    if (found.length === 0) return undefined;
    const m = pick(found, rng)!;
    const variants = ['increment', 'double', 'tenfold', 'digit-swap', 'other'].filter((v) => allowed('number', v));
    const start = M.floor(rng() * variants.length);
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(start + k) % variants.length]!;
      const to = changedNumber(m[0], variant, rng);
      if (to !== undefined && to !== m[0]) return { variant, text: `${text.slice(0, m.index)}${to}${text.slice(m.index + m[0].length)}` };
    }
    return undefined;
  },
};

const antonym: TextRule = {
  family: 'antonym',
  kind: 'near-miss',
  apply: (text, rng, allowed) => swapFromPairs(text, ANTONYMS, 'antonym', rng, allowed),
};

const entity: TextRule = {
  family: 'entity',
  kind: 'near-miss',
  apply: (text, rng, allowed) => swapWithinSets(text, ENTITY_SETS, 'entity', rng, allowed),
};

/** Units with their singular forms ("kilometers" and "kilometer"), to recognise a unit. */
const UNIT_FORMS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(UNIT_SETS).map(([k, units]) => [k, units.flatMap((u) => (/[^u]s$/.test(u) && !/^(Celsius|hours)$/.test(u) ? [u, u.slice(0, -1)] : [u]))]),
);

const unit: TextRule = {
  family: 'unit',
  kind: 'near-miss',
  apply: (text, rng, allowed) => swapWithinSets(text, UNIT_SETS, 'unit', rng, allowed),
};

const ALL_UNITS = new Set(Object.values(UNIT_FORMS).flat().map((u) => u.toLowerCase()));
const OPERANDS: readonly { variant: string; re: RegExp; swap: (m: RegExpExecArray) => string | undefined }[] = [
  { variant: 'divided-by', re: /\b(\d+(?:\.\d+)?|\w+) divided by (\d+(?:\.\d+)?|\w+)\b/i, swap: (m) => `${m[2]} divided by ${m[1]}` },
  { variant: 'minus', re: /\b(\d+(?:\.\d+)?) (minus|-) (\d+(?:\.\d+)?)\b/, swap: (m) => `${m[3]} ${m[2]} ${m[1]}` },
  { variant: 'subtract-from', re: /\bsubtract (\w+) from (\w+)\b/i, swap: (m) => `${m[0].slice(0, 8)} ${m[2]} from ${m[1]}` },
  { variant: 'power', re: /\b(\d+) (to the power of|raised to the power of|\^) (\d+)\b/, swap: (m) => `${m[3]} ${m[2]} ${m[1]}` },
  { variant: 'from-to', re: /\bfrom (\w+) to (\w+)\b/i, swap: (m) => `${m[0].slice(0, 4)} ${m[2]} to ${m[1]}` },
  {
    variant: 'than',
    re: /\b((?:the |a |an )?\w+) (is|are|was|were) (\w+er|more \w+|less \w+) than ((?:the |a |an )?\w+)\b/i,
    swap: (m) => `${m[4]} ${m[2]} ${m[3]} than ${m[1]}`,
  },
  {
    variant: 'unit-direction',
    re: /\b(\d+(?:\.\d+)?) ([A-Za-z/]+) (to|into|in) ([A-Za-z/]+)\b/,
    swap: (m) => (ALL_UNITS.has(m[2]!.toLowerCase()) && ALL_UNITS.has(m[4]!.toLowerCase()) ? `${m[1]} ${m[4]} ${m[3]} ${m[2]}` : undefined),
  },
];

const operandSwap: TextRule = {
  family: 'operand-swap',
  kind: 'near-miss',
  apply(text, rng, allowed) {
    const options: RuleOutput[] = [];
    for (const o of OPERANDS) {
      if (!allowed('operand-swap', o.variant)) continue;
      const m = o.re.exec(text);
      if (!m) continue;
      const swapped = o.swap(m);
      if (swapped === undefined || swapped.toLowerCase() === m[0].toLowerCase()) continue;
      options.push({ variant: o.variant, text: `${text.slice(0, m.index)}${swapped}${text.slice(m.index + m[0].length)}` });
    }
    return pick(options, rng);
  },
};

export const PARAPHRASE_RULES: readonly TextRule[] = [casing, punctuation, wrapper, contraction, synonym, questionForm, articleDrop, clauseOrder, symmetricSwap];
export const NEAR_MISS_RULES: readonly TextRule[] = [negation, number, antonym, entity, unit, operandSwap];
