// Names and other proper tokens: "Is Paris bigger than Lyon?" is not "Is Rome bigger than Lyon?",
// an "H100" is not an "A100". A name is a capitalised word not at a sentence start, an acronym
// (NASA, API), a mixed-case word (iPhone, JavaScript) or letters with digits (H100, GPT4). Each
// name of one text must appear as a word of the other, in any case ("sunday" answers "Sunday"): a
// name is matched by presence, so rewording elsewhere is the embedding's business.
//
// A capitalised first word that is not a common word is only maybe a name ("Paris is ..." or
// "Route from ..."): with `sentence_start` it rejects only when the other text has a name of its
// own that this one lacks, i.e. one name stands where another stood ("Paris is bigger than Rome"
// / "Lyon is bigger than Rome"), not when a verb was reworded ("Route from A to B" / "How do I
// get from A to B").
import type { GuardRule } from './rule.js';
import { SENTENCE_STARTERS } from './stop-words.js';
import { withoutPossessive, type GuardText, type Token } from './text.js';

export interface EntityFeatures {
  names: Set<string>;
  /** Capitalised first words that are not common words. */
  maybeNames: Set<string>;
  words: Set<string>;
}

const NOT_NAMES = new Set(['i', "i'm", "i've", "i'd", "i'll", 'ok']);

export type NameKind = 'name' | 'maybe' | undefined;

/** Whether a word token is a name, maybe one (a capitalised first word), or neither. */
export function nameKind(t: Token): NameKind {
  const w = t.text;
  // Most words: no capital letter and no digit.
  if (w === t.lower && !/\d/.test(w)) return undefined;
  if (NOT_NAMES.has(t.lower)) return undefined;
  if (/\p{N}/u.test(w) && /\p{L}/u.test(w)) return 'name';
  if (/\p{Ll}\p{Lu}/u.test(w)) return 'name';
  if (w.length >= 2 && !/\p{Ll}/u.test(w) && /\p{Lu}/u.test(w)) return 'name';
  if (!/^\p{Lu}/u.test(w)) return undefined;
  if (!t.sentenceStart) return 'name';
  return SENTENCE_STARTERS.has(t.lower) ? undefined : 'maybe';
}

export function entitiesRule(opts: { sentenceStart: boolean }): GuardRule<EntityFeatures> {
  return {
    name: 'entities',
    extract: (text: GuardText) => {
      const names = new Set<string>();
      const maybeNames = new Set<string>();
      for (const t of text.tokens) {
        if (t.kind !== 'word') continue;
        const kind = nameKind(t);
        if (kind === 'name') names.add(withoutPossessive(t.lower));
        else if (kind === 'maybe' && opts.sentenceStart) maybeNames.add(withoutPossessive(t.lower));
      }
      return { names, maybeNames, words: text.words };
    },
    compare(a, b) {
      const missing = missingName(a.names, b) ?? missingName(b.names, a);
      if (missing !== undefined) return `name not in both: ${missing}`;
      // A maybe-name counts when a name (or maybe-name) of the other text is missing here too.
      const maybeA = missingName(a.maybeNames, b);
      const maybeB = missingName(b.maybeNames, a);
      return maybeA !== undefined && maybeB !== undefined ? `name not in both: ${maybeA} / ${maybeB}` : undefined;
    },
  };
}

function missingName(names: Set<string>, other: EntityFeatures): string | undefined {
  for (const n of names) if (!other.words.has(n)) return n;
  return undefined;
}
