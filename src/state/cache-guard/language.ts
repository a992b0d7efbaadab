// The language: an answer in French does not answer a question asked in English, however close a
// multilingual embedding puts the two. First the script, by the letters of the text (Latin,
// Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai, Hangul, kana, Han); for Latin script the
// language by its stop words (en, fr, de, es, it, pt, nl). A text too short or too mixed to tell
// is undetermined, and an undetermined side never rejects.
import type { GuardRule } from './rule.js';
import { STOP_WORDS } from './stop-words.js';
import type { GuardText } from './text.js';

export interface LanguageFeatures {
  script: string | undefined;
  /** For Latin script: the language, when the stop words tell. */
  language: string | undefined;
}

/** Letters read to find the script: enough to tell, and a bound on long texts. */
const SCRIPT_SAMPLE = 2000;
/** Fewer letters than this: the script is undetermined. */
const MIN_LETTERS = 3;

const RANGES: ReadonlyArray<readonly [number, number, string]> = [
  [0x41, 0x5a, 'latin'], [0x61, 0x7a, 'latin'], [0xc0, 0x24f, 'latin'], [0x1e00, 0x1eff, 'latin'],
  [0x370, 0x3ff, 'greek'], [0x400, 0x52f, 'cyrillic'], [0x530, 0x58f, 'armenian'], [0x590, 0x5ff, 'hebrew'],
  [0x600, 0x6ff, 'arabic'], [0x750, 0x77f, 'arabic'], [0x900, 0x97f, 'devanagari'], [0x980, 0x9ff, 'bengali'],
  [0xe00, 0xe7f, 'thai'], [0x10a0, 0x10ff, 'georgian'], [0x1100, 0x11ff, 'hangul'], [0x3040, 0x30ff, 'kana'],
  [0x3130, 0x318f, 'hangul'], [0x3400, 0x4dbf, 'han'], [0x4e00, 0x9fff, 'han'], [0xac00, 0xd7af, 'hangul'],
];

function scriptOfCode(c: number): string | undefined {
  for (const [lo, hi, name] of RANGES) if (c >= lo && c <= hi) return name;
  return undefined;
}

export function scriptOf(raw: string): string | undefined {
  const counts = new Map<string, number>();
  let letters = 0;
  let latin = 0;
  for (let i = 0; i < raw.length && letters < SCRIPT_SAMPLE; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x80) {
      // ASCII letters, the common case, without a map.
      if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
        latin++;
        letters++;
      }
      continue;
    }
    const s = scriptOfCode(c);
    if (!s) continue;
    letters++;
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  if (latin > 0) counts.set('latin', (counts.get('latin') ?? 0) + latin);
  if (letters < MIN_LETTERS) return undefined;
  // Japanese mixes kana with Han: any kana makes Han text Japanese.
  const kana = counts.get('kana') ?? 0;
  if (kana > 0 && (counts.get('han') ?? 0) + kana >= letters / 2) return 'kana';
  let best: string | undefined;
  let bestCount = 0;
  for (const [s, n] of counts) if (n > bestCount) [best, bestCount] = [s, n];
  return bestCount >= letters / 2 ? best : undefined;
}

const LANGUAGES = Object.keys(STOP_WORDS);
/** stop word → the indexes (in LANGUAGES) of the languages it belongs to. */
const STOP_WORD_LANGUAGES = new Map<string, number[]>();
LANGUAGES.forEach((lang, i) => {
  for (const w of STOP_WORDS[lang]!) STOP_WORD_LANGUAGES.set(w, [...(STOP_WORD_LANGUAGES.get(w) ?? []), i]);
});

/** The Latin-script language with the most stop words: at least two, and more than any other. */
export function latinLanguageOf(text: GuardText): string | undefined {
  const hits = new Array<number>(LANGUAGES.length).fill(0);
  for (const t of text.tokens) {
    if (t.kind !== 'word') continue;
    const langs = STOP_WORD_LANGUAGES.get(t.lower);
    if (langs) for (const i of langs) hits[i]!++;
  }
  let best = -1;
  let second = 0;
  for (let i = 0; i < hits.length; i++) {
    if (best < 0 || hits[i]! > hits[best]!) {
      if (best >= 0) second = hits[best]!;
      best = i;
    } else if (hits[i]! > second) second = hits[i]!;
  }
  return hits[best]! >= 2 && hits[best]! > second ? LANGUAGES[best] : undefined;
}

export const languageRule: GuardRule<LanguageFeatures> = {
  name: 'language',
  extract: (text) => {
    const script = scriptOf(text.raw);
    return { script, language: script === 'latin' ? latinLanguageOf(text) : undefined };
  },
  compare(a, b) {
    if (a.script && b.script && a.script !== b.script) return `scripts differ: ${a.script} / ${b.script}`;
    if (a.language && b.language && a.language !== b.language) return `languages differ: ${a.language} / ${b.language}`;
    return undefined;
  },
};
