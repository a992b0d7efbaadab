// Keyword signal: any/all of a list of words or phrases in the text the signal reads. A long text
// is read in two windows (input.ts): a keyword counts when it occurs within either.
import type { KeywordSignalConfig } from '../config/schema.js';
import { signalWindows, type TextWindows } from './input.js';
import type { Signal, SignalResult } from './types.js';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Regex source for one keyword: \b only where the keyword starts/ends with a word character. */
function keywordSource(word: string, wholeWords: boolean): string {
  let src = escapeRegExp(word);
  if (wholeWords) {
    if (/^\w/.test(word)) src = `\\b${src}`;
    if (/\w$/.test(word)) src = `${src}\\b`;
  }
  return src;
}

// No `u` flag: with `i`, V8's unicode case folding makes these scans ~25x slower on long
// prompts, and \b is ASCII-based either way. Non-ASCII letters still fold case without it.
function flags(caseSensitive: boolean): string {
  return caseSensitive ? '' : 'i';
}

/**
 * One regex for a whole "any" list, so the text is scanned once. Keywords bounded by word
 * characters on both sides share one \b(?:a|b|c)\b group, which V8 scans much faster than one
 * bounded alternative per keyword.
 */
function anyRegExp(words: string[], wholeWords: boolean, caseSensitive: boolean): RegExp {
  const bounded: string[] = [];
  const other: string[] = [];
  for (const w of [...words].sort((a, b) => b.length - a.length)) {
    if (wholeWords && /^\w/.test(w) && /\w$/.test(w)) bounded.push(escapeRegExp(w));
    else other.push(keywordSource(w, wholeWords));
  }
  const parts = bounded.length ? [`\\b(?:${bounded.join('|')})\\b`, ...other] : other;
  return new RegExp(parts.join('|'), flags(caseSensitive));
}

export const KEYWORD_WORD_SET_MIN = 8;

/** An ASCII word keyword: under whole_words, `\bkw\b` matches exactly when kw is one of the text's maximal ASCII word runs. */
const ASCII_WORD = /^\w+$/;

/**
 * The ASCII word runs of a text's windows as a set, per case mode. Every keyword signal of a
 * request reads the same windows (input.ts keeps them per request), so with 100 keyword decisions
 * the text is split once, not scanned 100 times.
 */
const wordSets = new WeakMap<TextWindows, { folded?: Set<string>; exact?: Set<string> }>();
function wordsOf(w: TextWindows, caseSensitive: boolean): Set<string> {
  let sets = wordSets.get(w);
  if (!sets) wordSets.set(w, (sets = {}));
  const mode = caseSensitive ? 'exact' : 'folded';
  let words = sets[mode];
  if (!words) {
    words = new Set<string>();
    // Per word, after splitting: lower-casing the whole text first could turn a non-ASCII letter
    // into ASCII ones ("İ" → "i̇") and create words the regex would never match.
    for (const text of [w.head, w.tail]) for (const word of text.split(/\W+/)) if (word !== '') words.add(caseSensitive ? word : word.toLowerCase());
    sets[mode] = words;
  }
  return words;
}

/**
 * `wordSet`: look ASCII whole words up in the text's word set instead of scanning with a regex.
 * Splitting a long text costs a few regex scans, so it pays off only when many keyword signals
 * share the split (buildSignals turns it on from KEYWORD_WORD_SET_MIN signals up).
 */
export function keywordSignal(cfg: KeywordSignalConfig, wordSet = false): Signal {
  const bySet = (w: string) => wordSet && cfg.whole_words && ASCII_WORD.test(w);
  const key = (w: string) => (cfg.case_sensitive ? w : w.toLowerCase());
  const anySet = cfg.any.filter(bySet).map(key);
  const anyOther = cfg.any.filter((w) => !bySet(w));
  const anyRe = anyOther.length > 0 ? anyRegExp(anyOther, cfg.whole_words, cfg.case_sensitive) : undefined;
  const all = cfg.all.map((w) =>
    bySet(w) ? { word: w, key: key(w), re: undefined } : { word: w, key: undefined, re: new RegExp(keywordSource(w, cfg.whole_words), flags(cfg.case_sensitive)) },
  );
  /** The configured keyword a regex match stands for (details name config, never prompt text). */
  const configured = (m: string | undefined) => (m === undefined ? undefined : (anyOther.find((w) => key(w) === key(m)) ?? m));
  const needsWords = anySet.length > 0 || all.some((k) => k.key !== undefined);

  /** Whether a keyword's regex matches in a window (a match never spans the gap between them). */
  const found = (re: RegExp, w: TextWindows) => re.test(w.head) || (w.tail !== '' && re.test(w.tail));
  const firstMatch = (w: TextWindows) => anyRe?.exec(w.head)?.[0] ?? (w.tail !== '' ? anyRe?.exec(w.tail)?.[0] : undefined);
  const hasWord = (w: TextWindows, k: string) => wordsOf(w, cfg.case_sensitive).has(k);

  function evaluate(w: TextWindows): SignalResult {
    if (cfg.any.length > 0) {
      const hit = (needsWords ? anySet.find((k) => hasWord(w, k)) : undefined) ?? configured(firstMatch(w));
      if (hit === undefined) return { matched: false, confidence: 0 };
      if (all.length === 0) return { matched: true, confidence: 1, detail: `matched "${hit}"` };
    }
    const missing = all.find((k) => (k.key !== undefined ? !hasWord(w, k.key) : !found(k.re, w)));
    if (missing) return { matched: false, confidence: 0, detail: `missing "${missing.word}"` };
    return { matched: true, confidence: 1, detail: `matched all ${all.length} keywords` };
  }

  return {
    kind: 'keyword',
    name: cfg.name,
    extract: (ir) => Promise.resolve(evaluate(signalWindows(ir, cfg.input))),
  };
}
