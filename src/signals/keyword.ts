// Keyword signal: any/all of a list of words or phrases in the text the signal reads.
import type { KeywordSignalConfig } from '../config/schema.js';
import { signalText } from './input.js';
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
 * The text's ASCII word runs as a set, for the last text seen (per case mode). Every keyword signal
 * of a request reads the same text, so with 100 keyword decisions the text is split once, not
 * scanned 100 times.
 */
const wordSets = {
  folded: { text: undefined as string | undefined, words: new Set<string>() },
  exact: { text: undefined as string | undefined, words: new Set<string>() },
};
function wordsOf(text: string, caseSensitive: boolean): Set<string> {
  const slot = caseSensitive ? wordSets.exact : wordSets.folded;
  if (slot.text !== text) {
    const words = new Set<string>();
    // Per word, after splitting: lower-casing the whole text first could turn a non-ASCII letter
    // into ASCII ones ("İ" → "i̇") and create words the regex would never match.
    for (const w of text.split(/\W+/)) if (w !== '') words.add(caseSensitive ? w : w.toLowerCase());
    slot.text = text;
    slot.words = words;
  }
  return slot.words;
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

  function evaluate(text: string): SignalResult {
    const words = needsWords ? wordsOf(text, cfg.case_sensitive) : undefined;
    if (cfg.any.length > 0) {
      const hit = anySet.find((w) => words!.has(w)) ?? configured(anyRe?.exec(text)?.[0]);
      if (hit === undefined) return { matched: false, confidence: 0 };
      if (all.length === 0) return { matched: true, confidence: 1, detail: `matched "${hit}"` };
    }
    const missing = all.find((k) => (k.key !== undefined ? !words!.has(k.key) : !k.re.test(text)));
    if (missing) return { matched: false, confidence: 0, detail: `missing "${missing.word}"` };
    return { matched: true, confidence: 1, detail: `matched all ${all.length} keywords` };
  }

  return {
    kind: 'keyword',
    name: cfg.name,
    extract: (ir) => Promise.resolve(evaluate(signalText(ir, cfg.input))),
  };
}
