// Negation and polarity: "Is chocolate safe for dogs?" is not "Is chocolate not safe for dogs?",
// nor "Is chocolate unsafe for dogs?". The number of negations must be equal (a count, not a
// parity: "not unsafe" is not "safe" for a cache), and with `prefixes` a word that is a negating
// prefix plus a word of the other text ("unsafe" / "safe", "illegal" / "legal", "harmless" /
// "harm" or "harmful") rejects too. English, with the common negations of French, German,
// Spanish, Italian, Portuguese and Dutch.
import type { GuardRule } from './rule.js';
import type { GuardText } from './text.js';

const NEGATIONS = new Set([
  // en
  'not', 'no', 'never', 'none', 'nobody', 'nothing', 'nowhere', 'neither', 'nor', 'without', 'cannot', 'non', 'nope',
  'except', 'excluding', 'exclude', 'excludes', 'excluded',
  // contractions typed without the apostrophe
  'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'werent', 'cant', 'couldnt', 'wouldnt', 'shouldnt', 'wont',
  'hasnt', 'havent', 'hadnt', 'mustnt', 'aint',
  // fr, de, es, it, pt, nl
  'ne', 'pas', 'jamais', 'aucun', 'aucune', 'sans', 'rien', 'personne',
  'nicht', 'kein', 'keine', 'keinen', 'keiner', 'keines', 'nie', 'niemals', 'ohne', 'nichts',
  'nunca', 'nada', 'ningún', 'ninguno', 'ninguna', 'sin', 'tampoco',
  'nessuno', 'nessuna', 'mai', 'senza', 'niente',
  'não', 'nem', 'nenhum', 'nenhuma', 'sem',
  'niet', 'geen', 'nooit', 'zonder',
]);

const PREFIXES = ['non', 'dis', 'un', 'in', 'im', 'il', 'ir'];
/** Shorter remainders are too often unrelated words ("into" / "to"). */
const MIN_BASE = 3;

export interface NegationFeatures {
  count: number;
  words: Set<string>;
}

export const isNegation = (lower: string): boolean => NEGATIONS.has(lower) || lower.endsWith("n't");

export function negationRule(opts: { prefixes: boolean }): GuardRule<NegationFeatures> {
  return {
    name: 'negation',
    extract: (text: GuardText) => {
      let count = 0;
      for (const t of text.tokens) if (t.kind === 'word' && isNegation(t.lower)) count++;
      return { count, words: text.words };
    },
    compare(a, b) {
      if (a.count !== b.count) return `negations differ: ${a.count} / ${b.count}`;
      if (!opts.prefixes) return undefined;
      const pair = negatedPair(a.words, b.words) ?? negatedPair(b.words, a.words);
      return pair ? `negated word: ${pair}` : undefined;
    },
  };
}

/** A word of `a` that is a negation of a word only `b` has ("unsafe" / "safe"). */
function negatedPair(a: Set<string>, b: Set<string>): string | undefined {
  for (const w of a) {
    if (b.has(w)) continue;
    for (const p of PREFIXES) {
      if (w.length - p.length < MIN_BASE || !w.startsWith(p)) continue;
      const base = w.slice(p.length);
      if (b.has(base) && !a.has(base)) return `${w} / ${base}`;
    }
    if (w.endsWith('less') && w.length - 4 >= MIN_BASE) {
      // "harmless" / "harm", "harmless" / "harmful"
      const base = w.slice(0, -4);
      if (b.has(base) && !a.has(base)) return `${w} / ${base}`;
      if (b.has(`${base}ful`) && !a.has(`${base}ful`)) return `${w} / ${base}ful`;
    }
  }
  return undefined;
}
