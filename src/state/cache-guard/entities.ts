// Names and other proper tokens: "Is Paris bigger than Lyon?" is not "Is Rome bigger than Lyon?",
// an "H100" is not an "A100". A name is a capitalised word not at a sentence start, an acronym
// (NASA, API), a mixed-case word (iPhone, JavaScript) or letters with digits (H100, GPT4); with
// `sentence_start`, also a capitalised first word that is not a common word. Each name of one text
// must appear as a word of the other, in any case ("sunday" answers "Sunday"): a name is matched by
// presence, so rewording elsewhere is the embedding's business.
import type { GuardRule } from './rule.js';
import { SENTENCE_STARTERS } from './stop-words.js';
import { withoutPossessive, type GuardText, type Token } from './text.js';

export interface EntityFeatures {
  names: Set<string>;
  words: Set<string>;
}

const NOT_NAMES = new Set(['i', "i'm", "i've", "i'd", "i'll", 'ok']);

export function entitiesRule(opts: { sentenceStart: boolean }): GuardRule<EntityFeatures> {
  return {
    name: 'entities',
    extract: (text: GuardText) => {
      const names = new Set<string>();
      for (const t of text.tokens) if (t.kind === 'word' && isName(t, opts.sentenceStart)) names.add(withoutPossessive(t.lower));
      return { names, words: text.words };
    },
    compare(a, b) {
      const missing = missingName(a, b) ?? missingName(b, a);
      return missing === undefined ? undefined : `name not in both: ${missing}`;
    },
  };
}

function isName(t: Token, sentenceStart: boolean): boolean {
  const w = t.text;
  // Most words: no capital letter and no digit.
  if (w === t.lower && !/\d/.test(w)) return false;
  if (NOT_NAMES.has(t.lower)) return false;
  if (/\p{N}/u.test(w) && /\p{L}/u.test(w)) return true;
  if (/\p{Ll}\p{Lu}/u.test(w)) return true;
  if (w.length >= 2 && !/\p{Ll}/u.test(w) && /\p{Lu}/u.test(w)) return true;
  if (!/^\p{Lu}/u.test(w)) return false;
  return !t.sentenceStart || (sentenceStart && !SENTENCE_STARTERS.has(t.lower));
}

function missingName(a: EntityFeatures, b: EntityFeatures): string | undefined {
  for (const n of a.names) if (!b.words.has(n)) return n;
  return undefined;
}
